//! Which sources to sync now, and when to try again. Pure: state and time in, decisions out.

use broadsheet_store::{SourceId, SyncSource};

/// Never wait longer than this between attempts, however often a source fails: a source is
/// slowed down, never given up on.
pub const MAX_BACKOFF_SECS: i64 = 24 * 3600;
/// The shortest interval a reader may set.
pub const MIN_INTERVAL_MIN: i64 = 5;

/// What started a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// The scheduler: only sources whose time has come.
    Schedule,
    /// The reader asked ("sync now", `broadsheet sync`): every source, or the listed ones.
    Now(Option<Vec<SourceId>>),
}

/// The sources to sync, in id order.
pub fn due(sources: &[SyncSource], now: i64, trigger: &Trigger) -> Vec<SourceId> {
    sources
        .iter()
        .filter(|s| match trigger {
            Trigger::Now(None) => true,
            Trigger::Now(Some(ids)) => ids.contains(&s.id),
            Trigger::Schedule => s.health.next_attempt.is_none_or(|t| t <= now),
        })
        // Nothing to sync them from: the sample is built in, saved pages were fetched once.
        .filter(|s| broadsheet_model::SourceKind::parse(&s.kind).is_some_and(broadsheet_model::SourceKind::is_synced))
        .map(|s| s.id)
        .collect()
}

fn interval_secs(interval_min: i64) -> i64 {
    interval_min.max(MIN_INTERVAL_MIN) * 60
}

/// Next attempt after a success: one interval later.
pub fn after_success(now: i64, interval_min: i64) -> i64 {
    now + interval_secs(interval_min)
}

/// Next attempt after the `failures`-th failure in a row: the interval doubled per failure,
/// capped at a day, and never sooner than the server's Retry-After.
pub fn after_failure(now: i64, interval_min: i64, failures: i64, retry_after_secs: Option<i64>) -> i64 {
    let exp = (failures.max(1) - 1).min(20) as u32;
    let backoff = interval_secs(interval_min).saturating_mul(1i64 << exp).min(MAX_BACKOFF_SECS);
    now + backoff.max(retry_after_secs.unwrap_or(0).min(7 * MAX_BACKOFF_SECS))
}

/// When to retry an image after its `attempts`-th failure: an hour, doubling, capped at a day.
pub fn image_retry(now: i64, attempts: i64) -> i64 {
    now + (3600i64 << attempts.clamp(0, 5)).min(MAX_BACKOFF_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(id: i64, kind: &str, next: Option<i64>) -> SyncSource {
        SyncSource {
            id: SourceId(id),
            kind: kind.into(),
            location: format!("loc{id}"),
            name: format!("s{id}"),
            site_url: None,
            etag: None,
            last_modified: None,
            cursor: None,
            health: broadsheet_model::SourceHealth { interval_min: 30, next_attempt: next, ..Default::default() },
            user_added: true,
        }
    }

    #[test]
    fn the_schedule_takes_sources_whose_time_has_come() {
        let sources = [
            source(1, "feed", None),
            source(2, "feed", Some(100)),
            source(3, "feed", Some(101)),
            source(4, "sample", None),
        ];
        let table: &[(i64, Trigger, &[i64])] = &[
            (100, Trigger::Schedule, &[1, 2]),
            (99, Trigger::Schedule, &[1]),
            (500, Trigger::Schedule, &[1, 2, 3]),
            (0, Trigger::Now(None), &[1, 2, 3]),
            (0, Trigger::Now(Some(vec![SourceId(3), SourceId(4)])), &[3]),
        ];
        for (now, trigger, want) in table {
            let want: Vec<SourceId> = want.iter().map(|i| SourceId(*i)).collect();
            assert_eq!(due(&sources, *now, trigger), want, "now={now} {trigger:?}");
        }
    }

    #[test]
    fn backoff_doubles_is_capped_and_respects_retry_after() {
        let table: &[(i64, i64, Option<i64>, i64)] = &[
            // (interval_min, failures, retry_after, expected delay)
            (30, 1, None, 1800),
            (30, 2, None, 3600),
            (30, 3, None, 7200),
            (30, 10, None, MAX_BACKOFF_SECS),
            (30, 1000, None, MAX_BACKOFF_SECS),
            (1, 1, None, 300),
            (30, 1, Some(7200), 7200),
            (30, 5, Some(60), 28800),
        ];
        for &(interval, failures, retry, want) in table {
            assert_eq!(after_failure(1000, interval, failures, retry) - 1000, want, "{interval} {failures} {retry:?}");
        }
        assert_eq!(after_success(1000, 2), 1000 + 300, "at least five minutes");
        assert_eq!(image_retry(0, 0), 3600);
        assert_eq!(image_retry(0, 99), MAX_BACKOFF_SECS);
    }
}
