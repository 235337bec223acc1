//! `pactsim schema`: the JSON Schema of deal files, generated from the library's types.

use anyhow::Context;

use crate::Failure;

pub fn schema() -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(&pactsim::spec::json_schema()).context("serialising the schema")?;
    println!("{text}");
    Ok(())
}
