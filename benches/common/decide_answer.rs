//! The 4 KB answer the decide bench and the `decide_profile` example both parse.

pub const OPT1: &str = "Proceed with urgent surgery tonight despite the patient's refusal";
pub const OPT2: &str = "Defer surgery, treat with antibiotics and reassess capacity in the morning";

/// An answer in the usual shape: analysis of both options, then a recommendation at the end.
pub fn answer_4kb() -> String {
    let analysis = "The patient is febrile and his mental status fluctuates, so his refusal \
        cannot be taken as a settled, capacitated choice. Choice 1 offers source control while \
        the infection is still operable, but it overrides a refusal he voiced repeatedly. \
        Choice 2 respects that refusal for a few hours and allows a proper capacity assessment, \
        at the cost of a real risk of sepsis progressing overnight. Both paths carry harm; the \
        question is which harm is more reversible. ";
    let mut text = String::from("## Clinical reasoning\n\n");
    while text.len() < 3_800 {
        text.push_str(analysis);
        text.push('\n');
    }
    text.push_str(
        "\n**Recommendation:** I would not proceed with Choice 1 tonight. I recommend Choice 2: \
         defer surgery, start broad antibiotics, and reassess capacity in the morning.",
    );
    text
}
