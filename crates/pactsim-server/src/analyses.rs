//! Analyses as jobs: `POST /v1/analyses/{compare,sensitivity,frontier}`.

use axum::Router;

use crate::App;

pub fn routes() -> Router<App> {
    Router::new()
}
