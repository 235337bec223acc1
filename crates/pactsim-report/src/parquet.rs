//! The run's tables as Parquet, one file a table (`tables::run_tables`): text columns as UTF-8
//! strings, years as 64-bit integers, figures as nullable doubles (null where a figure does not
//! exist). Each file's key-value metadata names the pactsim version, deal, seed, paths and
//! overrides that made it. Uncompressed: the tables are small, and every reader opens them
//! (pandas, polars, DuckDB, R's arrow).

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::errors::ParquetError;

use crate::RunOutput;
use crate::tables::{Cell, Kind, Table, run_tables};

/// Every table of a run as a Parquet file, by file name, in the order of `run_tables`.
pub fn run_parquet_files(document: &RunOutput) -> Result<Vec<(String, Vec<u8>)>, ParquetError> {
    run_tables(document)
        .iter()
        .map(|table| Ok((format!("{}.parquet", table.name), parquet_bytes(document, table)?)))
        .collect()
}

/// One table as the bytes of a Parquet file.
pub fn parquet_bytes(document: &RunOutput, table: &Table) -> Result<Vec<u8>, ParquetError> {
    let fields: Vec<Field> = table
        .columns
        .iter()
        .map(|column| match column.kind {
            Kind::Text => Field::new(&column.name, DataType::Utf8, false),
            Kind::Integer => Field::new(&column.name, DataType::Int64, false),
            Kind::Number => Field::new(&column.name, DataType::Float64, true),
        })
        .collect();
    let metadata: std::collections::HashMap<String, String> = [
        ("pactsim.version", document.version.clone()),
        ("pactsim.deal", document.deal.clone()),
        ("pactsim.seed", document.seed.to_string()),
        ("pactsim.paths", document.paths.to_string()),
        ("pactsim.overrides", document.overrides.join(" ")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let schema = Arc::new(Schema::new_with_metadata(fields, metadata));
    let arrays: Vec<ArrayRef> = table
        .columns
        .iter()
        .enumerate()
        .map(|(c, column)| -> ArrayRef {
            let cells = table.rows.iter().map(|row| &row[c]);
            match column.kind {
                Kind::Text => Arc::new(StringArray::from_iter_values(cells.map(|cell| match cell {
                    Cell::Text(text) => text.as_str(),
                    _ => "",
                }))),
                Kind::Integer => Arc::new(Int64Array::from_iter_values(cells.map(|cell| match cell {
                    Cell::Integer(n) => *n,
                    _ => 0,
                }))),
                Kind::Number => Arc::new(Float64Array::from_iter(cells.map(|cell| match cell {
                    Cell::Number(value) => *value,
                    _ => None,
                }))),
            }
        })
        .collect();
    let batch = RecordBatch::try_new(schema.clone(), arrays)?;
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, schema, None)?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(bytes)
}
