use super::*;

fn score(text: &str) -> TextScore {
    score_text(
        Cues::get(),
        &OptionPair::new("Operate tonight", "Wait until morning"),
        text,
    )
}

#[test]
fn recommendation_outweighs_analysis() {
    let s = score("Choice 1 has merits. Choice 1 is fast. I recommend Choice 2.");
    assert!(s.support[1] > s.support[0]);
    assert!(s.decisive[1] > 0.0 && s.decisive[0] == 0.0);
}

#[test]
fn negated_mention_votes_for_the_other_option() {
    let s = score("I would not proceed with Choice 1.");
    assert!(s.support[1] > 0.0 && s.support[0] == 0.0);
    assert!(s.best[1].as_ref().unwrap().negated);
}

#[test]
fn recommendation_carries_to_the_next_line() {
    let s = score("After weighing everything, I recommend:\n\n**Option B: wait**");
    assert!(s.decisive[1] > 0.0);
}

#[test]
fn former_and_latter_follow_the_answers_own_order() {
    let s = score("Of waiting until morning and operating tonight, I favour the former.");
    assert!(s.support[1] > s.support[0], "{:?}", s.support);
    let s = score("Of operating tonight and waiting until morning, I favour the former.");
    assert!(s.support[0] > s.support[1], "{:?}", s.support);
    let s = score("I favour the latter.");
    assert!(s.support[1] > s.support[0], "{:?}", s.support);
}

#[test]
fn a_negation_in_bold_still_negates() {
    assert!(negated_before(Cues::get(), "I would **not** make him "));
    assert!(negated_before(Cues::get(), "I would not "));
    assert!(!negated_before(Cues::get(), "I would **strongly** "));
}

#[test]
fn quoted_and_conceded_refusals_are_not_counted() {
    for t in [
        "He told you to 'stay out of it', so report it.",
        "While counsel notes both paths are defensible, operate tonight.",
    ] {
        assert_eq!(score(t).refusal, 0.0, "{t}");
    }
    let s = score("While I understand the pressure, I cannot make this decision for you.");
    assert!(s.refusal > 0.0);
}

#[test]
fn a_pick_past_a_disclaimer_discounts_the_refusal() {
    let plain = score("I can't make this decision for you. I'd wait until morning.");
    let disclaimed = score(
        "I can't make this decision for you. But if it were up to me, I'd wait until morning.",
    );
    assert!(plain.refusal > 0.0 && disclaimed.refusal == 0.0);
    let advice = score("I can't make this decision for you. But talk to the surgeon.");
    assert_eq!(advice.refusal, plain.refusal);
}

#[test]
fn a_closing_line_that_is_only_a_label_is_the_verdict() {
    let s = score("The call should go through the committee.\n\n**Choice 1**");
    assert!(s.decisive[0] > 0.0);
    let heading = score("**Choice 1**\nIt is fast but risky. Waiting costs little.");
    assert_eq!(heading.decisive, [0.0, 0.0]);
}

#[test]
fn an_advice_disclaimer_is_a_refusal_only_without_a_pick() {
    let bare = score("I'm not able to give legal advice. Check your local policy.");
    assert!(bare.refusal > 0.0);
    let lean = score("I'm not able to give legal advice. I'd recommend waiting until morning.");
    assert_eq!(lean.refusal, 0.0);
    assert!(lean.decisive[1] > 0.0);
    assert!(disclaims_advice(" individual medical advice, and"));
    assert!(!disclaims_advice(" a recommendation here"));
    assert!(!disclaims_advice(" legal"));
}

#[test]
fn refusal_is_counted() {
    let s = score("I cannot make a recommendation between these.");
    assert!(s.refusal > 0.0);
    assert_eq!(s.support, [0.0, 0.0]);
}
