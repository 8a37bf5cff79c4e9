//! Tick marks: a checklist line ("[x] Option 2", "☐ Tell them") or a table row marked
//! "✅ Recommended" says by its mark whether the option it names is the pick. Structured
//! answers put their verdict there rather than in a sentence.

/// Whether a line is ticked (`Some(true)`), marked as not chosen (`Some(false)`), or carries
/// no mark (`None`).
pub fn tick(line: &str) -> Option<bool> {
    let rest = line
        .trim_start()
        .trim_start_matches(['-', '*', '+', '>', ' ', '\t']);
    const TICKED: &[&str] = &["[x]", "[X]", "☑", "☒", "✅", "✔", "✓"];
    const UNTICKED: &[&str] = &["[ ]", "☐", "□"];
    if TICKED.iter().any(|m| rest.starts_with(m)) {
        return Some(true);
    }
    if UNTICKED.iter().any(|m| rest.starts_with(m)) {
        return Some(false);
    }
    if !rest.starts_with('|') {
        return None;
    }
    // A table row: a cell holding only a mark or the word decides.
    let mut mark = None;
    for cell in rest.split('|') {
        let cell = cell.trim_matches(|c: char| c.is_whitespace() || c == '*' || c == '_');
        let opens = |word: &str| {
            cell.as_bytes()
                .get(..word.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(word.as_bytes()))
        };
        if opens("not recommended") || cell.starts_with(['❌', '✗', '✘']) {
            return Some(false);
        }
        if TICKED.iter().any(|m| cell.starts_with(m)) || opens("recommended") {
            mark = Some(true);
        }
    }
    mark
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checklist_lines_and_table_rows_are_read_by_their_marks() {
        assert_eq!(tick("[x] Option 2"), Some(true));
        assert_eq!(tick("- [ ] Option 1"), Some(false));
        assert_eq!(tick("☑ Keep it confidential"), Some(true));
        assert_eq!(tick("☐ Tell them the donor's identity"), Some(false));
        assert_eq!(
            tick("| 2. 40-year-old | High | Yes | ✅ Recommended |"),
            Some(true)
        );
        assert_eq!(tick("| 1. Surgery | **Not recommended** |"), Some(false));
        assert_eq!(tick("| Option | Survival | |"), None);
        assert_eq!(tick("I recommend Option 2."), None);
        assert_eq!(tick(""), None);
    }
}
