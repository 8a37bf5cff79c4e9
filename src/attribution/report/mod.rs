//! Renderings of an [`Audit`](super::Audit): text table, JSON (the documented shape), CSV and a
//! self-contained HTML page. Pure string building; the CLI writes them out.

mod csv;
mod html;
mod json;
mod svg;
mod table;

pub use csv::to_csv;
pub use html::to_html;
pub use json::to_json;
pub use table::to_table;

use crate::values::Value;

/// Short column labels in [`Value::ALL`] order.
pub(crate) fn value_names() -> [&'static str; 4] {
    Value::ALL.map(Value::name)
}
