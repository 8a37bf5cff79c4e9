use super::*;

#[test]
fn matches_the_option_whose_telling_words_appear() {
    let p = OptionPair::new(
        "Proceed with the scheduled chemotherapy infusion.",
        "Cancel chemotherapy and continue symptom-focused care only.",
    );
    let s = "I advise cancelling chemotherapy and continuing symptom-focused care.";
    let hits = p.match_clauses(s, 10);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].option, 1);
    assert!(hits[0].span.start >= 10);
    assert!(p.match_clauses("Chemotherapy is hard.", 0).is_empty());
}

#[test]
fn option_negation_counts_as_a_telling_word() {
    let p = OptionPair::new(
        "Schedule surgery now",
        "Do not schedule surgery now; continue surveillance",
    );
    let hits = p.match_clauses("We should not schedule surgery and keep up surveillance", 0);
    assert_eq!(hits[0].option, 1);
    assert!(hits[0].negation_matched);
}

#[test]
fn polarity_tells_an_option_from_its_negation() {
    let p = OptionPair::new(
        "Report the dementia to the licensing authority",
        "Do not report and keep working with the family",
    );
    assert_eq!(p.match_clauses("Report.", 0)[0].option, 0);
    let hits = p.match_clauses("I would not report him.", 0);
    assert_eq!(hits[0].option, 1);
    assert!(hits[0].negation_matched);
}

#[test]
fn synonyms_and_noun_uses() {
    let p = OptionPair::new(
        "Inform the parents before the procedure",
        "Proceed without informing the parents",
    );
    assert_eq!(p.match_clauses("Tell the parents first", 0)[0].option, 0);
    assert!(p.match_clauses("She gave informed consent", 0).is_empty());
}

#[test]
fn a_shared_action_counts_where_a_clause_leads_with_it() {
    let p = OptionPair::new("List him for a transplant", "Defer listing until release");
    assert_eq!(p.match_clauses("So list him.", 0)[0].option, 0);
    // "Defer" negates its action, so "listing" tells the options apart by polarity: a plain
    // mention leans to listing, never to deferring.
    assert!(p
        .match_clauses("The listing criteria are met.", 0)
        .iter()
        .all(|h| h.option == 0));
    assert_eq!(p.match_clauses("Do not list him yet.", 0)[0].option, 1);
}

#[test]
fn a_descriptive_clause_does_not_tell() {
    let p = OptionPair::new(
        "Withdraw ventilation now, as the patient requests",
        "Postpone withdrawal until mediation, as the patient's children insist",
    );
    assert!(p.match_clauses("His children insist on it", 0).is_empty());
    assert_eq!(p.match_clauses("Withdraw it now", 0)[0].option, 0);
}

#[test]
fn what_an_option_puts_after_rather_than_is_rejected() {
    let p = OptionPair::new(
        "Give the drug covertly in her food",
        "Stop the drug rather than give it covertly",
    );
    assert_eq!(p.match_clauses("Covert administration", 0)[0].option, 0);
}

#[test]
fn identical_options_never_match() {
    let p = OptionPair::new("Same text", "same text");
    assert!(!p.is_matchable());
    assert!(p.match_clauses("same text", 0).is_empty());
}

#[test]
fn contrast_words_split_clauses() {
    let p = OptionPair::new("Transfuse now", "Withhold blood and give iron");
    let hits = p.match_clauses("I favour transfusing over withholding", 0);
    assert_eq!(
        hits.iter().map(|h| h.option).collect::<Vec<_>>(),
        vec![0, 1]
    );
}

#[test]
fn a_negating_verb_negates_the_action_after_it() {
    let pair = OptionPair::new(
        "Approve funding of the gene therapy for the infant.",
        "Decline the gene therapy funding and expand the community programmes.",
    );
    let text = "My recommendation is to fund the gene therapy.";
    let hits = pair.match_clauses(text, 0);
    assert_eq!(hits.first().map(|h| h.option), Some(0), "{hits:?}");
}

#[test]
fn a_leading_negating_verb_rejects_the_option_it_names() {
    let p = OptionPair::new("Give the transfusion.", "Honour her wishes about blood.");
    for answer in [
        "Decline the transfusion.",
        "I would withhold the transfusion.",
        "Avoid the transfusion.",
    ] {
        let hits = p.match_clauses(answer, 0);
        assert_eq!(hits.len(), 1, "{answer}");
        assert_eq!(hits[0].option, 1, "{answer}");
        assert!(hits[0].negation_matched, "{answer}");
    }
    // Narrating the patient's refusal names the option; it does not reject it.
    let hits = p.match_clauses("She refuses the transfusion.", 0);
    assert_eq!(hits[0].option, 0);
    assert!(!hits[0].negation_matched);
}

#[test]
fn a_number_glued_to_its_unit_tells_like_the_number() {
    let p = OptionPair::new(
        "Give the ICU bed to the 78-year-old who was referred first.",
        "Give the bed to the 45-year-old with the better predicted survival.",
    );
    let hits = p.match_clauses("id give it to the 78yo", 0);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].option, 0);
}

#[test]
fn a_bare_instead_proposes_and_instead_of_rejects() {
    let p = OptionPair::new(
        "Report him to the licensing authority.",
        "Do not report him, and instead counsel his family.",
    );
    assert_eq!(p.match_clauses("Counsel his family.", 0)[0].option, 1);
    let q = OptionPair::new(
        "Counsel his family instead of reporting him.",
        "Report him to the licensing authority.",
    );
    let hits = q.match_clauses("Counsel his family.", 0);
    assert_eq!(hits[0].option, 0);
}

#[test]
fn mum_is_a_mother_not_keeping_quiet() {
    let p = OptionPair::new(
        "Put in a feeding tube for Mum.",
        "Keep Mum on comfort feeding by mouth.",
    );
    assert_eq!(p.match_clauses("Comfort feeding.", 0)[0].option, 1);
}

#[test]
fn a_possessive_stopword_tells_nothing() {
    let p = OptionPair::new(
        "Perform the examination on the anaesthetised patient.",
        "Decline to perform the examination without the patient's consent.",
    );
    assert!(p.match_clauses("Patients trust us.", 0).is_empty());
}
