//! Row heights of the windowed article list. Rows are as tall as their content (a one-line
//! title leaves no gap), so only the rendered window's rows are measured; the others count
//! at the average of those measured so far. From that come the padding standing in for the
//! rows outside the window, the row at a scroll position, and where a row starts.

use std::collections::HashMap;

use broadsheet_model::ArticleId;

/// The height a row counts at before any row was measured (px): a two-line title row.
pub const FIRST_ESTIMATE: u32 = 100;
/// Heights remembered (by article, across views); past this the memory starts afresh.
const MAX_MEASURED: usize = 200_000;

/// Measured row heights by article.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowSizes {
    measured: HashMap<ArticleId, u32>,
    sum: u64,
}

impl RowSizes {
    /// The height unmeasured rows count at: the average of the measured ones.
    pub fn estimate(&self) -> u32 {
        if self.measured.is_empty() {
            FIRST_ESTIMATE
        } else {
            (self.sum / self.measured.len() as u64) as u32
        }
    }

    pub fn height(&self, id: ArticleId) -> u32 {
        self.measured.get(&id).copied().unwrap_or_else(|| self.estimate())
    }

    /// Whether `height` (px) differs from what is recorded for the row.
    pub fn differs(&self, id: ArticleId, height: u32) -> bool {
        self.measured.get(&id) != Some(&height)
    }

    /// Records a row's measured height (a row not laid out, 0 px, is not a measurement).
    pub fn record(&mut self, id: ArticleId, height: u32) {
        if height == 0 {
            return;
        }
        if self.measured.len() >= MAX_MEASURED && !self.measured.contains_key(&id) {
            *self = RowSizes::default();
        }
        if let Some(old) = self.measured.insert(id, height) {
            self.sum -= u64::from(old);
        }
        self.sum += u64::from(height);
    }

    /// Records the rows just measured. When most of those measured before came out at
    /// another height, what changed is the whole list (a resized window, another type size):
    /// every other row's height was measured under what no longer holds and is forgotten, so
    /// they count at the new average instead of at stale heights.
    pub fn record_all(&mut self, seen: &[(ArticleId, u32)]) {
        let known: Vec<_> = seen.iter().filter(|(id, h)| *h > 0 && self.measured.contains_key(id)).collect();
        let changed = known.iter().filter(|(id, h)| self.differs(*id, *h)).count();
        if known.len() >= 3 && changed * 2 > known.len() {
            *self = RowSizes::default();
        }
        for &(id, h) in seen {
            self.record(id, h);
        }
    }

    /// Where each of the rows (by article) starts, plus the end of the last: one more offset
    /// than rows.
    pub fn offsets(&self, rows: impl Iterator<Item = ArticleId>) -> Vec<u32> {
        let estimate = self.estimate();
        let mut out = Vec::with_capacity(rows.size_hint().0 + 1);
        let mut at = 0u32;
        out.push(0);
        for id in rows {
            at = at.saturating_add(self.measured.get(&id).copied().unwrap_or(estimate));
            out.push(at);
        }
        out
    }
}

/// The row under `y` px from the top of the rows (the last row past the end; 0 when empty).
pub fn row_at(offsets: &[u32], y: u32) -> usize {
    let rows = offsets.len().saturating_sub(1);
    offsets.partition_point(|&o| o <= y).saturating_sub(1).min(rows.saturating_sub(1))
}

/// Padding above and below a window of `window` rows from `start` (px).
pub fn padding(offsets: &[u32], start: usize, window: usize) -> (u32, u32) {
    let rows = offsets.len().saturating_sub(1);
    let start = start.min(rows);
    let end = (start + window).min(rows);
    let total = offsets.last().copied().unwrap_or(0);
    (offsets[start.min(offsets.len() - 1)], total - offsets[end.min(offsets.len() - 1)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use broadsheet_model::ArticleId;

    #[test]
    fn a_change_to_most_measured_rows_forgets_the_rows_measured_elsewhere() {
        let mut s = RowSizes::default();
        // Rows 1–10 measured at one width, then rows 20–22 (another part of the list).
        s.record_all(&(1..=10).map(|id| (ArticleId(id), 80)).collect::<Vec<_>>());
        s.record_all(&[(ArticleId(20), 120), (ArticleId(21), 120), (ArticleId(22), 120)]);
        assert_eq!(s.height(ArticleId(5)), 80, "another part's rows leave these as they were");
        // The window narrows: rows 20–22 measure taller; rows 1–10 were measured at the old width.
        s.record_all(&[(ArticleId(20), 160), (ArticleId(21), 160), (ArticleId(22), 140)]);
        assert_eq!(s.height(ArticleId(20)), 160);
        assert_eq!(s.height(ArticleId(5)), s.estimate(), "a stale height is forgotten, the new average counts");
        assert_eq!(s.estimate(), 153);
        // One row changing (an image loaded) is not a change of the whole list.
        s.record_all(&[(ArticleId(20), 200), (ArticleId(21), 160), (ArticleId(22), 140), (ArticleId(23), 150)]);
        assert_eq!(s.height(ArticleId(21)), 160);
        assert_eq!(s.height(ArticleId(23)), 150);
    }

    fn rows(n: i64) -> impl Iterator<Item = ArticleId> {
        (1..n + 1).map(ArticleId)
    }

    #[test]
    fn unmeasured_rows_count_at_the_average_of_measured_ones() {
        let mut s = RowSizes::default();
        assert_eq!(s.offsets(rows(3)), [0, 100, 200, 300]);
        s.record(ArticleId(1), 60);
        s.record(ArticleId(2), 80);
        assert_eq!(s.estimate(), 70);
        assert_eq!(s.offsets(rows(4)), [0, 60, 140, 210, 280]);
        s.record(ArticleId(2), 120);
        assert_eq!(s.estimate(), 90, "a row measured again replaces its height");
        s.record(ArticleId(3), 0);
        assert!(s.differs(ArticleId(3), 0), "a row not laid out is no measurement");
    }

    #[test]
    fn the_row_at_a_position_and_the_padding_around_a_window() {
        let mut s = RowSizes::default();
        for (id, h) in [(1, 60), (2, 140), (3, 60), (4, 60)] {
            s.record(ArticleId(id), h);
        }
        let o = s.offsets(rows(4));
        assert_eq!(o, [0, 60, 200, 260, 320]);
        assert_eq!([row_at(&o, 0), row_at(&o, 59), row_at(&o, 60), row_at(&o, 199), row_at(&o, 5000)], [0, 0, 1, 1, 3]);
        assert_eq!(padding(&o, 1, 2), (60, 60));
        assert_eq!(padding(&o, 0, 60), (0, 0));
        assert_eq!(padding(&o, 9, 60), (320, 0), "a window past the end");
        assert_eq!(row_at(&[0], 10), 0);
        assert_eq!(padding(&[0], 0, 60), (0, 0));
    }
}
