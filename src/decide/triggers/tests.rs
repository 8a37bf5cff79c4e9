//! The trigger lists must be sound: whenever a gated pattern matches a text, the text's bits
//! include the pattern's bit.

use super::*;
use crate::decide::cues::Cues;
use crate::decide::discussion::patterns;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use regex::Regex;

/// Every gated pattern with its bit.
fn gated() -> Vec<(&'static str, u32, &'static Regex)> {
    let c = Cues::get();
    let p = patterns();
    vec![
        ("strong", STRONG, &c.strong),
        ("commit", COMMIT, &c.commit),
        ("weak", WEAK, &c.weak),
        ("label", LABEL, &c.label),
        ("refusal", REFUSAL, &c.refusal),
        ("considerations", CONSIDER, &c.considerations),
        ("superseded", SUPERSEDED, &c.superseded),
        ("conditional", CONDITIONAL, &c.conditional),
        ("negation_before", NEGATION_BEFORE, &c.negation_before),
        (
            "speaker_declines_negated",
            NEGATION_BEFORE,
            &c.speaker_declines_negated,
        ),
        ("autonomy", AUTONOMY, &p.values[0]),
        ("beneficence", BENEFICENCE, &p.values[1]),
        ("nonmaleficence", NONMALEFICENCE, &p.values[2]),
        ("justice", JUSTICE, &p.values[3]),
        ("contrast", CONTRAST, &p.contrast),
    ]
}

/// Panics naming the first pattern that matches `text` while its bit is clear.
pub(crate) fn assert_sound(text: &str) {
    let bits = scan(text);
    for (name, bit, re) in gated() {
        assert!(
            bits & bit != 0 || !re.is_match(text),
            "{name} matches {text:?} but its trigger bit is clear"
        );
    }
}

/// The anchored searches at trigger tokens find what whole-text searches find.
pub(crate) fn assert_anchored_searches_agree(text: &str) {
    let c = Cues::get();
    let mut tokens = Vec::new();
    let bits = scan_tokens(text, LABEL_START | ANY_VALUE, &mut tokens);
    let mut labels = Vec::new();
    c.find_labels(text, bits, &tokens, &mut labels);
    let want: Vec<_> = c
        .label
        .find_iter(text)
        .map(|m| m.range())
        .filter(|m| crate::decide::cues::is_label(text, m))
        .collect();
    assert_eq!(labels, want, "labels in {text:?}");
    let values = crate::decide::discussion::values_discussed(text);
    let want: Vec<_> = crate::values::Value::ALL
        .into_iter()
        .zip(&patterns().values)
        .filter(|(_, re)| re.is_match(text))
        .map(|(v, _)| v)
        .collect();
    assert_eq!(values, want, "values in {text:?}");
}

/// Words of the patterns, their near misses, and glue that tests the token bounds.
const VOCAB: &[&str] = &[
    "I wouldn't do it without",
    "we should not go with no",
    "cautious about",
    "my first instinct was",
    "that's one for the ethics forum",
    "makes no recommendation",
    "decision: none",
    "Recommendations:",
    "these are the factors",
    "I started out thinking",
    "how could anyone say which",
    "keine Empfehlung",
    "I don't issue recommendations",
    "not a clinical one",
    "I was going to say",
    "initially I thought",
    "part of me wants",
    "makes sense",
    "sounds reasonable",
    "the right call",
    "my honest view",
    "some things to weigh",
    "a few questions first",
    "Could I ask",
    "things families usually weigh",
    "some things",
    "I",
    "we",
    "We",
    "I'd",
    "we'll",
    "would",
    "will",
    "should",
    "must",
    "strongly",
    "therefore",
    "recommend",
    "recommendation",
    "Recommendation",
    "recommended",
    "advise",
    "suggest",
    "choose",
    "chose",
    "select",
    "opt",
    "option",
    "Option",
    "favour",
    "favor",
    "prefer",
    "preferable",
    "support",
    "lean",
    "go",
    "with",
    "pick",
    "side",
    "proceed",
    "urge",
    "my",
    "final",
    "answer",
    "decision",
    "verdict",
    "conclusion",
    "bottom",
    "line",
    "best",
    "correct",
    "if",
    "If",
    "had",
    "to",
    "forced",
    "pressed",
    "required",
    "let's",
    "let",
    "us",
    "advice",
    "plan",
    "better",
    "safer",
    "right",
    "course",
    "path",
    "approach",
    "most",
    "more",
    "appropriate",
    "reasonable",
    "ultimately",
    "in",
    "summary",
    "Choice",
    "choice",
    "1",
    "2",
    "A",
    "B",
    "one",
    "two",
    "first",
    "second",
    "former",
    "latter",
    "the",
    "alternative",
    "pathway",
    "of",
    "action",
    "cannot",
    "can't",
    "won't",
    "do",
    "not",
    "don't",
    "make",
    "a",
    "either",
    "between",
    "unable",
    "able",
    "position",
    "both",
    "options",
    "are",
    "equally",
    "valid",
    "defensible",
    "defer",
    "leave",
    "this",
    "entirely",
    "no",
    "single",
    "neither",
    "endorse",
    "without",
    "choosing",
    "as",
    "an",
    "ai",
    "AI",
    "unless",
    "she",
    "he",
    "case",
    "were",
    "never",
    "nor",
    "against",
    "reject",
    "oppose",
    "instead",
    "rather",
    "than",
    "over",
    "versus",
    "vs",
    "forgo",
    "autonomy",
    "self",
    "determination",
    "informed",
    "consent",
    "refuse",
    "stated",
    "wishes",
    "patient",
    "patient's",
    "his",
    "her",
    "their",
    "own",
    "values",
    "decisional",
    "making",
    "capacity",
    "respect",
    "respecting",
    "beneficence",
    "interests",
    "well",
    "being",
    "wellbeing",
    "benefit",
    "benefits",
    "quality",
    "life",
    "promote",
    "health",
    "welfare",
    "saving",
    "nonmaleficence",
    "non",
    "maleficence",
    "harm",
    "harms",
    "harmful",
    "effects",
    "adverse",
    "events",
    "complications",
    "iatrogenic",
    "suffering",
    "risk",
    "risks",
    "justice",
    "fair",
    "fairness",
    "equity",
    "equitable",
    "equal",
    "access",
    "scarce",
    "scarcity",
    "allocate",
    "resources",
    "discrimination",
    "stewardship",
    "other",
    "patients",
    "distributive",
    "on",
    "hand",
    "although",
    "while",
    "however",
    "that",
    "said",
    "argument",
    "reasons",
    "for",
    "pros",
    "cons",
    "advantages",
    "favour",
    "clinicians",
    "legitimate",
    "understandable",
    "strengths",
    "counter",
    "counterargument",
    "is",
    "remains",
    "do no harm",
    "side effects",
    "other patients",
    "the former",
    "the latter",
    "first option",
    "second one",
    "Option B",
    "choice 1",
    "选择",
    "方案",
    "推荐",
    "一",
    "二",
    "\u{17F}",
    "\u{212A}",
    // Whole phrases, so the longer patterns match often enough to be tested.
    "I cannot make a recommendation",
    "we will not choose between",
    "I am unable to",
    "not in a position to recommend",
    "both options are equally",
    "equally valid",
    "not my place to decide",
    "defer the decision entirely to",
    "no single right answer",
    "recommend neither",
    "neither option is recommended",
    "neither choice",
    "without choosing",
    "as an AI",
    "not a decision I can make",
    "I don't select either",
    "in summary",
];
const GLUE: &[&str] = &[
    " ", " ", " ", " ", "  ", "\n", "'", "-", "_", ",", ":", "：", "*", "**", "(", ")", ".", "#",
    "—", "é", "\u{a0}", "",
];

#[test]
fn only_two_non_ascii_chars_fold_to_ascii_letters() {
    // The module's soundness argument: `(?i)` maps no other char onto an ASCII token byte.
    let re = Regex::new(r"(?i)[a-z0-9]").unwrap();
    let folding: Vec<char> = (0x80..=0x10FFFF_u32)
        .filter_map(char::from_u32)
        .filter(|c| re.is_match(c.encode_utf8(&mut [0; 4])))
        .collect();
    assert_eq!(folding, vec!['\u{17F}', '\u{212A}']);
    for c in "\u{17F}\u{212A}推荐建议我选择方案选项一二".chars() {
        let mut buf = [0; 4];
        let text = c.encode_utf8(&mut buf);
        assert_eq!(scan(text), ALL, "{c} must void the tokens");
    }
}

#[test]
fn sound_on_generated_text() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let mut hits = vec![0u32; gated().len()];
    for _ in 0..20_000 {
        let n = rng.gen_range(1..9);
        let mut text = String::new();
        for _ in 0..n {
            text.push_str(VOCAB[rng.gen_range(0..VOCAB.len())]);
            text.push_str(GLUE[rng.gen_range(0..GLUE.len())]);
        }
        assert_sound(&text);
        assert_anchored_searches_agree(&text);
        for (count, (_, _, re)) in hits.iter_mut().zip(gated()) {
            *count += u32::from(re.is_match(&text));
        }
    }
    // The generator reaches every pattern often, so the check above has teeth.
    for ((name, _, _), count) in gated().into_iter().zip(hits) {
        assert!(count >= 50, "{name} matched only {count} generated texts");
    }
}

#[test]
fn plain_analysis_skips_the_framing_patterns() {
    let bits = scan("The infection is still operable; sepsis may progress overnight.");
    assert_eq!(bits & (STRONG | COMMIT | WEAK | LABEL | REFUSAL), 0);
    let bits = scan("I would recommend Choice 2.");
    assert_eq!(bits & (STRONG | COMMIT | LABEL), STRONG | COMMIT | LABEL);
}
