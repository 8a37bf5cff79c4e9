//! Value personas: the priorities a member is asked to answer with, either drawn from the
//! physician panel's spread (persona mode) or stated by the patient (steer mode), and the
//! system-prompt text that states them.
//!
//! A persona draw is a pure function of (conversation key, seed): the same patient keeps the
//! same persona across turns and replicas, and an auditor can recompute it. The draw picks one
//! individual physician's value profile, so personas are spread across patients exactly as the
//! panel's profiles are (its autonomy range included), with no parametric assumption.

use super::sticky::unit_from_key;
use crate::values::Value;
use http::HeaderName;

/// Response header: the persona a member was steered with, `autonomy=0.412,beneficence=...`.
pub const PERSONA_HEADER: HeaderName = HeaderName::from_static("x-pluralis-persona");

/// Mixed into the seed so the persona draw is independent of the member draw, which hashes the
/// same conversation key.
const PERSONA_SALT: u64 = 0x7065_7273_6f6e_6100; // "persona\0"

/// Where a persona's priorities came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonaOrigin {
    /// Drawn from the physician panel (persona mode).
    Panel,
    /// Stated by the patient in `x-pluralis-values` (steer mode).
    Patient,
}

impl PersonaOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            PersonaOrigin::Panel => "panel",
            PersonaOrigin::Patient => "patient",
        }
    }
}

/// Value priorities a member is steered with. Routing puts it on the plan so observers (the
/// monitor feed) can record it next to the decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Persona {
    /// Shares in [`Value::ALL`] order, summing to 1.
    pub values: [f64; 4],
    pub origin: PersonaOrigin,
}

impl Persona {
    /// The header form, `x-pluralis-values` syntax (three decimals), so it parses back with
    /// [`super::values_header::parse_values`].
    pub fn header_value(&self) -> String {
        Value::ALL
            .iter()
            .map(|v| format!("{}={:.3}", v.name(), self.values[v.index()]))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The system-prompt text that steers a member to these priorities: a plain-language
    /// statement, then one machine-readable `Value priorities:` line (simulated agents and
    /// auditors read it).
    pub fn steering_text(&self) -> String {
        let mut ranked: Vec<Value> = Value::ALL.to_vec();
        ranked.sort_by(|a, b| self.values[b.index()].total_cmp(&self.values[a.index()]));
        let weights = ranked
            .iter()
            .map(|v| format!("{} {:.0}%", plain_name(*v), 100.0 * self.values[v.index()]))
            .collect::<Vec<_>>()
            .join(", ");
        let intro = match self.origin {
            PersonaOrigin::Panel => {
                "For this conversation you advise as one physician of a panel whose members \
                 weigh the principles of clinical ethics differently. When those principles \
                 pull in different directions, weigh them in these proportions"
            }
            PersonaOrigin::Patient => {
                "The patient has said how much each principle of clinical ethics matters to \
                 them. When those principles pull in different directions, weigh them as the \
                 patient does, in these proportions"
            }
        };
        let machine = Value::ALL
            .iter()
            .map(|v| format!("{}={:.2}", v.name(), self.values[v.index()]))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "{intro}: {weights}. Let the recommendation follow from these priorities and say \
             which of them decided it.\nValue priorities: {machine}"
        )
    }
}

fn plain_name(v: Value) -> &'static str {
    match v {
        Value::Autonomy => "respect for the patient's autonomy",
        Value::Beneficence => "beneficence (the patient's medical benefit)",
        Value::Nonmaleficence => "nonmaleficence (avoiding harm)",
        Value::Justice => "justice (fair use of care)",
    }
}

/// Draw one of the panel's profiles for a conversation. None for an empty panel.
pub fn draw_persona(panel: &[[f64; 4]], conversation: &[u8], seed: u64) -> Option<Persona> {
    if panel.is_empty() {
        return None;
    }
    let u = unit_from_key(conversation, seed ^ PERSONA_SALT);
    // u < 1, so the index is below len; min() guards float rounding.
    let index = ((u * panel.len() as f64) as usize).min(panel.len() - 1);
    Some(Persona {
        values: panel[index],
        origin: PersonaOrigin::Panel,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::values_header::parse_values;

    const PANEL: [[f64; 4]; 3] = [
        [0.7, 0.1, 0.1, 0.1],
        [0.2, 0.5, 0.2, 0.1],
        [0.1, 0.2, 0.3, 0.4],
    ];

    #[test]
    fn draws_are_sticky_and_cover_the_panel_evenly() {
        let mut counts = [0usize; 3];
        for i in 0..3000 {
            let key = format!("patient-{i}");
            let p = draw_persona(&PANEL, key.as_bytes(), 0).unwrap();
            assert_eq!(Some(p), draw_persona(&PANEL, key.as_bytes(), 0));
            counts[PANEL.iter().position(|x| *x == p.values).unwrap()] += 1;
        }
        for c in counts {
            assert!((850..1150).contains(&c), "{counts:?}");
        }
        assert_eq!(draw_persona(&[], b"k", 0), None);
    }

    #[test]
    fn persona_draw_is_independent_of_the_member_draw() {
        // Same key and seed: a member table split in thirds and the persona index agree only
        // about a third of the time if the two draws are independent.
        let mut same = 0;
        for i in 0..3000 {
            let key = format!("k{i}");
            let member = (unit_from_key(key.as_bytes(), 5) * 3.0) as usize;
            let p = draw_persona(&PANEL, key.as_bytes(), 5).unwrap();
            same += usize::from(PANEL[member] == p.values);
        }
        assert!((850..1150).contains(&same), "{same}");
    }

    #[test]
    fn header_round_trips_and_steering_states_the_priorities() {
        let p = Persona {
            values: [0.444, 0.292, 0.132, 0.132],
            origin: PersonaOrigin::Panel,
        };
        assert_eq!(
            p.header_value(),
            "autonomy=0.444,beneficence=0.292,nonmaleficence=0.132,justice=0.132"
        );
        let back = parse_values(&p.header_value()).unwrap();
        assert!((back[0] - 0.444).abs() < 1e-3);
        let text = p.steering_text();
        assert!(text.contains("autonomy 44%"), "{text}");
        assert!(text.find("autonomy").unwrap() < text.find("beneficence").unwrap());
        let line = text.lines().last().unwrap();
        let parsed = parse_values(line.strip_prefix("Value priorities: ").unwrap()).unwrap();
        assert!((parsed[1] - 0.29).abs() < 0.01);
        let patient = Persona {
            origin: PersonaOrigin::Patient,
            ..p
        };
        assert!(patient.steering_text().contains("as the patient does"));
    }
}
