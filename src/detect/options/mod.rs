//! Extraction of the two options a request states, as spans of its own text (no allocation).
//!
//! Forms recognised, tried in this order:
//! 1. labelled: `Choice 1: ... Choice 2: ...`, `Option A ... Option B`, `**Plan 1** - ...`;
//! 2. enumerated: exactly two items numbered `1.`/`1)`/`(1)` or lettered `a)`/`(b)`/`A.`;
//! 3. bulleted: exactly two adjacent `-`, `*` or `•` items;
//! 4. inline: `should we X or Y?`, `whether to X or Y`, `do we X or Y?`.

mod scan;

/// How the options were written in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionForm {
    Labelled,
    Enumerated,
    Bulleted,
    Inline,
}

/// The two options, borrowed from the request text, trimmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options<'a> {
    pub first: &'a str,
    pub second: &'a str,
    pub form: OptionForm,
}

/// Options shorter than this (in bytes, trimmed) are not options but noise ("X or Y" on letters).
const MIN_OPTION_LEN: usize = 3;
/// Inline options longer than this are more likely a run-on sentence than an option.
const MAX_INLINE_LEN: usize = 300;

/// Finds the two options stated in `text`, if any. One pass over the candidate word starts
/// ([`scan`]) finds labelled markers and the first inline alternative together; a pass over the
/// lines finds lists.
pub fn extract(text: &str) -> Option<Options<'_>> {
    let mut labels = LabelScan::default();
    let mut inline_found = None;
    for (at, key) in scan::key_starts(text) {
        if key < scan::LABEL_KEYS {
            if let Some(found) = labels.step(text, at) {
                return usable(found);
            }
        } else if inline_found.is_none() {
            inline_found = inline_at(text, at);
        }
    }
    listed(text).or(inline_found).and_then(usable)
}

fn usable(o: Options<'_>) -> Option<Options<'_>> {
    (o.first.len() >= MIN_OPTION_LEN && o.second.len() >= MIN_OPTION_LEN).then_some(o)
}

const LABELS: [&str; 5] = ["choice", "option", "alternative", "approach", "plan"];

/// A marker such as `Option B:`: where it starts, where its text starts, its label and rank.
#[derive(Clone, Copy)]
struct Marker {
    start: usize,
    text_start: usize,
    label: usize,
    rank: u8,
}

fn rank_of(id: &str) -> Option<u8> {
    const RANKS: [(&str, u8); 12] = [
        ("1", 1),
        ("a", 1),
        ("one", 1),
        ("i", 1),
        ("2", 2),
        ("b", 2),
        ("two", 2),
        ("ii", 2),
        ("3", 3),
        ("c", 3),
        ("three", 3),
        ("iii", 3),
    ];
    RANKS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(id))
        .map(|(_, rank)| *rank)
}

/// Parses a label marker starting at byte `at` (a word start) of `text`.
fn marker_at(text: &str, at: usize) -> Option<Marker> {
    let rest = text.get(at..)?;
    let label = LABELS.iter().position(|l| {
        rest.get(..l.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(l))
    })?;
    let after_label = &rest[LABELS[label].len()..];
    let id_part = after_label.strip_prefix(' ')?;
    let id_len = id_part
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(id_part.len());
    let rank = rank_of(&id_part[..id_len])?;
    // A separator must follow (possibly after markdown emphasis), so "option A or option B" in
    // prose is not taken for a list of options.
    let tail = id_part[id_len..].trim_start_matches(['*', '_']);
    let tail_trim = tail.trim_start_matches([' ', '\t']);
    let sep_len = [":", ")", ".", " -", "-", "\u{2013}", "\u{2014}", "\n"]
        .iter()
        .find(|s| tail_trim.starts_with(**s))
        .map(|s| s.len())?;
    let consumed = rest.len() - tail_trim.len() + sep_len;
    let mut text_start = at + consumed;
    let after = &text[text_start..];
    text_start += after.len() - after.trim_start_matches(['*', '_', ' ', '\t']).len();
    Some(Marker {
        start: at,
        text_start,
        label,
        rank,
    })
}

/// Labelled-marker search state: the first rank-1 marker seen, waiting for its rank-2 twin.
#[derive(Default)]
struct LabelScan {
    first: Option<Marker>,
}

impl LabelScan {
    fn step<'a>(&mut self, text: &'a str, at: usize) -> Option<Options<'a>> {
        let m = marker_at(text, at)?;
        match self.first {
            None if m.rank == 1 => self.first = Some(m),
            Some(f) if m.rank == 2 && m.label == f.label && m.start > f.text_start => {
                let one = clean(&text[f.text_start..m.start]);
                let tail = text[m.text_start..].trim_start();
                let end = tail.find('\n').unwrap_or(tail.len());
                return Some(Options {
                    first: one,
                    second: clean(&tail[..end]),
                    form: OptionForm::Labelled,
                });
            }
            _ => {}
        }
        None
    }
}

/// Strips surrounding whitespace and markdown emphasis from an option's text.
fn clean(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '*' || c == '_')
}

/// The list item a line starts with, as (kind, rank, item text). Kind 0 numbered, 1 lettered,
/// 2 bullet (rank 0).
fn list_item(line: &str) -> Option<(u8, u8, &str)> {
    let l = line.trim_start();
    for bullet in ['-', '*', '\u{2022}'] {
        if let Some(rest) = l.strip_prefix(bullet) {
            if rest.starts_with([' ', '\t']) {
                return Some((2, 0, rest.trim()));
            }
        }
    }
    let inner = l.strip_prefix('(').unwrap_or(l);
    let mut chars = inner.chars();
    let id = chars.next()?;
    let rest = chars.as_str();
    let rest = rest
        .strip_prefix(')')
        .or_else(|| rest.strip_prefix('.'))
        .filter(|r| r.starts_with([' ', '\t']))?;
    let (kind, rank) = match id {
        '1'..='9' => (0, id as u8 - b'0'),
        'a'..='h' => (1, id as u8 - b'a' + 1),
        'A'..='H' => (1, id as u8 - b'A' + 1),
        _ => return None,
    };
    Some((kind, rank, rest.trim()))
}

/// Exactly two enumerated items ranked 1 and 2, or exactly two adjacent bullets.
fn listed(text: &str) -> Option<Options<'_>> {
    let mut items: [Option<(u8, u8, &str)>; 2] = [None, None];
    let mut count = 0usize;
    let mut bullets_adjacent = true;
    let mut last_line_was_item = false;
    for line in text.lines() {
        match list_item(line) {
            Some(item) => {
                if count >= 1 && item.0 == 2 && !last_line_was_item {
                    bullets_adjacent = false;
                }
                if count < 2 {
                    items[count] = Some(item);
                }
                count += 1;
                last_line_was_item = true;
            }
            None => last_line_was_item = line.trim().is_empty() && last_line_was_item,
        }
    }
    let (Some(a), Some(b)) = (items[0], items[1]) else {
        return None;
    };
    if count != 2 || a.0 != b.0 {
        return None;
    }
    let form = match a.0 {
        2 if bullets_adjacent => OptionForm::Bulleted,
        0 | 1 if a.1 == 1 && b.1 == 2 => OptionForm::Enumerated,
        _ => return None,
    };
    Some(Options {
        first: clean(a.2),
        second: clean(b.2),
        form,
    })
}

/// Words that can be the whole subject of "should ..." ("should we", "should I").
const PRONOUNS: [&str; 6] = ["we", "i", "you", "they", "he", "she"];
/// Words that start a two-word subject ("should the team", "should my mother").
const DETERMINERS: [&str; 9] = [
    "the", "my", "our", "his", "her", "their", "your", "this", "that",
];
/// Openers after which the first option follows directly.
const DIRECT: [&str; 6] = [
    "whether to ",
    "do we ",
    "do i ",
    "is it better to ",
    "would you ",
    "whether or not to ",
];

fn strip_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    s.get(..prefix.len())
        .filter(|h| h.eq_ignore_ascii_case(prefix))
        .map(|_| &s[prefix.len()..])
}

/// Splits off the first word of `s` (ASCII letters), returning (word, rest after one space).
fn first_word(s: &str) -> Option<(&str, &str)> {
    let end = s.find(|c: char| !c.is_ascii_alphabetic())?;
    let rest = s[end..].strip_prefix(' ')?;
    (end > 0).then(|| (&s[..end], rest))
}

fn is_one_of(word: &str, list: &[&str]) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// Skips the subject of a "should"/"whether ... should" question: a pronoun, or a determiner
/// and a noun. Anything else ("should be", "should consider") is not an alternative question.
fn skip_subject(s: &str) -> Option<&str> {
    let (w, rest) = first_word(s)?;
    if is_one_of(w, &PRONOUNS) {
        return Some(rest);
    }
    if is_one_of(w, &DETERMINERS) {
        return first_word(rest).map(|(_, after)| after);
    }
    None
}

/// Where the first option begins in `rest` (which starts at a word), if an opener starts there.
fn opener(rest: &str) -> Option<&str> {
    if let Some(after) = strip_ci(rest, "should ") {
        return skip_subject(after);
    }
    if let Some(after) = strip_ci(rest, "whether ") {
        if let Some(subject_end) = skip_subject(after) {
            if let Some(body) = strip_ci(subject_end, "should ") {
                return Some(body);
            }
        }
    }
    DIRECT.iter().find_map(|d| strip_ci(rest, d))
}

/// The inline alternative whose opener starts at `at`, if there is one.
fn inline_at(text: &str, at: usize) -> Option<Options<'_>> {
    let body = opener(&text[at..])?;
    let sentence_end = body.find(['?', '.', ';', '\n', '!']).unwrap_or(body.len());
    let sentence = &body[..sentence_end];
    let or_at = sentence.find(" or ")?;
    let first = clean(sentence[..or_at].trim_end_matches(','));
    let second = clean(&sentence[or_at + 4..]);
    let second = strip_ci(second, "should we ").unwrap_or(second);
    if second.eq_ignore_ascii_case("not")
        || second.len() > MAX_INLINE_LEN
        || first.len() > MAX_INLINE_LEN
    {
        return None;
    }
    Some(Options {
        first,
        second,
        form: OptionForm::Inline,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(text: &str) -> Option<(&str, &str, OptionForm)> {
        extract(text).map(|o| (o.first, o.second, o.form))
    }

    #[test]
    fn labelled_choices() {
        let t = "A case.\nChoice 1: Operate tonight.\nChoice 2: Wait for the family.\nWhich?";
        assert_eq!(
            pair(t),
            Some((
                "Operate tonight.",
                "Wait for the family.",
                OptionForm::Labelled
            ))
        );
        let t = "**Option A** - keep the bed\n**Option B** \u{2014} give it away";
        assert_eq!(
            pair(t),
            Some(("keep the bed", "give it away", OptionForm::Labelled))
        );
    }

    #[test]
    fn prose_mentions_are_not_labels() {
        assert_eq!(pair("I prefer option a over option b in general"), None);
    }

    #[test]
    fn enumerated_and_bulleted() {
        let t = "We see two ways:\n1. tell her now\n2) wait until tomorrow\nThoughts?";
        assert_eq!(
            pair(t),
            Some((
                "tell her now",
                "wait until tomorrow",
                OptionForm::Enumerated
            ))
        );
        let t = "Either:\n- disclose the error\n- say nothing yet\n";
        assert_eq!(
            pair(t),
            Some((
                "disclose the error",
                "say nothing yet",
                OptionForm::Bulleted
            ))
        );
        assert_eq!(pair("1. fever\n2. cough\n3. rash"), None);
    }

    #[test]
    fn inline_alternatives() {
        let t = "His daughter asks: should we keep the feeding tube or let him go? He said no.";
        assert_eq!(
            pair(t),
            Some(("keep the feeding tube", "let him go", OptionForm::Inline))
        );
        assert_eq!(pair("We are unsure whether or not to call."), None);
        let t = "Should the doctors follow the note or treat him?";
        assert_eq!(
            pair(t),
            Some(("follow the note", "treat him", OptionForm::Inline))
        );
        assert_eq!(
            pair("whether she should go home, or stay"),
            Some(("go home", "stay", OptionForm::Inline))
        );
        assert_eq!(pair("This should be fine or not."), None);
        assert_eq!(pair("What is the dose of amoxicillin?"), None);
    }
}
