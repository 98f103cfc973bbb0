//! Reader settings. Stored in the archive (so they belong to it, like the reader's marks),
//! as a JSON document the UI owns.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Reader font size in px (14–32).
    pub font_size: u32,
    /// `system`, `light` or `dark`.
    pub theme: String,
    /// Mark an article read when it is opened.
    pub mark_read_on_open: bool,
    /// The article open when the app was last closed, and how far down it was read (px).
    /// This and the pane widths are this screen's own: a device sync shares the rest
    /// (migration 0014's `device_shared_settings`).
    pub last_article: Option<broadsheet_model::ArticleId>,
    pub last_scroll: u32,
    /// `auto` (the system's), `en` or `zh`.
    pub language: String,
    /// `narrow`, `medium` or `wide`.
    pub line_width: String,
    /// Widths of the sidebar and the list, in px (the reader takes the rest).
    pub sidebar_width: u32,
    pub list_width: u32,
    /// Lists show a story carried several times (other outlets, other sources) once.
    pub collapse_duplicates: bool,
    /// Marking a post read (or unread) marks its copies too.
    pub read_copies: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            font_size: 18,
            theme: "system".into(),
            mark_read_on_open: true,
            last_article: None,
            last_scroll: 0,
            language: "auto".into(),
            line_width: "medium".into(),
            sidebar_width: 240,
            list_width: 360,
            collapse_duplicates: false,
            read_copies: true,
        }
    }
}

/// Pane width bounds, in px; the window is usable down to 800 px wide.
pub const SIDEBAR_WIDTHS: (u32, u32) = (160, 420);
pub const LIST_WIDTHS: (u32, u32) = (240, 640);

pub const MIN_FONT: u32 = 14;
pub const MAX_FONT: u32 = 32;

impl Settings {
    /// These settings with the ones every device shares taken from `other` (another
    /// computer's, arrived by a device sync); this screen's panes and open article stay.
    pub fn with_shared_from(&self, other: &Settings) -> Settings {
        Settings {
            last_article: self.last_article,
            last_scroll: self.last_scroll,
            sidebar_width: self.sidebar_width,
            list_width: self.list_width,
            ..other.clone()
        }
    }

    /// Reads settings saved as JSON; anything unreadable gives the defaults.
    pub fn from_json(json: Option<&str>) -> Settings {
        json.and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn with_font_step(&self, step: i32) -> Settings {
        let size = (self.font_size as i32 + step).clamp(MIN_FONT as i32, MAX_FONT as i32) as u32;
        Settings { font_size: size, ..self.clone() }
    }

    /// With one pane resized by `delta` px (`sidebar` or the list), within bounds.
    pub fn with_pane_resized(&self, sidebar: bool, delta: i32) -> Settings {
        let clamp = |w: u32, (lo, hi): (u32, u32)| (w as i32 + delta).clamp(lo as i32, hi as i32) as u32;
        if sidebar {
            Settings { sidebar_width: clamp(self.sidebar_width, SIDEBAR_WIDTHS), ..self.clone() }
        } else {
            Settings { list_width: clamp(self.list_width, LIST_WIDTHS), ..self.clone() }
        }
    }

    /// The next theme in the cycle system → light → dark → system.
    pub fn next_theme(&self) -> Settings {
        let theme = match self.theme.as_str() {
            "system" => "light",
            "light" => "dark",
            _ => "system",
        };
        Settings { theme: theme.into(), ..self.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_size_stays_within_bounds_and_themes_cycle() {
        let s = Settings::default();
        assert_eq!(s.with_font_step(100).font_size, MAX_FONT);
        assert_eq!(s.with_font_step(-100).font_size, MIN_FONT);
        assert_eq!(s.next_theme().theme, "light");
        assert_eq!(s.next_theme().next_theme().next_theme().theme, "system");
        assert_eq!(s.with_pane_resized(true, -1000).sidebar_width, SIDEBAR_WIDTHS.0);
        assert_eq!(s.with_pane_resized(false, 40).list_width, 400);
        let old = Settings::from_json(Some(r#"{"font_size": 20}"#));
        assert_eq!(Settings::from_json(Some("not json")), Settings::default());
        assert_eq!(Settings::from_json(Some(&s.to_json())), s);
        assert_eq!((old.font_size, old.mark_read_on_open), (20, true), "missing fields take defaults");
    }
}
