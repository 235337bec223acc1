//! The figures an analysis reads, as the run output names them, and where a path reports each.

use pactsim_model::deal::Deal;
use pactsim_montecarlo::stats::Stat;
use pactsim_montecarlo::{CurrencyFigure, Layout, Summary, Total};

use crate::Error;

/// A figure every path reports: one of the run totals, or one of the currency's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    Total(Total),
    Currency(CurrencyFigure),
}

impl Figure {
    /// Every figure an analysis can read, in the run output's order. A share (`recouped_share`,
    /// `breach_probability`, …) is the mean of a figure that is 1 or 0 on each path.
    pub const ALL: [Figure; 21] = [
        Figure::Total(Total::InvestorPaid),
        Figure::Total(Total::InvestorReceived),
        Figure::Total(Total::InvestorNpv),
        Figure::Total(Total::InvestorIrr),
        Figure::Total(Total::InvestorMoic),
        Figure::Total(Total::HostReceived),
        Figure::Total(Total::HostTax),
        Figure::Total(Total::HostNpv),
        Figure::Total(Total::Recouped),
        Figure::Total(Total::RecoupYear),
        Figure::Total(Total::GuaranteeCalls),
        Figure::Total(Total::Losses),
        Figure::Total(Total::TariffReliefNpv),
        Figure::Total(Total::DealNpv),
        Figure::Total(Total::Defaults),
        Figure::Total(Total::Declines),
        Figure::Total(Total::Snapback),
        Figure::Currency(CurrencyFigure::Breach),
        Figure::Currency(CurrencyFigure::DeferralRequests),
        Figure::Currency(CurrencyFigure::DeferralsGranted),
        Figure::Currency(CurrencyFigure::SwapPeak),
    ];

    /// The name the run output gives it (`totals.NAME`, or `reserves.NAME` for the currency's).
    pub fn name(self) -> &'static str {
        match self {
            Figure::Total(Total::Recouped) => "recouped_share",
            Figure::Total(Total::Snapback) => "snapback_share",
            Figure::Total(total) => total.name(),
            Figure::Currency(CurrencyFigure::Breach) => "breach_probability",
            Figure::Currency(figure) => figure.name(),
        }
    }

    /// Whether the run output of `deal` has the figure: the trade figures need `[trade]`, the
    /// currency's need `[reserves]`, the breach probability the ARA inputs.
    pub fn exists_in(self, deal: &Deal) -> bool {
        let reserves = deal.currency.as_ref().and_then(|c| c.reserves.as_ref());
        match self {
            Figure::Total(Total::TariffReliefNpv | Total::DealNpv) => !deal.trade.is_empty(),
            Figure::Total(_) => true,
            Figure::Currency(CurrencyFigure::Breach) => reserves.is_some_and(|r| r.ara.is_some()),
            Figure::Currency(_) => reserves.is_some(),
        }
    }

    /// Whether it may not exist on some paths (an IRR with no sign change, a recoup that never
    /// happens): a paired difference is then over the paths where both exist.
    pub fn may_be_undefined(self) -> bool {
        matches!(self, Figure::Total(Total::InvestorIrr | Total::InvestorMoic | Total::RecoupYear))
    }

    /// Where a path reports it (within the figures a path sink receives).
    pub(crate) fn index(self, layout: &Layout) -> usize {
        match self {
            Figure::Total(total) => layout.total(total),
            Figure::Currency(figure) => layout.currency(figure),
        }
    }

    /// Its Stat across the paths of a run.
    pub fn stat(self, summary: &Summary) -> Stat {
        summary.stat(self.index(&summary.layout))
    }

    /// The figures of `deal`'s run output, in order.
    pub fn all_in(deal: &Deal) -> Vec<Figure> {
        Figure::ALL.into_iter().filter(|f| f.exists_in(deal)).collect()
    }

    /// The figure an analysis reads by default: `deal_npv` with a `[trade]` section, else
    /// `investor_npv` (as `--paths auto` chooses).
    pub fn headline(deal: &Deal) -> Figure {
        if !deal.trade.is_empty() { Figure::Total(Total::DealNpv) } else { Figure::Total(Total::InvestorNpv) }
    }

    /// The output named by `--output`, or the headline when none is.
    pub fn output(name: Option<&str>, deal: &Deal) -> Result<Figure, Error> {
        match name {
            Some(name) => Figure::parse(name, deal, "output"),
            None => Ok(Figure::headline(deal)),
        }
    }

    /// The figure named `name` in `deal`'s run output; `parameter` names the flag in an error,
    /// which lists the names that exist.
    pub fn parse(name: &str, deal: &Deal, parameter: &'static str) -> Result<Figure, Error> {
        let names = || Figure::all_in(deal).iter().map(|f| f.name()).collect::<Vec<_>>().join(", ");
        match Figure::ALL.into_iter().find(|f| f.name() == name) {
            Some(figure) if figure.exists_in(deal) => Ok(figure),
            Some(_) => Err(Error::InvalidRequest {
                parameter,
                message: format!(
                    "`{name}` is not a figure of this deal (it has no section that reports it); its figures are {}",
                    names()
                ),
            }),
            None => {
                let close = crate::spec::closest_name(name, Figure::ALL.iter().map(|f| f.name()));
                let hint = close.map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default();
                Err(Error::InvalidRequest {
                    parameter,
                    message: format!("unknown figure `{name}`{hint}; the figures are {}", names()),
                })
            }
        }
    }
}
