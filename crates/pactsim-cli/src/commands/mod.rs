//! One module per subcommand.

pub mod check;
pub mod figures;
pub mod run;
pub mod schema;
pub mod trade;
