//! The Overton answer, as pure functions: each consulted member's answer parsed into a
//! decision (which stated option it recommends, which values it names), grouped by
//! recommendation, and written up as one answer that presents every distinct recommendation
//! with the values behind it and says that reasonable physicians differ. Members that did not
//! answer are listed by name. No I/O here; [`super::overton`] gathers the answers.

use crate::decide::{Decider, OptionPair};
use crate::values::{Choice, Value};
use serde_json::{json, Value as Json};

/// One consulted member's answer, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberOutcome {
    /// The member as the policy writes it.
    pub member: String,
    pub result: Result<MemberAnswer, Unavailable>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberAnswer {
    pub content: String,
    /// A separate reasoning field, when the provider sends one.
    pub reasoning: Option<String>,
    pub usage: Option<Json>,
}

/// Why a member has no answer in the Overton reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// No answer within the ensemble's `overton_deadline_ms`.
    TimedOut,
    /// The upstream failed (after its retries and fallbacks) or sent no usable answer.
    Failed,
}

impl Unavailable {
    pub fn as_str(self) -> &'static str {
        match self {
            Unavailable::TimedOut => "timed_out",
            Unavailable::Failed => "failed",
        }
    }
}

/// The text and the audit record of an Overton reply.
#[derive(Debug, Clone, PartialEq)]
pub struct OvertonReply {
    pub content: String,
    /// Per member: status, parsed choice and values named (no answer text), for the
    /// `pluralis_overton` field of the response.
    pub record: Json,
    /// Members without an answer, in consultation order.
    pub unavailable: Vec<String>,
    /// Token usage summed over the answers that reported it.
    pub usage: Option<Json>,
}

/// A recommendation and the members who made it.
struct Group<'a> {
    choice: Option<Choice>,
    members: Vec<&'a str>,
    values: Vec<Value>,
    /// The first answer in consultation order, shown in full.
    answer: &'a str,
}

/// Compose the reply. `options` are the two options the request states (None: answers cannot
/// be compared by option, so each is shown as its own perspective).
pub fn compose(
    options: Option<(&str, &str)>,
    outcomes: &[MemberOutcome],
    deadline_ms: u64,
) -> OvertonReply {
    let decider = Decider::new();
    let pair = options.map(|(a, b)| OptionPair::new(a, b));
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut members_record = Vec::new();
    let mut unavailable = Vec::new();
    for outcome in outcomes {
        let answer = match &outcome.result {
            Ok(answer) => answer,
            Err(why) => {
                unavailable.push((outcome.member.clone(), *why));
                members_record.push(json!({"member": outcome.member, "status": why.as_str()}));
                continue;
            }
        };
        let (choice, values) = match &pair {
            Some(pair) => {
                let d = decider.decide_prepared(pair, &answer.content, answer.reasoning.as_deref());
                (Some(d.choice), d.values)
            }
            None => (
                None,
                crate::decide::discussion::values_discussed(&answer.content),
            ),
        };
        members_record.push(json!({
            "member": outcome.member,
            "status": "answered",
            "choice": choice.map(|c| c.as_str()),
            "values": values.iter().map(|v| v.name()).collect::<Vec<_>>(),
        }));
        match groups
            .iter_mut()
            .find(|g| choice.is_some() && g.choice == choice)
        {
            Some(g) => {
                g.members.push(&outcome.member);
                for v in values {
                    if !g.values.contains(&v) {
                        g.values.push(v);
                    }
                }
            }
            None => groups.push(Group {
                choice,
                members: vec![&outcome.member],
                values,
                answer: &answer.content,
            }),
        }
    }
    // Option 1, option 2, then no clear recommendation; unparsed perspectives keep their order.
    groups.sort_by_key(|g| match g.choice {
        Some(Choice::Choice1) => 0,
        Some(Choice::Choice2) => 1,
        Some(Choice::Refusal) => 2,
        None => 3,
    });
    let content = write_up(options, &groups, &unavailable, deadline_ms);
    OvertonReply {
        content,
        record: json!({
            "options_stated": options.is_some(),
            "deadline_ms": deadline_ms,
            "members": members_record,
        }),
        unavailable: unavailable.into_iter().map(|(m, _)| m).collect(),
        usage: sum_usage(outcomes),
    }
}

fn write_up(
    options: Option<(&str, &str)>,
    groups: &[Group<'_>],
    unavailable: &[(String, Unavailable)],
    deadline_ms: u64,
) -> String {
    let answered: usize = groups.iter().map(|g| g.members.len()).sum();
    let distinct = groups
        .iter()
        .filter(|g| g.choice != Some(Choice::Refusal))
        .count();
    let mut out = String::new();
    out.push_str(&format!(
        "This is a decision on which reasonable physicians differ: weighing the same facts, \
         careful clinicians can recommend different courses because they give different weight \
         to the patient's wishes, to benefit, to avoiding harm and to fairness. {answered} \
         independent clinical advisers were consulted. "
    ));
    out.push_str(if options.is_some() && distinct > 1 {
        "Their recommendations differ; each is set out below with the values behind it.\n"
    } else if options.is_some() {
        "They reached the same recommendation this time, set out below with the values behind \
         it; other physicians could still weigh the case differently.\n"
    } else {
        "Their perspectives are set out below with the values each one weighs.\n"
    });
    for g in groups {
        out.push_str("\n## ");
        out.push_str(&heading(options, g.choice));
        out.push_str(&format!(
            "\nRecommended by: {} ({} of {answered})\n",
            g.members.join(", "),
            g.members.len()
        ));
        out.push_str("Values weighed: ");
        if g.values.is_empty() {
            out.push_str("none named explicitly");
        } else {
            let names: Vec<&str> = g.values.iter().map(|v| v.name()).collect();
            out.push_str(&names.join(", "));
        }
        out.push_str("\n\n");
        out.push_str(g.answer.trim());
        out.push('\n');
    }
    if !unavailable.is_empty() {
        out.push_str("\n## Unavailable\n");
        for (member, why) in unavailable {
            let reason = match why {
                Unavailable::TimedOut => format!("no answer within {deadline_ms} ms"),
                Unavailable::Failed => "could not answer".to_owned(),
            };
            out.push_str(&format!("- {member}: {reason}\n"));
        }
    }
    out.push_str(
        "\nWhich course is right depends on which of these values matters most to the patient; \
         it is a choice to make with the care team, not one an adviser can settle alone.\n",
    );
    out
}

fn heading(options: Option<(&str, &str)>, choice: Option<Choice>) -> String {
    match (options, choice) {
        (Some((a, _)), Some(Choice::Choice1)) => format!("Recommendation: {}", a.trim()),
        (Some((_, b)), Some(Choice::Choice2)) => format!("Recommendation: {}", b.trim()),
        (_, Some(Choice::Refusal)) => "No single recommendation".to_owned(),
        _ => "Perspective".to_owned(),
    }
}

/// Sum of `prompt_tokens`, `completion_tokens` and `total_tokens` over answers reporting usage.
fn sum_usage(outcomes: &[MemberOutcome]) -> Option<Json> {
    let usages: Vec<&Json> = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok()?.usage.as_ref())
        .collect();
    if usages.is_empty() {
        return None;
    }
    let total = |field: &str| -> u64 {
        usages
            .iter()
            .filter_map(|u| u.get(field).and_then(Json::as_u64))
            .sum()
    };
    Some(json!({
        "prompt_tokens": total("prompt_tokens"),
        "completion_tokens": total("completion_tokens"),
        "total_tokens": total("total_tokens"),
    }))
}

/// The answer text of a non-streamed chat completion: `choices[0].message.content`, and its
/// `reasoning_content` or `reasoning` when present. None when there is no text content.
pub fn answer_from_completion(body: &[u8]) -> Option<MemberAnswer> {
    let json: Json = serde_json::from_slice(body).ok()?;
    let message = json.get("choices")?.get(0)?.get("message")?;
    let content = message.get("content")?.as_str()?.to_owned();
    let reasoning = ["reasoning_content", "reasoning"]
        .iter()
        .find_map(|k| message.get(*k).and_then(Json::as_str))
        .map(str::to_owned);
    Some(MemberAnswer {
        content,
        reasoning,
        usage: json.get("usage").cloned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn answered(member: &str, text: &str) -> MemberOutcome {
        MemberOutcome {
            member: member.into(),
            result: Ok(MemberAnswer {
                content: text.into(),
                reasoning: None,
                usage: Some(
                    json!({"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}),
                ),
            }),
        }
    }

    const OPTIONS: (&str, &str) = ("Operate now", "Respect the refusal and wait");

    #[test]
    fn presents_each_distinct_recommendation_with_its_values() {
        let outcomes = [
            answered(
                "a/x",
                "I recommend Choice 1. Beneficence outweighs the risk of harm here.",
            ),
            answered(
                "b/y",
                "I recommend Choice 2: the patient's autonomy must be respected.",
            ),
            answered(
                "c/z",
                "Choice 1 is the better course; it serves the patient's benefit.",
            ),
            MemberOutcome {
                member: "d/w".into(),
                result: Err(Unavailable::TimedOut),
            },
        ];
        let reply = compose(Some(OPTIONS), &outcomes, 1500);
        let text = &reply.content;
        assert!(text.contains("reasonable physicians differ"), "{text}");
        let first = text.find("Recommendation: Operate now").unwrap();
        let second = text
            .find("Recommendation: Respect the refusal and wait")
            .unwrap();
        assert!(first < second);
        assert!(text.contains("Recommended by: a/x, c/z (2 of 3)"), "{text}");
        assert!(text.contains("Recommended by: b/y (1 of 3)"), "{text}");
        assert!(text[second..].contains("autonomy"));
        assert!(text.contains("- d/w: no answer within 1500 ms"), "{text}");
        assert_eq!(reply.unavailable, vec!["d/w".to_owned()]);
        assert_eq!(reply.usage.unwrap()["total_tokens"], 45);
        assert_eq!(reply.record["members"][1]["choice"], "choice_2");
        assert_eq!(reply.record["members"][3]["status"], "timed_out");
        assert!(
            !reply.record.to_string().contains("patient's autonomy"),
            "no answer text in the record"
        );
    }

    #[test]
    fn without_stated_options_each_answer_is_a_perspective() {
        let outcomes = [
            answered("a/x", "Talk to her first."),
            answered("b/y", "Wait."),
        ];
        let reply = compose(None, &outcomes, 100);
        assert_eq!(reply.content.matches("## Perspective").count(), 2);
        assert!(reply.content.contains("Talk to her first.") && reply.content.contains("Wait."));
    }

    #[test]
    fn unanimous_answers_still_say_physicians_differ() {
        let outcomes = [
            answered("a/x", "I recommend Choice 1."),
            answered("b/y", "Choice 1 is best."),
        ];
        let reply = compose(Some(OPTIONS), &outcomes, 100);
        assert!(reply.content.contains("same recommendation"));
        assert!(reply.content.contains("reasonable physicians differ"));
        assert_eq!(reply.content.matches("## Recommendation").count(), 1);
    }

    #[test]
    fn reads_completion_answers() {
        let body = br#"{"choices":[{"message":{"role":"assistant","content":"Hi","reasoning_content":"R"}}],"usage":{"total_tokens":3}}"#;
        let a = answer_from_completion(body).unwrap();
        assert_eq!(
            (a.content.as_str(), a.reasoning.as_deref()),
            ("Hi", Some("R"))
        );
        assert!(answer_from_completion(br#"{"choices":[]}"#).is_none());
        assert!(answer_from_completion(b"not json").is_none());
    }

    proptest! {
        #[test]
        fn never_panics_on_any_answer(body in ".{0,300}", text in ".{0,300}") {
            let _ = answer_from_completion(body.as_bytes());
            let reply = compose(Some(OPTIONS), &[answered("m", &text)], 1);
            prop_assert!(reply.content.contains("reasonable physicians differ"));
        }
    }
}
