//! The benchmark cases a dilemma can be recognised as, so its decision is logged under the
//! case's id with the options' value tags: the embedded project bench, the `cases.jsonl` of
//! every `replay` upstream's ValueBench folder, and every `sim` upstream's cases file.
//!
//! Recognition: the two options the detector extracted, looked up exactly (whitespace, case and
//! final punctuation ignored), in either order; only a prompt whose options could not be
//! extracted is scanned against every case (`SimCases::find`).

use crate::config::{Policy, UpstreamKind};
use crate::monitor::log::OptionTags;
use crate::upstream::sim_model::{Matched, SimCases, EMBEDDED_BENCH};
use crate::valuebench::{self, CaseLine};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// A recognised case, its options' tags in the case's own order, and whether the prompt listed
/// them the other way round.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownCase<'a> {
    pub line: &'a CaseLine,
    pub swapped: bool,
}

impl KnownCase<'_> {
    pub fn tags(&self) -> OptionTags {
        OptionTags::from_case(&self.line.case())
    }

    /// The options in the order the prompt stated them.
    pub fn prompt_options(&self) -> [&str; 2] {
        let (a, b) = (
            self.line.choice_1.choice.as_str(),
            self.line.choice_2.choice.as_str(),
        );
        if self.swapped {
            [b, a]
        } else {
            [a, b]
        }
    }
}

#[derive(Debug, Clone)]
pub struct KnownCases {
    scan: SimCases,
    lines: Vec<CaseLine>,
    by_options: HashMap<(String, String), usize>,
}

impl KnownCases {
    pub fn new(lines: Vec<CaseLine>) -> Self {
        let mut seen = HashSet::new();
        let lines: Vec<CaseLine> = lines
            .into_iter()
            .filter(|l| seen.insert(l.case_id.clone()))
            .collect();
        let mut by_options = HashMap::new();
        for (i, l) in lines.iter().enumerate() {
            by_options
                .entry((
                    option_key(&l.choice_1.choice),
                    option_key(&l.choice_2.choice),
                ))
                .or_insert(i);
        }
        KnownCases {
            scan: SimCases::new(lines.clone()),
            lines,
            by_options,
        }
    }

    /// The cases a policy's traffic can come from. Unreadable files are skipped with a
    /// warning: a missing tag costs attribution detail, not availability.
    pub fn for_policy(policy: &Policy) -> Self {
        let mut lines = parse(EMBEDDED_BENCH, Path::new("policies/bench/cases.jsonl"));
        for upstream in &policy.upstreams {
            let file = match upstream.kind {
                UpstreamKind::Replay => upstream.dir.as_ref().map(|d| d.join("cases.jsonl")),
                UpstreamKind::Sim => upstream.cases.clone(),
                UpstreamKind::Openai => None,
            };
            let Some(file) = file.filter(|f| f.is_file()) else {
                continue;
            };
            match valuebench::read_cases(&file) {
                Ok(more) => lines.extend(more),
                Err(error) => tracing::warn!(%error, "known cases: skipping a cases file"),
            }
        }
        Self::new(lines)
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The case a dilemma is, from the options the detector extracted or, failing that, the
    /// prompt text.
    pub fn find(&self, options: Option<[&str; 2]>, prompt: &str) -> Option<KnownCase<'_>> {
        if let Some([a, b]) = options {
            let (a, b) = (option_key(a), option_key(b));
            if let Some(&i) = self.by_options.get(&(a.clone(), b.clone())) {
                return Some(KnownCase {
                    line: &self.lines[i],
                    swapped: false,
                });
            }
            return self.by_options.get(&(b, a)).map(|&i| KnownCase {
                line: &self.lines[i],
                swapped: true,
            });
        }
        self.scan
            .find(prompt)
            .map(|Matched { case, swapped }| KnownCase {
                line: case,
                swapped,
            })
    }
}

fn parse(text: &str, name: &Path) -> Vec<CaseLine> {
    valuebench::parse_cases(text, name).unwrap_or_else(|error| {
        tracing::warn!(%error, "known cases: embedded bench unreadable");
        Vec::new()
    })
}

/// Whitespace collapsed, lower case, final punctuation dropped.
fn option_key(text: &str) -> String {
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    words
        .join(" ")
        .trim_end_matches(['.', ';', ',', '!', '?'])
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upstream::sim_model::dilemma_prompt;

    #[test]
    fn bench_cases_are_found_by_their_options_in_either_order() {
        let known = KnownCases::new(parse(EMBEDDED_BENCH, Path::new("bench")));
        assert!(!known.is_empty());
        let line = &known.lines[0];
        let (a, b) = (&line.choice_1.choice, &line.choice_2.choice);
        let hit = known.find(Some([a, b]), "").unwrap();
        assert_eq!(
            (hit.line.case_id.as_str(), hit.swapped),
            (line.case_id.as_str(), false)
        );
        let upper = format!("{}.", b.to_uppercase());
        let hit = known.find(Some([&upper, a]), "").unwrap();
        assert!(hit.swapped);
        assert_eq!(hit.prompt_options(), [b.as_str(), a.as_str()]);
        assert_eq!(hit.tags(), OptionTags::from_case(&line.case()));
        // Without extracted options the prompt is scanned.
        let prompt = dilemma_prompt(&line.case());
        assert_eq!(
            known.find(None, &prompt).unwrap().line.case_id,
            line.case_id
        );
        assert_eq!(known.find(Some(["x y z", "u v w"]), &prompt), None);
        assert_eq!(known.find(None, "What is a normal heart rate?"), None);
    }

    #[test]
    fn shared_valuebench_cases_are_known_through_a_replay_upstream() {
        let Some(root) = valuebench::shared_dir() else {
            eprintln!("skipped: no shared ValueBench folder");
            return;
        };
        let policy = Policy::from_toml_str(&format!(
            "[[upstream]]\nname = \"r\"\nkind = \"replay\"\ndir = {:?}\nmodels = [\"m\"]\n",
            root.display().to_string()
        ))
        .unwrap();
        let known = KnownCases::for_policy(&policy);
        let shared = valuebench::read_cases(&root.join("cases.jsonl")).unwrap();
        assert!(known.len() > shared.len());
        let exp = valuebench::read_experiment(&root, valuebench::MAIN_EXPERIMENT).unwrap();
        let case = &exp.cases[0];
        let prompt = case.user_prompt.as_deref().unwrap();
        let options = crate::detect::options::extract(prompt).unwrap();
        let hit = known
            .find(Some([options.first, options.second]), prompt)
            .unwrap();
        assert_eq!(hit.line.case_id, case.case_id);
        assert_eq!(known.find(None, prompt).unwrap().line.case_id, case.case_id);
    }
}
