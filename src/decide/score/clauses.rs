//! Reading the words around a mention and a sentence's shape: the clause before a mention
//! and whether it negates, concessions and advice disclaimers around refusal phrases, an
//! answer's own order of the options for "the former/latter", and label-only lines.

use crate::decide::cues::Cues;
use crate::decide::options::OptionPair;
use crate::decide::text::floor_boundary;
use crate::decide::triggers;
use std::ops::Range;

/// How far back (bytes) a negation may sit before a mention within its clause.
const NEGATION_WINDOW: usize = 48;

/// The clause before a mention: back to the last clause break, at most `NEGATION_WINDOW` bytes.
pub(super) fn clause_before(sentence: &str, at: usize) -> &str {
    let from = floor_boundary(sentence, at.saturating_sub(NEGATION_WINDOW));
    let window = &sentence[from..at];
    let cut = window
        .char_indices()
        .rfind(|(_, c)| matches!(c, ',' | ';' | ':' | '(' | '—' | '–'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let window = &window[cut..];
    // "but"/"however" open a new clause too.
    let lower_cut = [&b"but "[..], &b"however "[..]]
        .into_iter()
        .filter_map(|w| rfind_ignore_ascii_case(window.as_bytes(), w).map(|i| i + w.len()))
        .max()
        .unwrap_or(0);
    &window[lower_cut..]
}

/// Whether the clause before a mention negates it ("I would not proceed with").
pub(super) fn negated_before(cues: &Cues, before: &str) -> bool {
    clause_matches(&cues.negation_before, before)
}

/// Whether a first-person refusal of a negated action governs the clause before a mention.
pub(super) fn negated_by_speaker(cues: &Cues, before: &str) -> bool {
    clause_matches(&cues.speaker_declines_negated, before)
}

/// Whether a negation pattern (gated by [`triggers::NEGATION_BEFORE`]) matches the clause
/// before a mention. Markdown emphasis is read through ("I would **not** make him"): the
/// pattern without it stays fast.
pub(super) fn clause_matches(pattern: &regex::Regex, before: &str) -> bool {
    let test = |b: &str| triggers::scan(b) & triggers::NEGATION_BEFORE != 0 && pattern.is_match(b);
    if before.as_bytes().iter().any(|&b| b == b'*' || b == b'_') {
        test(&before.replace(['*', '_'], ""))
    } else {
        test(before)
    }
}

/// Whether the clause before a refusal phrase concedes it: "While counsel notes *both paths
/// are defensible*, ...". Only the phrase's own clause counts: "While I understand, I cannot
/// choose" still declines.
pub(super) fn conceded(head: &str) -> bool {
    let clause = head
        .rfind([',', ';', ':', '(', '.'])
        .map_or(head, |i| &head[i + 1..]);
    clause
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| CONCESSIONS.iter().any(|c| c.eq_ignore_ascii_case(w)))
}

/// Whether the words after a refusal phrase make it a disclaimer of a kind of advice ("I'm not
/// able to give legal advice", "... give individual medical advice"), which answers often put
/// before a pick, rather than a refusal to choose.
pub(super) fn disclaims_advice(after: &str) -> bool {
    const KINDS: &[&str] = &[
        "legal",
        "medical",
        "individual",
        "specific",
        "personal",
        "professional",
        "formal",
    ];
    let words: Vec<&str> = after
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .take(3)
        .collect();
    let kind = |w: &&str| KINDS.iter().any(|k| k.eq_ignore_ascii_case(w));
    let advice = |w: &&str| w.eq_ignore_ascii_case("advice");
    match words.as_slice() {
        [a, b, ..] if kind(a) && advice(b) => true,
        [a, b, c] => kind(a) && kind(b) && advice(c),
        _ => false,
    }
}

const CONCESSIONS: &[&str] = &[
    "while",
    "whilst",
    "although",
    "though",
    "granted",
    "admittedly",
];

/// Start of the last occurrence of `needle` (lowercase ASCII) in `hay`, ignoring ASCII case.
pub(super) fn rfind_ignore_ascii_case(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
}

/// "the former"/"the latter": ordinals that may follow the answer's own order.
pub(super) fn is_former_or_latter(label: &str) -> bool {
    let last = label
        .rsplit(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    last.eq_ignore_ascii_case("former") || last.eq_ignore_ascii_case("latter")
}

/// When the text before "the former/latter" names the two options in its own order ("Of
/// arrival order and prognosis, I favour the former"), the options it names first and second.
pub(super) fn answer_order(cues: &Cues, pair: &OptionPair, head: &str) -> Option<[usize; 2]> {
    let caps = cues.pair_intro.captures_iter(head).last()?;
    let named = |name: &str| -> Option<usize> {
        let hits = pair.match_clauses(caps.name(name)?.as_str(), 0);
        let first = hits.first()?.option;
        hits.iter().all(|h| h.option == first).then_some(first)
    };
    let (x, y) = (named("x")?, named("y")?);
    (x != y).then_some([x, y])
}

/// An answer that is nothing but a label: "1", "B.", "**2**".
pub(super) fn is_bare_answer(sentence: &str, text: &str) -> bool {
    let core = |t: &str| t.trim_matches(|c: char| !c.is_ascii_alphanumeric()).len();
    core(text) == 1 && core(sentence) == 1
}

/// Whether `sentence` holds nothing but the match `m` and markdown or punctuation.
pub(super) fn only_markup_around(sentence: &str, m: &Range<usize>) -> bool {
    let markup = |t: &str| {
        t.chars().all(|c| {
            c.is_whitespace()
                || matches!(
                    c,
                    '*' | '_' | '#' | '>' | '.' | ':' | '!' | '-' | '`' | '[' | ']' | '(' | ')'
                )
        })
    };
    markup(&sentence[..m.start]) && markup(&sentence[m.end..])
}

/// Whether `sentence` begins, with nothing before it but spaces or emphasis ("**Option B.**"),
/// with the label at `m`,
/// followed by a colon, comma, stop or dash.
pub(super) fn opens_on_label(sentence: &str, m: &Range<usize>) -> bool {
    sentence[..m.start]
        .trim_matches(|c: char| c.is_whitespace() || c == '*' || c == '_')
        .is_empty()
        && sentence[m.end..]
            .trim_start_matches([' ', '*', '_'])
            .starts_with([':', ',', '.', '—', '–'])
}
