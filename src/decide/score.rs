//! Scoring one text (an answer's content or its reasoning field): every mention of an option
//! becomes a vote whose weight says how decisive the sentence around it is.
//!
//! Weights, and why:
//! - kind: an explicit label ("Choice 2") is the most specific mention; ordinals ("the first
//!   approach") a little less; a paraphrase counts by how clearly it restates one option.
//! - framing: a sentence that recommends ("I recommend", "Recommendation:") is decisive; an
//!   evaluative one ("the safer option") counts some; a plain mention (analysis) little.
//! - position: answers state their pick at the top or in the closing lines; final statements
//!   weigh most because long reasoning often weighs both sides before committing.
//! - negation: "I would not proceed with Choice 1" votes for the other option, discounted.
//! - conditionals: "If she regains capacity, Choice 1 ..." is hypothetical and counts little.

use super::cues::{label_target, Cues};
use super::options::OptionPair;
use super::quote;
use super::text::{floor_boundary, sentences};
use super::triggers;
use clauses::{
    answer_order, clause_before, conceded, disclaims_advice, is_bare_answer, is_former_or_latter,
    negated_before, negated_by_speaker, only_markup_around, opens_on_label,
};
use std::ops::Range;

const LABEL_WEIGHT: f64 = 1.0;
const ORDINAL_WEIGHT: f64 = 0.9;
const BARE_WEIGHT: f64 = 0.9;
const PARAPHRASE_WEIGHT: f64 = 0.8;
const STRONG_FRAME: f64 = 5.0;
const WEAK_FRAME: f64 = 2.0;
/// "I'd hold him overnight": a commitment, though not phrased as a recommendation.
const COMMIT_FRAME: f64 = 3.0;
/// A recommendation whose option follows on the next line ("I recommend:\n**Choice 1**").
const CARRIED_FRAME: f64 = 4.0;
/// Questions that, with at most one other sentence per [`QUESTIONS_PER_STATEMENT`] of them,
/// a question last and no framed pick, make an answer a refusal: it asks back instead of
/// advising.
const QUESTIONS_ONLY: usize = 3;
const QUESTIONS_PER_STATEMENT: usize = 4;
/// The frame of a sentence that reports an inclination the answer then leaves (see
/// `Cues::superseded`): its mentions count for little.
const SUPERSEDED_FRAME: f64 = 0.3;
const NEGATED_SHARE: f64 = 0.6;
/// An opening sentence this short (bytes) is a verdict however it is phrased ("Report.",
/// "Accept the refusal.").
const VERDICT_LEN: usize = 60;
const LATER_CLAUSE_SHARE: f64 = 0.6;
const CONDITIONAL_SHARE: f64 = 0.3;
/// A restatement inside quotation marks.
const QUOTED_SHARE: f64 = 0.4;

/// What kind of cue produced a vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CueKind {
    Label,
    Ordinal,
    BareNumber,
    Paraphrase,
    Refusal,
    NoAnswer,
}

/// One weighted vote for an option.
#[derive(Debug, Clone, PartialEq)]
pub struct Vote {
    pub option: usize,
    pub weight: f64,
    pub span: Range<usize>,
    pub kind: CueKind,
    /// The mention was negated and this vote went to the other option.
    pub negated: bool,
    /// The vote came from a recommendation sentence.
    pub decisive: bool,
}

/// Everything scored in one text.
#[derive(Debug, Clone, Default)]
pub struct TextScore {
    pub support: [f64; 2],
    /// The strongest vote for each option.
    pub best: [Option<Vote>; 2],
    /// Sum of decisive (recommendation-framed) weight per option.
    pub decisive: [f64; 2],
    /// Mentions of each option, whatever their framing (for the Overton measure).
    pub mentions: [u32; 2],
    pub refusal: f64,
    pub refusal_span: Option<Range<usize>>,
    /// [`triggers`] bits of the whole text: patterns whose bit is clear cannot match it.
    pub triggers: u32,
    /// The text's tokens where value patterns may match (see [`triggers::scan_tokens`]).
    pub value_tokens: Vec<triggers::Token>,
}

impl TextScore {
    fn add(&mut self, vote: Vote) {
        let k = vote.option;
        self.support[k] += vote.weight;
        if vote.decisive {
            self.decisive[k] += vote.weight;
        }
        if self.best[k].as_ref().is_none_or(|b| vote.weight > b.weight) {
            self.best[k] = Some(vote);
        }
    }
}

/// Position weight of a sentence starting at `frac` (0..1) of the text.
fn position_weight(frac: f64) -> f64 {
    let top = (1.0 - frac / 0.15).max(0.0) * 0.5;
    let end = ((frac - 0.75) / 0.25).max(0.0) * 1.0;
    1.0 + top + end
}

/// Score every sentence of `text` against the options.
pub fn score_text(cues: &Cues, pair: &OptionPair, text: &str) -> TextScore {
    let mut out = TextScore::default();
    let len = text.len().max(1) as f64;
    let mut carried = false;
    let mut tokens = Vec::new();
    let mut labels = Vec::new();
    // Advice disclaimers not yet followed by a pick: their weight, and the last one's span.
    let mut disclaimer: Option<(f64, Range<usize>)> = None;
    // Considerations laid out instead of advice (see `Cues::considerations`): their weight and
    // the first one's span, and whether any sentence made a framed pick.
    let mut considerations: Option<(f64, Range<usize>)> = None;
    let mut framed_pick = false;
    // Questions put back and sentences that are not questions, and the first question's span:
    // an answer of nothing but questions gives no advice (see `QUESTIONS_ONLY`).
    let mut questions = 0usize;
    let mut first_question: Option<Range<usize>> = None;
    let mut statements = 0usize;
    let mut last_asks = false;
    let ranges = sentences(text);
    let last = ranges.len().saturating_sub(1);
    for (index, range) in ranges.into_iter().enumerate() {
        let sentence = &text[range.clone()];
        // A pattern whose trigger bit is clear has no match here: skip it.
        tokens.clear();
        let keep = triggers::LABEL_START | triggers::ANY_VALUE;
        let bits = triggers::scan_tokens(sentence, keep, &mut tokens);
        out.triggers |= bits;
        out.value_tokens.extend(
            tokens
                .iter()
                .filter(|t| t.bits & triggers::ANY_VALUE != 0)
                .map(|t| triggers::Token {
                    start: t.start + range.start,
                    bits: t.bits,
                }),
        );
        let may = |bit: u32| bits & bit != 0;
        cues.find_labels(sentence, bits, &tokens, &mut labels);
        // An answer whose closing line is only a label ("**Choice 1**") ends on its verdict.
        let closing_label =
            index == last && labels.len() == 1 && only_markup_around(sentence, &labels[0]);
        // Where the recommendation frame ends, when the sentence has one.
        let strong_end = may(triggers::STRONG)
            .then(|| cues.strong.find(sentence))
            .flatten()
            .map(|m| m.end());
        // An answer that opens on a label and a stop ("Choice 2: test only with consent",
        // "Choice 2, with ...") has said its pick first; a heading or list line does not.
        let opening_label =
            index == 0 && labels.first().is_some_and(|m| opens_on_label(sentence, m));
        let tick = super::marks::tick(sentence);
        if tick == Some(false) {
            // An unticked box or a row marked "not recommended" names an option not chosen.
            continue;
        }
        // "My first instinct was to feed him. But ...": an inclination reported and left.
        let superseded = may(triggers::SUPERSEDED) && cues.superseded.is_match(sentence);
        let strong = !superseded
            && (closing_label || opening_label || strong_end.is_some() || tick == Some(true));
        let frame = if superseded {
            SUPERSEDED_FRAME
        } else if strong {
            STRONG_FRAME
        } else if carried {
            CARRIED_FRAME
        } else if may(triggers::COMMIT)
            && (cues.commit.is_match(sentence)
                || (!may(triggers::CONDITIONAL) && cues.commit_declining.is_match(sentence)))
        {
            COMMIT_FRAME
        } else if may(triggers::WEAK) && cues.weak.is_match(sentence) {
            WEAK_FRAME
        } else {
            1.0
        };
        let decisive = strong || (carried && !superseded);
        // `sentences` drops blank pieces, so the first sentence is the answer's opening.
        let opening = index == 0;
        // An answer that opens on a committed or short verdict ("I'd seek the court order.",
        // "Accept the refusal.") has said its pick before weighing the other side: the opening
        // counts like a closing line.
        let verdict_first =
            opening && (frame >= COMMIT_FRAME || sentence.trim().len() <= VERDICT_LEN);
        let pos = position_weight(range.start as f64 / len) * if verdict_first { 1.5 } else { 1.0 };
        let emphasis = if sentence.contains("**") || sentence.trim_start().starts_with('#') {
            1.2
        } else {
            1.0
        };
        let mut mentioned = [false; 2];
        let mut labelled = [false; 2];
        let mut found = 0;

        let mut push = |out: &mut TextScore,
                        option: usize,
                        span: Range<usize>,
                        kind,
                        base: f64,
                        negatable: bool,
                        scope_from: Option<usize>,
                        negation_probe: Option<usize>| {
            // Where the negation test looks before: the mention's start unless the matcher
            // found its negated word further in (see `ParaphraseHit::negated_at`).
            let local = negation_probe.unwrap_or(span.start) - range.start;
            let before = clause_before(sentence, local);
            // A negation before words of the other option is theirs (see `rival_end`).
            let before = match scope_from.map(|at| at - range.start) {
                Some(from) if from > local - before.len() => &sentence[from..local],
                _ => before,
            };
            let after = &sentence[floor_boundary(sentence, span.end - range.start)..];
            let negated = if negatable {
                negated_before(cues, before)
                    || if kind == CueKind::Paraphrase {
                        cues.negation_after_phrase.is_match(after)
                    } else {
                        cues.negated_after(after)
                    }
            } else {
                // The answer's negation was the option's own ("without a chaperone"); a
                // speaker refusing it ("I wouldn't do it without a chaperone") still flips.
                negated_by_speaker(cues, before)
            };
            // The text before a mention holds no trigger the sentence lacks: mentions start on
            // a token boundary, except a bare numeral glued to its verb ("choose2"), and no
            // conditional trigger, nor an exact strong trigger ending a match, is such a verb.
            let head = &sentence[..local];
            let conditional = may(triggers::CONDITIONAL)
                && cues.conditional.is_match(head)
                && !(may(triggers::STRONG) && cues.strong.is_match(head))
                && cues
                    .speaker_frame
                    .find(head)
                    .is_none_or(|m| cues.conditional.is_match(&head[m.end()..]));
            let mut weight = base * frame * pos * emphasis;
            if conditional {
                weight *= CONDITIONAL_SHARE;
            }
            mentioned[option] = true;
            let (option, weight) = if negated {
                (1 - option, weight * NEGATED_SHARE)
            } else {
                (option, weight)
            };
            out.add(Vote {
                option,
                weight,
                span,
                kind,
                negated,
                decisive: decisive && !conditional,
            });
        };

        let first_label = labels.first().cloned();
        for m in &labels {
            let Some((option, ordinal)) = label_target(&sentence[m.clone()]) else {
                continue;
            };
            // "My recommendation: report him (Choice 1), while also doing what Choice 2
            // asks": the frame names its pick first; a label in a later clause qualifies it.
            // So does an answer that opens on its pick ("**Choice 2.** ..., though Choice 1
            // has merits").
            let names_pick_first = |first: &Range<usize>| {
                strong_end.map_or(opening_label, |frame_end| frame_end <= first.start)
            };
            let qualifies = first_label.as_ref().is_some_and(|first| {
                m.start > first.end
                    && names_pick_first(first)
                    && super::options::breaks_clause(&sentence[first.end..m.start])
            });
            let option = if is_former_or_latter(&sentence[m.clone()]) {
                answer_order(cues, pair, &sentence[..m.start]).map_or(option, |o| o[option])
            } else {
                option
            };
            let (kind, base) = if ordinal {
                (CueKind::Ordinal, ORDINAL_WEIGHT)
            } else {
                (CueKind::Label, LABEL_WEIGHT)
            };
            let base = if qualifies {
                base * LATER_CLAUSE_SHARE
            } else {
                base
            };
            let span = m.start + range.start..m.end + range.start;
            push(&mut out, option, span, kind, base, true, None, None);
            labelled[option] = true;
            found += 1;
        }
        if found == 0 && (decisive || opening || is_bare_answer(sentence, text)) {
            let caps = if decisive {
                cues.bare.captures(sentence)
            } else if is_bare_answer(sentence, text) {
                cues.bare_answer.captures(sentence)
            } else {
                // The answer's first words are a bare label: "A – full resuscitation".
                cues.lead_label.captures(sentence)
            };
            if let Some(caps) = caps {
                if let Some(m) = caps.name("n").or_else(|| caps.name("l")) {
                    let option = usize::from(matches!(m.as_str(), "2" | "B"));
                    let span = m.start() + range.start..m.end() + range.start;
                    push(
                        &mut out,
                        option,
                        span,
                        CueKind::BareNumber,
                        BARE_WEIGHT,
                        true,
                        None,
                        None,
                    );
                    found += 1;
                }
            }
        }
        if found == 0 {
            let hits = pair.match_clauses(sentence, range.start);
            // The first clause of a sentence carries its point and later ones qualify it; in
            // a recommendation, the first clause after its frame does ("As it's your first
            // baby, I'd lean towards the midwife-led unit").
            let lead = strong_end
                .and_then(|end| hits.iter().position(|h| h.span.start >= range.start + end))
                .unwrap_or(0);
            for (i, hit) in hits.into_iter().enumerate() {
                let clause = if i == lead { 1.0 } else { LATER_CLAUSE_SHARE };
                // Words in quotation marks are mostly someone else's ("'We're waiting on the
                // review' is what hospitals say"), not the answer's own pick.
                let quoted = if quote::is_quoted(sentence, hit.span.start - range.start) {
                    QUOTED_SHARE
                } else {
                    1.0
                };
                let base = PARAPHRASE_WEIGHT * hit.strength * clause * quoted;
                // When the option's own negation was matched, a "not" is no flip.
                let negatable = !hit.negation_matched;
                push(
                    &mut out,
                    hit.option,
                    hit.span,
                    CueKind::Paraphrase,
                    base,
                    negatable,
                    hit.rival_end,
                    hit.negated_at,
                );
                found += 1;
            }
        }
        for (count, seen) in out.mentions.iter_mut().zip(mentioned) {
            *count += u32::from(seen);
        }
        let picks = decisive && found > 0;
        if picks {
            disclaimer = None;
        }
        // A committed pick, decisive or not (every decisive frame commits).
        let commits = found > 0 && frame >= COMMIT_FRAME;
        // An option named by its label in an evaluative sentence ("Choice 2 is preferable") is
        // a pick too; a restatement there may only describe ("comfort care is kinder for some").
        framed_pick |= commits || (frame >= WEAK_FRAME && labelled.contains(&true));
        if !framed_pick && may(triggers::CONSIDER) {
            if let Some(m) = cues.considerations.find(sentence) {
                // Quoted or conceded ("While both paths are sound, ..."), it is no advice withheld.
                if !quote::is_quoted(sentence, m.start()) && !conceded(&sentence[..m.start()]) {
                    let span = m.start() + range.start..m.end() + range.start;
                    let weight = considerations.as_ref().map_or(0.0, |(w, _)| *w) + pos;
                    let first = considerations.map_or(span, |(_, s)| s);
                    considerations = Some((weight, first));
                }
            }
        }
        if commits && out.refusal > 0.0 && cues.past_disclaimer.is_match(sentence) {
            // The refusal phrases before a pick that sets them aside ("I can't decide this for
            // you. But if it were up to me, I'd tell him.", "... But from what you've said,
            // I'd wait") were a disclaimer, not a refusal; one after it still counts.
            out.refusal = 0.0;
            out.refusal_span = None;
        }
        let refusal = may(triggers::REFUSAL)
            .then(|| cues.refusal.find(sentence))
            .flatten();
        if let Some(m) = refusal {
            // A refusal phrase next to a single option's label is usually about that option
            // ("I cannot recommend Choice 1"), already scored as a negated mention. Reported
            // speech ("he told you to 'stay out of it'") and a concession ("While both paths
            // are defensible, ...") are not the answer declining.
            let reported =
                quote::is_quoted(sentence, m.start()) || conceded(&sentence[..m.start()]);
            let span = m.start() + range.start..m.end() + range.start;
            if labelled[0] == labelled[1] && !reported && disclaims_advice(&sentence[m.end()..]) {
                // "I'm not able to give legal advice": a refusal only if no pick follows.
                if !picks {
                    let weight = disclaimer.as_ref().map_or(0.0, |(w, _)| *w) + pos;
                    disclaimer = Some((weight, span));
                }
            } else if labelled[0] == labelled[1] && !reported {
                out.refusal += pos;
                out.refusal_span = Some(span);
            }
        }
        last_asks = sentence.trim_end().ends_with('?');
        if last_asks {
            questions += 1;
            first_question.get_or_insert(range);
        } else {
            statements += 1;
        }
        carried = strong && found == 0;
    }
    // An answer that ends on a statement has usually concluded ("If that's where he is, I'd
    // give him the chance to do it himself").
    let asks_back = !framed_pick
        && last_asks
        && questions >= QUESTIONS_ONLY
        && statements * QUESTIONS_PER_STATEMENT <= questions;
    if let Some(span) = first_question.filter(|_| asks_back) {
        out.refusal += questions as f64;
        out.refusal_span.get_or_insert(span);
    }
    if let Some((weight, span)) = disclaimer {
        out.refusal += weight;
        out.refusal_span.get_or_insert(span);
    }
    if let Some((weight, span)) = considerations.filter(|_| !framed_pick) {
        out.refusal += weight;
        out.refusal_span.get_or_insert(span);
    }
    out
}

mod clauses;
#[cfg(test)]
mod tests;
