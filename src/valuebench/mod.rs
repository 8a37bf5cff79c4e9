//! Reader for ValueBench-format folders (`cases.jsonl`, `llm_decisions/<experiment>/<case>.json`,
//! `human_decisions/<case>.json`). The same code reads a ValueBench checkout's `data/` folder.
//!
//! This is I/O only: it turns files into plain data that the attribution, parsing, replay and
//! calibration stages consume.

mod model;
mod reader;

pub use model::*;
pub use reader::*;
