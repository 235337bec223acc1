//! Exchange-rate models already fitted, kept by the caller that reads many variants of one deal
//! (an analysis's runs), so each distinct fit is made once.
//!
//! A fit depends only on the pair's embedded history, the model and the calibration window, so
//! those are the key; what validation does with the model afterwards (the deal's calendar, the
//! observations paths start from) is done for each deal as before. A GARCH(1,1)-t fit of the Korea
//! files' 26-year window is most of the time it takes to read one (docs/design.md).

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use pactsim_fx::{FxError, FxModel, FxModelKind};

/// What decides a fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FitKey {
    pair: &'static str,
    kind: FxModelKind,
    from: NaiveDate,
    to: NaiveDate,
}

/// Fitted models by pair, model and window; clones share one store. `FxFits::default()` is empty.
#[derive(Debug, Clone, Default)]
pub struct FxFits {
    fitted: Arc<Mutex<Vec<(FitKey, FxModel)>>>,
}

impl FxFits {
    /// The model fitted to `pair`'s history from `from` to `to`, fitted by `fit` the first time.
    /// A fit that fails is not kept (it is reported as bad input anyway).
    pub(super) fn fit(
        &self,
        pair: &'static str,
        kind: FxModelKind,
        (from, to): (NaiveDate, NaiveDate),
        fit: impl FnOnce() -> Result<FxModel, FxError>,
    ) -> Result<FxModel, FxError> {
        let key = FitKey { pair, kind, from, to };
        let known = |fitted: &Vec<(FitKey, FxModel)>| fitted.iter().find(|(k, _)| *k == key).map(|(_, m)| m.clone());
        if let Some(model) = known(&self.fitted.lock().expect("no thread panicked holding it")) {
            return Ok(model);
        }
        let model = fit()?;
        self.fitted.lock().expect("no thread panicked holding it").push((key, model.clone()));
        Ok(model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Override, parse_deal_reusing, parse_deal_with};

    const MOU: &str = include_str!("../../../../deals/kr-us-2025-mou.toml");

    #[test]
    fn a_reused_fit_gives_the_deal_a_fresh_fit_gives() {
        let fits = FxFits::default();
        let cap = [Override::set("facility.strategic.annual_cap_usd_bn", "25")];
        let first = parse_deal_reusing(MOU, &[], &fits).unwrap();
        let again = parse_deal_reusing(MOU, &cap, &fits).unwrap();
        assert_eq!(fits.fitted.lock().unwrap().len(), 1, "the second read reuses the fit");
        assert_eq!(first, parse_deal_with(MOU, &[]).unwrap());
        assert_eq!(again, parse_deal_with(MOU, &cap).unwrap());
        // Another window or model is another fit.
        let gbm = [Override::set("fx.model", "gbm")];
        assert_eq!(parse_deal_reusing(MOU, &gbm, &fits).unwrap(), parse_deal_with(MOU, &gbm).unwrap());
        let window = [Override::set("fx.calibrate", "{ from = 2005-01-01, to = 2025-10-31 }")];
        assert_eq!(parse_deal_reusing(MOU, &window, &fits).unwrap(), parse_deal_with(MOU, &window).unwrap());
        assert_eq!(fits.fitted.lock().unwrap().len(), 3);
    }
}
