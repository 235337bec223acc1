//! One module per subcommand.

pub mod bench;
pub mod calibrate;
pub mod check;
pub mod data;
pub mod figures;
pub mod report;
pub mod run;
pub mod schema;
pub mod trade;
