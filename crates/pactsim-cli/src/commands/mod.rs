//! One module per subcommand.

pub mod analysis;
pub mod bench;
pub mod calibrate;
pub mod check;
pub mod compare;
pub mod data;
pub mod figures;
pub mod frontier;
pub mod report;
pub mod run;
pub mod schema;
pub mod sensitivity;
pub mod serve;
pub mod trade;
