//! The patient's stated values for steer mode: the `x-pluralis-values` header
//! (`autonomy=0.6,beneficence=0.2,nonmaleficence=0.1,justice=0.1`), parsed into a value
//! distribution, and the member whose value profile is closest to it (Jensen-Shannon).
//!
//! The header is outside text: the parser is bounded (length, entries), never panics, and
//! rejects anything it does not fully understand rather than guessing.

use crate::attribution::jsd;
use crate::values::Value;

/// Request header carrying the patient's stated values.
pub const VALUES_HEADER: &str = "x-pluralis-values";
/// Longest accepted header value, in bytes.
pub const MAX_VALUES_HEADER_BYTES: usize = 256;

/// Why a values header was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValuesError {
    #[error("longer than {MAX_VALUES_HEADER_BYTES} bytes")]
    TooLong,
    #[error("entry `{0}` is not `value=number`")]
    Malformed(String),
    #[error("`{0}` is not a value (autonomy, beneficence, nonmaleficence, justice)")]
    UnknownValue(String),
    #[error("`{0}` is given twice")]
    Repeated(String),
    #[error("weight of `{0}` must be a finite number >= 0")]
    BadWeight(String),
    #[error("no positive weight")]
    AllZero,
}

/// Parse `name=weight` pairs separated by commas (spaces allowed, names case-insensitive).
/// Values not named weigh 0. Returns the weights normalised to sum to 1, in [`Value::ALL`] order.
pub fn parse_values(header: &str) -> Result<[f64; 4], ValuesError> {
    if header.len() > MAX_VALUES_HEADER_BYTES {
        return Err(ValuesError::TooLong);
    }
    let mut weights = [0.0; 4];
    let mut seen = [false; 4];
    for entry in header.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (name, number) = entry
            .split_once('=')
            .ok_or_else(|| ValuesError::Malformed(entry.to_owned()))?;
        let name = name.trim().to_ascii_lowercase();
        let value =
            Value::from_name(&name).ok_or_else(|| ValuesError::UnknownValue(name.clone()))?;
        let weight: f64 = number
            .trim()
            .parse()
            .map_err(|_| ValuesError::BadWeight(name.clone()))?;
        if !weight.is_finite() || weight < 0.0 {
            return Err(ValuesError::BadWeight(name));
        }
        if std::mem::replace(&mut seen[value.index()], true) {
            return Err(ValuesError::Repeated(name));
        }
        weights[value.index()] = weight;
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 || !total.is_finite() {
        return Err(ValuesError::AllZero);
    }
    Ok(weights.map(|w| w / total))
}

/// Index of the profile closest to `stated` by Jensen-Shannon divergence (first on ties), and
/// that divergence; None when there is no profile.
pub fn closest_profile(stated: &[f64; 4], profiles: &[[f64; 4]]) -> Option<(usize, f64)> {
    profiles
        .iter()
        .enumerate()
        .map(|(i, p)| (i, jsd(stated, p)))
        .fold(None, |best: Option<(usize, f64)>, x| match best {
            Some(b) if b.1 <= x.1 => Some(b),
            _ => Some(x),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_normalises() {
        let w =
            parse_values("autonomy=0.6, beneficence=0.2,nonmaleficence=0.1,justice=0.1").unwrap();
        assert!((w[0] - 0.6).abs() < 1e-12 && (w[3] - 0.1).abs() < 1e-12);
        assert_eq!(parse_values("Autonomy = 3").unwrap(), [1.0, 0.0, 0.0, 0.0]);
        assert_eq!(
            parse_values("justice=1,autonomy=1,").unwrap(),
            [0.5, 0.0, 0.0, 0.5]
        );
    }

    #[test]
    fn rejects_what_it_does_not_understand() {
        use ValuesError::*;
        assert_eq!(parse_values(""), Err(AllZero));
        assert_eq!(parse_values("autonomy=0"), Err(AllZero));
        assert_eq!(parse_values("autonomy"), Err(Malformed("autonomy".into())));
        assert_eq!(parse_values("greed=1"), Err(UnknownValue("greed".into())));
        assert_eq!(
            parse_values("autonomy=1,autonomy=2"),
            Err(Repeated("autonomy".into()))
        );
        assert_eq!(
            parse_values("autonomy=-1"),
            Err(BadWeight("autonomy".into()))
        );
        assert_eq!(
            parse_values("autonomy=NaN"),
            Err(BadWeight("autonomy".into()))
        );
        assert_eq!(
            parse_values("autonomy=inf"),
            Err(BadWeight("autonomy".into()))
        );
        assert_eq!(parse_values(&"a".repeat(300)), Err(TooLong));
    }

    #[test]
    fn closest_profile_picks_the_nearest() {
        let stated = [0.6, 0.2, 0.1, 0.1];
        let profiles = [[0.1, 0.4, 0.4, 0.1], [0.5, 0.2, 0.2, 0.1], [0.25; 4]];
        assert_eq!(closest_profile(&stated, &profiles).unwrap().0, 1);
        assert_eq!(closest_profile(&stated, &[]), None);
    }

    proptest! {
        #[test]
        fn never_panics_and_valid_output_is_a_distribution(s in ".{0,300}") {
            if let Ok(w) = parse_values(&s) {
                prop_assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-9);
                prop_assert!(w.iter().all(|x| (0.0..=1.0).contains(x)));
            }
        }

        #[test]
        fn round_trips_well_formed_headers(w in prop::array::uniform4(0.0f64..10.0)) {
            prop_assume!(w.iter().sum::<f64>() > 1e-3);
            let header = Value::ALL
                .iter()
                .map(|v| format!("{}={}", v.name(), w[v.index()]))
                .collect::<Vec<_>>()
                .join(",");
            let parsed = parse_values(&header).unwrap();
            let total: f64 = w.iter().sum();
            for i in 0..4 {
                prop_assert!((parsed[i] - w[i] / total).abs() < 1e-9);
            }
        }
    }
}
