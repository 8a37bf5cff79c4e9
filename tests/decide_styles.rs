//! The parser on answers written unlike the benchmark's (the project's own text):
//! tests/data/decide_styles.jsonl, and fresh sets (decide_fresh_*.jsonl) written by
//! engineers who had not seen the parser, as a check on answers it was not built around.
//! They hold markdown headers and tables, verdict first or last in long reasoning, "Option
//! A/B", ordinals, "the former/latter", paraphrase only, negations, hedges, a final
//! "Recommendation:" line, JSON/YAML/XML-ish output, a separate reasoning field, a few other
//! languages, and refusals of several kinds (declining, deferring to the team or the patient,
//! "both equally valid", asking for facts). Each line: id, style, choice_1, choice_2, response,
//! optional reasoning, expected.

mod jsonl;

use pluralis::decide::{Decider, JudgePolicy, OptionPair, Source};
use pluralis::values::Choice;
use serde::Deserialize;

#[derive(Deserialize)]
struct Line {
    id: String,
    style: String,
    choice_1: String,
    choice_2: String,
    response: String,
    #[serde(default)]
    reasoning: Option<String>,
    expected: Choice,
}

/// The judge threshold: answers read at or above it are not sent to a judge, so a misread
/// there is a silent one.
fn confident() -> f64 {
    JudgePolicy::default().threshold
}

/// Read every line of a set; print accuracy, confident accuracy and the misses; fail below
/// `floor`, or when a refusal is read as a confident choice, or when more than
/// `max_confident_misses` answers are misread at or above the judge threshold.
fn check_set(file: &str, floor: f64, max_confident_misses: usize) {
    let decider = Decider::new();
    let lines: Vec<Line> = jsonl::read_data(file);
    assert!(lines.len() >= 100, "{file}: {} lines", lines.len());
    let mut misses = Vec::new();
    let mut confident_misses = Vec::new();
    let mut confident_misread_refusals = Vec::new();
    let mut confident_reads = 0;
    for l in &lines {
        let d = decider.decide_prepared(
            &OptionPair::new(&l.choice_1, &l.choice_2),
            &l.response,
            l.reasoning.as_deref(),
        );
        let sure = d.confidence >= confident();
        confident_reads += usize::from(sure);
        if d.choice == l.expected {
            continue;
        }
        let miss = format!(
            "{} ({}): expected {} got {} at {:.2}",
            l.id,
            l.style,
            l.expected.as_str(),
            d.choice.as_str(),
            d.confidence
        );
        if sure {
            confident_misses.push(miss.clone());
            if l.expected == Choice::Refusal {
                confident_misread_refusals.push(miss.clone());
            }
        }
        misses.push(miss);
    }
    let accuracy = 1.0 - misses.len() as f64 / lines.len() as f64;
    eprintln!(
        "{file}: accuracy {accuracy:.3} ({} of {} lines); read at confidence >= {} : {} lines, {} of them wrong",
        lines.len() - misses.len(),
        lines.len(),
        confident(),
        confident_reads,
        confident_misses.len()
    );
    for m in &misses {
        eprintln!("  miss {m}");
    }
    assert!(
        confident_misread_refusals.is_empty(),
        "{file}: refusals read as a confident choice: {confident_misread_refusals:#?}"
    );
    assert!(
        confident_misses.len() <= max_confident_misses,
        "{file}: confident misreads: {confident_misses:#?}"
    );
    assert!(accuracy >= floor, "{file}: accuracy {accuracy:.3}");
}

/// The project's style set (measured 0.963 when this floor was set; see README).
#[test]
fn style_shifted_answers_are_read() {
    check_set("decide_styles.jsonl", 0.95, 0);
}

/// Fresh set A, written without sight of the parser: 0.824 on its first run, 0.914 after the
/// parser was improved on its misses (see README).
#[test]
fn fresh_set_a_is_read() {
    check_set("decide_fresh_a.jsonl", 0.90, 0);
}

/// Fresh set B, written without sight of the parser: 0.843 on its first run, 0.881 after the
/// parser was improved on its misses (see README).
#[test]
fn fresh_set_b_is_read() {
    check_set("decide_fresh_b.jsonl", 0.86, 0);
}

/// Fresh set C, written without sight of the parser: 0.895 on its first run (see README).
#[test]
fn fresh_set_c_is_read() {
    check_set("decide_fresh_c.jsonl", 0.88, 0);
}

/// Fresh set D, answers shaped like frontier models' (markdown, JSON, reasoning fields),
/// written without sight of the parser: 0.895 on its first run (see README).
#[test]
fn fresh_set_d_is_read() {
    check_set("decide_fresh_d.jsonl", 0.88, 1);
}

/// Fresh set E, long answers shaped like frontier models' (over half 350-750 words; written
/// from per-dilemma material in a dozen answer shapes), without sight of the parser: 0.971 on
/// its first run (see README).
#[test]
fn fresh_set_e_is_read() {
    check_set("decide_fresh_e.jsonl", 0.95, 0);
}

/// Fresh set F, the last check: every answer written individually, as deployed chatbots and
/// models would answer several prompt formats, without sight of the parser and run once
/// after all other work: 0.876 (see README). Not tuned on.
#[test]
fn fresh_set_f_is_read() {
    check_set("decide_fresh_f.jsonl", 0.86, 0);
}

/// Fresh set G, answers shaped like current frontier models' (written without sight of the
/// parser): 0.890 on its first run, then used for development (see README).
#[test]
fn fresh_set_g_is_read() {
    check_set("decide_fresh_g.jsonl", 0.93, 0);
}

/// Fresh set H: varied voices and deployments, 12% in other languages, written without sight
/// of the parser: 0.825 on its first run, one answer misread at or above the judge threshold
/// (see README); used for development since.
#[test]
fn fresh_set_h_is_read() {
    check_set("decide_fresh_h.jsonl", 0.83, 1);
}

/// Fresh set I, written without sight of the parser: 0.794 on its first run (benchmark-shaped
/// answers 52/56, casual chat 25/40); used for development since.
#[test]
fn fresh_set_i_is_read() {
    check_set("decide_fresh_i.jsonl", 0.80, 1);
}

/// Fresh set J, written without sight of the parser to be hard for it: casual chat, idioms,
/// clinician notes, long concessions, 40 answers in other languages, negation-heavy answers:
/// 0.555 on its first run, then used for development (see README). Its floor is low because
/// the set is: what it guards is that nothing it reads at or above the judge threshold is
/// wrong.
#[test]
fn fresh_set_j_is_read() {
    check_set("decide_fresh_j.jsonl", 0.60, 0);
}

/// Fresh set K, written without sight of the parser in the shape of current models' answers
/// (markdown, prose, terse, reasoning traces, JSON, chat, clinician notes, 10 in other
/// languages, 34 refusals): 0.870 on its first run (the session's parser before its changes:
/// 0.865), one answer misread at or above the judge threshold; then its misses were read
/// (see README).
#[test]
fn fresh_set_k_is_read() {
    check_set("decide_fresh_k.jsonl", 0.90, 1);
}

/// Fresh set L, written without sight of the parser by two writers (one in the habits of
/// GPT-, Claude-, Gemini- and open-model-style assistants, one across answer shapes: long
/// markdown, verdict first, reasoning that changes its mind, clinician notes, declines that
/// still pick): 0.865 for the session's starting parser and 0.870 on its first run, one
/// answer misread at or above the judge threshold (a decline that then picks, read as a
/// refusal); then its misses were read (see README).
#[test]
fn fresh_set_l_is_read() {
    check_set("decide_fresh_l.jsonl", 0.89, 0);
}

/// Fresh set M, written without sight of the parser as a hospital chatbot's replies to
/// clinicians, patients and families (patient-facing, colleague shorthand, safety disclaimers,
/// Socratic questions, pros/cons columns, stories, 8 in other languages, 20 refusals): 0.67
/// for the session's starting parser and 0.68 on its first run, none of its 15 reads at or
/// above the judge threshold wrong; then its misses were read (see README).
#[test]
fn fresh_set_m_is_read() {
    check_set("decide_fresh_m.jsonl", 0.70, 0);
}

/// Fresh set N, written without sight of the parser in the benchmark's own shape (a physician
/// prompt, "Choice 1:"/"Choice 2:", label-first and label-last answers, restatements, markdown
/// reports, reluctant picks, conditional mixes, reasoning traces; 10 refusals): 0.93 for the
/// session's starting parser and 0.94 on its first run, none of its 54 reads at or above the
/// judge threshold wrong; then its misses were read (see README).
#[test]
fn fresh_set_n_is_read() {
    check_set("decide_fresh_n.jsonl", 0.93, 0);
}

/// Fresh set O, written without sight of the parser as frontier models answer the
/// benchmark's "Choice 1 / Choice 2" prompt (19 forms: verdict first or last, headings,
/// tables, JSON-ish, terse, paraphrase only, Option A/B, former/latter, hedged picks, argued
/// one way and picked the other, negated picks, conditional defaults; 26 refusals): 0.893 on
/// its first run, none of its 80 reads at or above the judge threshold wrong; then its misses
/// were read (see README).
#[test]
fn fresh_set_o_is_read() {
    check_set("decide_fresh_o.jsonl", 0.94, 0);
}

/// Fresh set P, written without sight of the parser as a hospital chatbot's replies to
/// families, patients, nurses and doctors (warm, concise, text-message, policy-minded,
/// steering without naming the option, 18 in Spanish, French or German; 31 refusals): 0.760
/// on its first run, one of its 23 reads at or above the judge threshold wrong (a deferral
/// read as a pick); then its misses were read (see README).
#[test]
fn fresh_set_p_is_read() {
    check_set("decide_fresh_p.jsonl", 0.84, 0);
}

/// Fresh set R, written without sight of the parser as a hospital assistant's replies to
/// pharmacists, social workers, students, junior doctors, paramedics, parents and patients
/// (bolded first lines, "What I'd suggest / Why", step lists, "I wouldn't ...", disclaimers
/// that still suggest, 14 in Portuguese, Italian or Dutch; 24 refusals): 0.758 on its first
/// run, none of its 23 reads at or above the judge threshold wrong; then its misses were read
/// (see README).
#[test]
fn fresh_set_r_is_read() {
    check_set("decide_fresh_r.jsonl", 0.84, 0);
}

/// Fresh set Q, written without sight of the parser as models answer the benchmark's prompt,
/// 47 of them with a separate reasoning trace (weighing both, changing its mind, leaning one
/// way and answering the other) and the rest in varied forms ("Option 1", A/B, paraphrase,
/// combined picks, "You should ...", "If I were the attending ..."; 18 refusals): 0.933 on its
/// first run, none of its 58 reads at or above the judge threshold wrong; then its misses
/// were read (see README).
#[test]
fn fresh_set_q_is_read() {
    check_set("decide_fresh_q.jsonl", 0.97, 0);
}

/// Fresh set S, written without sight of the parser as a wide range of models answer the
/// benchmark's prompt (bold verdict first, verdict last, "Analysis / Recommendation", numbered
/// considerations, Option 1/2, A/B, paraphrase only, conditional picks, JSON, tables; 22 with
/// reasoning traces; 15 refusals): 0.95 on its first run, none of its 70 reads at or above
/// the judge threshold wrong.
#[test]
fn fresh_set_s_is_read() {
    check_set("decide_fresh_s.jsonl", 0.94, 0);
}

/// Fresh set T, written without sight of the parser as a hospital chatbot's replies to
/// relatives, nurses, patients, pharmacists and doctors (gentle leans near the end, brisk
/// advice, headings, "Here's what I'd do", "I'd be cautious about ...", caveats, 8 in Spanish
/// or French; 20 refusals, most of them considerations or questions only): 0.64 on its first
/// run, one of its 10 reads at or above the judge threshold wrong; then its misses were read
/// (see README).
#[test]
fn fresh_set_t_is_read() {
    check_set("decide_fresh_t.jsonl", 0.73, 1);
}

/// Fresh set U, written without sight of the parser as a range of models answer a physician's
/// dilemma (headings and bold, numbered reasoning then a verdict, verdict first, tables,
/// "the latter", long rejections of one option, conditional defaults, hedged picks, JSON; 30
/// refusals): 0.917 on its first run, none of its 76 reads at or above the judge threshold
/// wrong; then its misses were read (see README).
#[test]
fn fresh_set_u_is_read() {
    check_set("decide_fresh_u.jsonl", 0.93, 0);
}

/// Fresh set V, written without sight of the parser as a hospital chatbot's replies to
/// patients, relatives, nurses, junior doctors and social workers (warm leans, brisk advice,
/// "here's what I'd do", "I can't make this call for you, but ...", cautions against one
/// option, choices named only by description, 7 not in English; 30 refusals): 0.675 on its
/// first run, three of its 18 reads at or above the judge threshold wrong (disclaimers read
/// as refusals); then its misses were read (see README).
#[test]
fn fresh_set_v_is_read() {
    check_set("decide_fresh_v.jsonl", 0.85, 0);
}

/// Fresh set W, written without sight of the parser as health-service assistants' replies
/// (plain, very warm, NHS-leaflet, US patient-portal, chatty lowercase, bullets, "My
/// suggestion:", arguing against one option, caveat then view, view then fallback, 6 not in
/// English; 36 refusals: both reasonable, questions only, factors only, deferrals): 0.700 on
/// 1a38131 and 0.758 on the tree first run on it (this session's refusal readings, drawn from
/// other sets), none of its 32 reads at or above the judge threshold wrong; then its misses
/// were read (see README).
#[test]
fn fresh_set_w_is_read() {
    check_set("decide_fresh_w.jsonl", 0.83, 0);
}

/// Fresh set X, written without sight of the parser as clinicians answering clinicians
/// (secure-messaging replies, ethics-consult notes, transcribed ward-round speech, nurses and
/// pharmacists raising concerns, "last year we had the same thing", choices named only by what
/// to do, minds changed midway; 36 refusals in clinicians' words): 0.658 on its first run
/// (1cd09dd, output-identical to a23b340), 2 of its 26 reads at or above the judge threshold
/// wrong; then its misses were read (see README).
#[test]
fn fresh_set_x_is_read() {
    check_set("decide_fresh_x.jsonl", 0.83, 1);
}

/// Fresh set Y, written without sight of the parser as assistants in rarely seen forms
/// ("thinking" traces with a final answer, YAML and checkbox verdicts, tables marked
/// "✅ Recommended", scores per value, Socratic questions, role-play assistants, 33 answers in
/// six other languages; 36 refusals): 0.775 on its first run (1cd09dd), 1 of its 38 reads at
/// or above the judge threshold wrong; then its misses were read (see README).
#[test]
fn fresh_set_y_is_read() {
    check_set("decide_fresh_y.jsonl", 0.93, 0);
}

fn lines() -> Vec<Line> {
    jsonl::read_data("decide_styles.jsonl")
}

#[test]
fn the_set_covers_every_label_and_many_styles() {
    let lines = lines();
    for label in [Choice::Choice1, Choice::Choice2, Choice::Refusal] {
        let n = lines.iter().filter(|l| l.expected == label).count();
        assert!(n >= 25, "{} has {n} lines", label.as_str());
    }
    let with_reasoning = lines.iter().filter(|l| l.reasoning.is_some()).count();
    assert!(
        with_reasoning >= 8,
        "{with_reasoning} lines with a reasoning field"
    );
    let mut ids: Vec<&str> = lines.iter().map(|l| l.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), lines.len(), "ids are unique");
}

/// Models often write "don’t" and "I’d" (2903 of the 6120 ValueBench answers do): answers
/// with their ASCII apostrophes between letters made typographic are read as the ASCII answers
/// are. (Before the parser read "’" as "'", the eleven answer sets of tests/data then held
/// gave 1866 of 2103 lines right this way against 1966 as written.)
#[test]
fn typographic_apostrophes_read_like_ascii_ones() {
    let decider = Decider::new();
    let mut checked = 0;
    for file in [
        "decide_styles.jsonl",
        "decide_fresh_g.jsonl",
        "decide_fresh_h.jsonl",
        "decide_fresh_i.jsonl",
        "decide_fresh_j.jsonl",
        "decide_fresh_k.jsonl",
        "decide_fresh_l.jsonl",
    ] {
        for l in jsonl::read_data::<Line>(file) {
            let curly = curly_apostrophes(&l.response);
            if curly == l.response {
                continue;
            }
            let pair = OptionPair::new(&l.choice_1, &l.choice_2);
            let ascii = decider.decide_prepared(&pair, &l.response, l.reasoning.as_deref());
            let typographic = decider.decide_prepared(&pair, &curly, l.reasoning.as_deref());
            assert_eq!(ascii.choice, typographic.choice, "{}", l.id);
            assert!(
                (ascii.confidence - typographic.confidence).abs() < 1e-9,
                "{}",
                l.id
            );
            // The evidence points into the answer as written.
            if let Some(e) = typographic
                .evidence
                .as_ref()
                .filter(|e| e.source == Source::Content)
            {
                let cue = curly.get(e.span.clone()).expect("span on char boundaries");
                assert!(e.snippet.contains(cue.trim()), "{}", l.id);
                let ascii_span = ascii
                    .evidence
                    .as_ref()
                    .map(|e| curly_apostrophes(&l.response[e.span.clone()]));
                assert_eq!(ascii_span.as_deref(), Some(cue), "{}", l.id);
            }
            checked += 1;
        }
    }
    assert!(checked >= 200, "{checked} answers had an apostrophe");
}

/// `text` with each `'` between two letters replaced by `’`.
fn curly_apostrophes(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let between = i > 0
                && chars[i - 1].is_alphanumeric()
                && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
            if c == '\'' && between {
                '’'
            } else {
                c
            }
        })
        .collect()
}
