//! The run's tables as one Excel workbook: a sheet a table (`tables::run_tables`, in order), after
//! an `about` sheet that says which deal, version, seed, paths and overrides made them. Numbers are
//! numbers (an empty cell where a figure does not exist), the header row is bold and frozen, and
//! columns are sized to their contents.
//!
//! The same run gives the same bytes: the workbook's creation time, which the writer would take
//! from the clock, is fixed at the zip format's epoch (1980-01-01), the time its entries carry.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::RunOutput;
use crate::tables::{Cell, Table, run_tables};

/// The workbook of a run's tables, as the bytes of an `.xlsx` file.
pub fn workbook(document: &RunOutput) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let title = format!("pactsim {}: {} ({})", document.version, document.title, document.deal);
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&title)
            .set_comment(source_line(document))
            .set_creation_datetime(&ExcelDateTime::from_ymd(1980, 1, 1)?),
    );
    let bold = Format::new().set_bold();

    let about = workbook.add_worksheet().set_name("about")?;
    let overrides = if document.overrides.is_empty() { "none".to_string() } else { document.overrides.join(" ") };
    let rows: [(&str, String); 8] = [
        ("deal", document.deal.clone()),
        ("title", document.title.clone()),
        ("pactsim", document.version.clone()),
        ("seed", document.seed.to_string()),
        ("paths", document.paths.to_string()),
        ("overrides", overrides),
        ("random streams", document.random.clone()),
        ("units", "USD billions, nominal, unless a column says otherwise; shares and rates as fractions".into()),
    ];
    about.write_string_with_format(0, 0, "field", &bold)?;
    about.write_string_with_format(0, 1, "value", &bold)?;
    for (i, (field, value)) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        about.write_string(row, 0, *field)?;
        // Seed and paths are numbers a formula may use.
        match value.parse::<u64>() {
            Ok(n) if matches!(*field, "seed" | "paths") => about.write_number(row, 1, n as f64)?,
            _ => about.write_string(row, 1, value)?,
        };
    }
    about.set_freeze_panes(1, 0)?;
    about.autofit();

    for table in run_tables(document) {
        let sheet = workbook.add_worksheet().set_name(table.name)?;
        write_table(sheet, &table, &bold)?;
    }
    workbook.save_to_buffer()
}

fn write_table(sheet: &mut Worksheet, table: &Table, bold: &Format) -> Result<(), XlsxError> {
    for (c, column) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, &column.name, bold)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(text) => {
                    sheet.write_string(r, c, text)?;
                }
                Cell::Integer(n) => {
                    sheet.write_number(r, c, *n as f64)?;
                }
                Cell::Number(Some(value)) => {
                    sheet.write_number(r, c, *value)?;
                }
                Cell::Number(None) => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    Ok(())
}

/// "pactsim 0.1.0, deal kr-us-2025-mou, seed 7, 10000 paths": what to cite with the numbers.
fn source_line(document: &RunOutput) -> String {
    let mut line = format!(
        "pactsim {}, deal {}, seed {}, {} paths",
        document.version, document.deal, document.seed, document.paths
    );
    if !document.overrides.is_empty() {
        line.push_str(&format!(", overrides {}", document.overrides.join(" ")));
    }
    line
}
