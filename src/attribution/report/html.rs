//! Self-contained HTML report (filled in below).

use crate::attribution::Audit;

pub fn to_html(audit: &Audit) -> String {
    format!(
        "<!doctype html><title>pluralis audit</title><p>{} cases</p>",
        audit.cases
    )
}
