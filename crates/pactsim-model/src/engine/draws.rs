//! A path's random draws: the projects its pipelines generate, the investor's refusals and the
//! host's snapback, the trade elasticities, and the keys of its credit and currency streams.
//!
//! Every random value is drawn by inverse transform from one uniform at a fixed place in a stream of its
//! own purpose (`pactsim_numeric::rng`), so a change to one facility's pipeline moves no other
//! draw (common random numbers across variants of a deal).

use chrono::NaiveDate;

use crate::deal::{Deal, DeclineRule, Project, ProjectCash};
use pactsim_trade::Elasticities;

/// The ranges a drawn value is kept within (inverse-transform draws truncated to them), so a
/// distribution's tail cannot give a value the model has no meaning for. Analyses that hold an
/// input at a percentile read the same ranges.
pub mod bounds {
    /// A generated project's size, USD billions: above zero.
    pub const SIZE_USD_BN: (f64, f64) = (1e-9, f64::INFINITY);
    /// A generated project's IRR: above -99% and at most 100%.
    pub const IRR: (f64, f64) = (-0.99, 1.0);
    /// A generated project's life, years (rounded to whole years, at least one).
    pub const LIFE_YEARS: (f64, f64) = (0.5, 100.0);
    /// A generated project's construction, years (rounded to whole years).
    pub const CONSTRUCTION_YEARS: (f64, f64) = (0.0, 100.0);
    /// The substitution and supply elasticities: positive.
    pub const SUPPLY_OR_SUBSTITUTION: (f64, f64) = (1e-6, f64::INFINITY);
    /// The demand elasticity: zero or negative.
    pub const DEMAND: (f64, f64) = (f64::NEG_INFINITY, 0.0);
    /// A labour incident's delay, months (rounded when drawn): zero or more.
    pub const LABOR_DELAY_MONTHS: (f64, f64) = (0.0, f64::INFINITY);
    /// A labour incident's cost overrun, a share of the project's size: zero or more.
    pub const COST_OVERRUN: (f64, f64) = (0.0, f64::INFINITY);
}

use bounds::*;

/// What one Monte Carlo path draws. The central path draws nothing: every distribution at its
/// central value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PathDraws {
    /// The trade model's elasticities on this path, one per market of `[trade]`; empty for their
    /// central values.
    pub elasticities: Vec<Elasticities>,
    /// Projects the pipelines generated on this path, by facility then selection order.
    pub generated: Vec<Project>,
    /// `(seed, path)` whose credit streams decide defaults; `None`: no project defaults.
    pub credit: Option<(u64, u64)>,
    /// Which projects the investor refuses: listed (file order), then generated; empty: none.
    pub declined: Vec<bool>,
    /// When the host moved the investor's tariff to the snapback table, if it did.
    pub snapback_from: Option<NaiveDate>,
    /// `(seed, path)` whose streams move the exchange rate and decide the host's answers to
    /// deferral requests; `None`: the rate stays at its last observation and nothing is deferred.
    pub currency: Option<(u64, u64)>,
    /// Which projects labour friction hits (listed, then generated), and how; empty: none.
    pub labor: Vec<Option<LaborHit>>,
}

/// What labour friction does to a hit project (`[labor]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LaborHit {
    /// Whole months its completion and operating cash flows move later.
    pub delay_months: u32,
    /// Share of its size the investor pays on top, on the original completion date.
    pub cost_overrun: f64,
}

impl LaborHit {
    /// A hit with `delay` and `overrun` as drawn: months rounded to whole ones, neither below 0.
    fn of(delay: f64, overrun: f64) -> Self {
        LaborHit { delay_months: delay.round().clamp(0.0, 1200.0) as u32, cost_overrun: overrun.max(0.0) }
    }
}

impl PathDraws {
    /// The draws of path `path` for `seed`, each from its own stream (see `rng`).
    pub fn draw(deal: &Deal, seed: u64, path: u64) -> Self {
        let mut elasticities = Vec::new();
        if deal.trade.iter().any(crate::deal::trade_is_random) {
            let mut rng = pactsim_numeric::rng::stream(seed, pactsim_numeric::rng::Purpose::TradeElasticities, path);
            // Market by market, one uniform each, in this order (a fixed number a market drawn or
            // not, so the first market's draws are those of a one-market deal); truncated to the
            // signs the model needs.
            for trade in &deal.trade {
                let e = trade.elasticities;
                let mut within = |d: pactsim_numeric::distribution::Distribution, low: f64, high: f64| {
                    d.quantile_within(pactsim_numeric::distribution::open_uniform(&mut rng), low, high)
                };
                elasticities.push(Elasticities {
                    substitution: within(e.substitution, SUPPLY_OR_SUBSTITUTION.0, SUPPLY_OR_SUBSTITUTION.1),
                    demand: within(e.demand, DEMAND.0, DEMAND.1),
                    foreign_supply: within(e.foreign_supply, SUPPLY_OR_SUBSTITUTION.0, SUPPLY_OR_SUBSTITUTION.1),
                    domestic_supply: within(e.domestic_supply, SUPPLY_OR_SUBSTITUTION.0, SUPPLY_OR_SUBSTITUTION.1),
                });
            }
        }
        let decisions = Decisions { deal, seed, path };
        let mut declined = Vec::new();
        // Refusals, each with the uniform that decides whether the host answers with a snapback.
        let mut refusals: Vec<(NaiveDate, f64)> = Vec::new();
        for (i, project) in deal.projects.iter().enumerate() {
            let (refused, snap) = decisions.refuse(project, u32::MAX, i as u64);
            declined.push(refused);
            if refused {
                refusals.push((project.selected, snap));
            }
        }
        let mut generated = Vec::new();
        for pipeline in &deal.pipelines {
            for (project, refused, snap) in generate(deal, pipeline, &decisions, &declined[..deal.projects.len()]) {
                declined.push(refused);
                if refused {
                    refusals.push((project.selected, snap));
                }
                generated.push(project);
            }
        }
        refusals.sort_by_key(|(date, _)| *date);
        let snapback_from =
            refusals.iter().find(|(_, snap)| *snap < deal.decline.snapback_probability).map(|(date, _)| *date);
        if !declined.contains(&true) {
            declined.clear();
        }
        let credit = deal.credit_is_random().then_some((seed, path));
        let currency = deal.currency_is_random().then_some((seed, path));
        let labor = labor_hits(deal, &generated, seed, path);
        PathDraws { elasticities, generated, credit, declined, snapback_from, currency, labor }
    }

    /// The central path: every distribution at its central value, no defaults, and only the
    /// refusals the rule makes without chance (`negative-npv`) of the listed projects.
    pub fn central(deal: &Deal) -> Self {
        let declined: Vec<bool> = match deal.decline.rule {
            DeclineRule::NegativeNpv => deal.projects.iter().map(|p| standalone_npv(deal, p) < 0.0).collect(),
            _ => Vec::new(),
        };
        let declined = if declined.contains(&true) { declined } else { Vec::new() };
        // A certain hit needs no chance: the central path has it, at the central delay and overrun.
        let labor = match deal.labor {
            Some(labor) if labor.incident_probability >= 1.0 => {
                let hit = LaborHit::of(labor.delay_months.central(), labor.cost_overrun.central());
                deal.projects.iter().map(|p| is_built(p).then_some(hit)).collect()
            }
            _ => Vec::new(),
        };
        PathDraws { declined, labor, ..PathDraws::default() }
    }
}

/// Whether a project has a construction period, which labour friction can hit.
fn is_built(project: &Project) -> bool {
    matches!(project.cash, ProjectCash::Level { construction_years, .. } if construction_years > 0)
}

/// Each project's labour draw on a path: three uniforms at a fixed place of its own stream (listed
/// projects at their file index under `u32::MAX`, generated ones at their number under their
/// facility): whether it is hit, then the delay and the overrun, drawn whether or not it is hit.
fn labor_hits(deal: &Deal, generated: &[Project], seed: u64, path: u64) -> Vec<Option<LaborHit>> {
    use pactsim_numeric::distribution::open_uniform;
    use pactsim_numeric::rng::{Purpose, stream_at};
    let Some(labor) = deal.labor.filter(|labor| labor.incident_probability > 0.0) else { return Vec::new() };
    let mut numbers = vec![0u64; deal.facilities.len()];
    let places = (deal.projects.iter().enumerate().map(|(i, p)| (p, u32::MAX, i as u64)))
        .chain(generated.iter().map(|p| {
            let number = numbers[p.facility];
            numbers[p.facility] += 1;
            (p, p.facility as u32, number)
        }))
        .collect::<Vec<_>>();
    let hits: Vec<Option<LaborHit>> = places
        .into_iter()
        .map(|(project, facility, position)| {
            if !is_built(project) {
                return None;
            }
            let mut rng = stream_at(seed, Purpose::Labor { facility }, path, position);
            let (u_hit, u_delay, u_overrun) = (open_uniform(&mut rng), open_uniform(&mut rng), open_uniform(&mut rng));
            (u_hit < labor.incident_probability).then(|| {
                LaborHit::of(
                    labor.delay_months.quantile_within(u_delay, LABOR_DELAY_MONTHS.0, LABOR_DELAY_MONTHS.1),
                    labor.cost_overrun.quantile_within(u_overrun, COST_OVERRUN.0, COST_OVERRUN.1),
                )
            })
        })
        .collect();
    if hits.iter().any(Option::is_some) { hits } else { Vec::new() }
}

/// Refusal decisions of one path.
struct Decisions<'a> {
    deal: &'a Deal,
    seed: u64,
    path: u64,
}

impl Decisions<'_> {
    /// Whether the investor refuses `project`, and the uniform for the host's snapback. The two
    /// uniforms sit at block `position` of the decline stream of `facility` (`u32::MAX` for listed
    /// projects, whose position is their file index; generated ones use their number).
    fn refuse(&self, project: &Project, facility: u32, position: u64) -> (bool, f64) {
        use pactsim_numeric::distribution::open_uniform;
        let rule = self.deal.decline.rule;
        if rule == DeclineRule::Never {
            return (false, 1.0);
        }
        let mut rng = pactsim_numeric::rng::stream_at(
            self.seed,
            pactsim_numeric::rng::Purpose::Decline { facility },
            self.path,
            position,
        );
        let (u_refuse, u_snap) = (open_uniform(&mut rng), open_uniform(&mut rng));
        let refused = match rule {
            DeclineRule::Never => false,
            DeclineRule::Probability(p) => u_refuse < p,
            DeclineRule::NegativeNpv => standalone_npv(self.deal, project) < 0.0,
        };
        (refused, u_snap)
    }
}

/// The project's own NPV to the investor at its discount rate, ignoring default: the project
/// alone in its facility (no cap, no other projects), under its waterfall with `scope = "project"`
/// (`Deal::alone`), played by the engine like any deal, its terminal value included as the
/// deal's is.
pub fn standalone_npv(deal: &Deal, project: &Project) -> f64 {
    let outcome = super::run_path(&deal.alone(project), &PathDraws::default());
    let terminal = crate::outcome::DatedFlow { date: deal.end, amount: outcome.investor_terminal_value };
    let rate = deal.run.investor_discount_rate;
    crate::figures::npv(&outcome.investor_flows, rate, deal.start) + crate::figures::npv(&[terminal], rate, deal.start)
}

/// One path of a facility's pipeline: selections as a Poisson process from `deal.start` until
/// the facility's `selection_ends` (or the horizon), stopping once listed and generated
/// selections use the commitment. Each selection draws five uniforms from the facility's stream,
/// always in this order: the gap since the previous selection, size, IRR, life, construction.
/// `listed_declined[i]` says whether listed project `i` was refused (refused ones leave the
/// commitment to others).
fn generate(
    deal: &Deal,
    pipeline: &crate::deal::Pipeline,
    decisions: &Decisions,
    listed_declined: &[bool],
) -> Vec<(Project, bool, f64)> {
    use pactsim_numeric::distribution::open_uniform;
    let (seed, path) = (decisions.seed, decisions.path);
    let facility = &deal.facilities[pipeline.facility];
    let ends = facility.selection_ends.unwrap_or(deal.end).min(deal.end);
    let mut listed: Vec<(NaiveDate, f64)> = deal
        .projects
        .iter()
        .zip(listed_declined)
        .filter(|(p, refused)| p.facility == pipeline.facility && !**refused)
        .map(|(p, _)| (p.selected, p.size_usd_bn))
        .collect();
    listed.sort_by_key(|(date, _)| *date);
    let mut rng = pactsim_numeric::rng::stream(
        seed,
        pactsim_numeric::rng::Purpose::Pipeline { facility: pipeline.facility as u32 },
        path,
    );
    let mut projects = Vec::new();
    let mut elapsed_days = 0.0;
    let mut generated_size = 0.0;
    loop {
        let gap = -open_uniform(&mut rng).ln() / pipeline.projects_per_year * 365.0;
        let u: [f64; 4] = std::array::from_fn(|_| open_uniform(&mut rng));
        elapsed_days += gap;
        let Some(selected) = deal.start.checked_add_days(chrono::Days::new(elapsed_days.floor().min(1e6) as u64))
        else {
            break;
        };
        if selected > ends {
            break;
        }
        let listed_size: f64 = listed.iter().take_while(|(date, _)| *date <= selected).map(|(_, size)| size).sum();
        if listed_size + generated_size >= facility.commitment_usd_bn {
            break;
        }
        let size = pipeline.size_usd_bn.quantile_within(u[0], SIZE_USD_BN.0, SIZE_USD_BN.1);
        let irr = pipeline.irr.quantile_within(u[1], IRR.0, IRR.1);
        let life_years = pipeline.life_years.quantile_within(u[2], LIFE_YEARS.0, LIFE_YEARS.1).round().max(1.0) as u32;
        let construction_years =
            pipeline.construction_years.quantile_within(u[3], CONSTRUCTION_YEARS.0, CONSTRUCTION_YEARS.1).round()
                as u32;
        let project = Project {
            // Concatenated rather than formatted: every path names each project it generates.
            id: [&facility.id, ":generated:", &(projects.len() + 1).to_string()].concat(),
            facility: pipeline.facility,
            selected,
            size_usd_bn: size,
            cash: ProjectCash::Level { irr, life_years, construction_years },
            credit: pipeline.credit,
        };
        // A refused project is not funded, so it leaves the commitment to later selections.
        let (refused, snap) = decisions.refuse(&project, pipeline.facility as u32, projects.len() as u64);
        if !refused {
            generated_size += size;
        }
        projects.push((project, refused, snap));
    }
    projects
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::run_path;
    use crate::engine::testing::{HEADER, d};
    use crate::spec::parse_deal;

    #[test]
    fn refused_projects_are_not_funded_and_the_host_snaps_back_from_the_first_refusal() {
        let source = format!(
            "{HEADER}[[facility]]\nid = \"f\"\ncommitment_usd_bn = 100.0\n\
             [[project]]\nid = \"a\"\nfacility = \"f\"\nselected = 2027-03-01\nsize_usd_bn = 10.0\ncash_flows_usd_bn = [5.0]\n\
             [[project]]\nid = \"b\"\nfacility = \"f\"\nselected = 2026-06-01\nsize_usd_bn = 10.0\ncash_flows_usd_bn = [5.0]\n\
             [trade]\nsector = \"autos\"\neffective = 2026-01-01\nno_deal = {{ KR = 0.25 }}\ndeal = {{ KR = 0.15 }}\nsnapback = {{ KR = 0.25 }}\n\
             [decline]\nrule = {{ probability = 1.0 }}\nsnapback_probability = 1.0\n"
        );
        let deal = parse_deal(&source).unwrap();
        let draws = PathDraws::draw(&deal, 7, 0);
        assert_eq!(draws.declined, vec![true, true]);
        // The earlier refusal (b, selected 2026-06-01) sets the snapback date.
        assert_eq!(draws.snapback_from, Some(d(2026, 6, 1)));
        let outcome = run_path(&deal, &draws);
        assert_eq!(outcome.declines, 2);
        assert!(outcome.projects.iter().all(|p| p.declined && p.funded_on.is_none() && p.funding.is_empty()));
        assert!(outcome.investor_flows.is_empty());
        // Relief only until the snapback: 2026 gets the deal relief for January to May.
        let relief = outcome.trade[0].investor_tariff_relief_usd_bn_per_year;
        let may_31 = (d(2026, 5, 31) - d(2026, 1, 1)).num_days() as f64 + 1.0;
        assert!((outcome.years[0].tariff_relief - relief * may_31 / 365.0).abs() < 1e-12);
        assert!(outcome.years[1].tariff_relief.abs() < 1e-12, "snapback tariffs equal no-deal ones");
    }

    #[test]
    fn pipelines_select_at_their_poisson_rate_and_stop_at_the_commitment() {
        let pipeline = |commitment: f64| {
            format!(
                "{HEADER}[[facility]]\nid = \"f\"\ncommitment_usd_bn = {commitment:?}\nselection_ends = 2030-01-01\n\
                 [pipeline.f]\nprojects_per_year = 5.0\nsize_usd_bn = {{ lognormal = {{ median = 2.0, p95 = 6.0 }} }}\n\
                 irr = {{ normal = {{ mean = 0.07, sd = 0.02 }} }}\nlife_years = {{ triangular = {{ min = 10.0, mode = 20.0, max = 30.0 }} }}\n\
                 construction_years = {{ uniform = {{ min = 0.0, max = 4.0 }} }}\n"
            )
        };
        // A commitment that never binds: the count is Poisson with mean 5 × 4 years (2026–2029).
        let deal = parse_deal(&pipeline(1e6)).unwrap();
        let paths = 4000;
        let counts: Vec<f64> = (0..paths).map(|p| PathDraws::draw(&deal, 3, p).generated.len() as f64).collect();
        let mean = counts.iter().sum::<f64>() / paths as f64;
        let expected = 5.0 * (d(2030, 1, 1) - d(2026, 1, 1)).num_days() as f64 / 365.0;
        // Poisson: the standard error of the mean is √(mean/paths) ≈ 0.07.
        assert!((mean - expected).abs() < 4.0 * (expected / paths as f64).sqrt(), "{mean} vs {expected}");
        for p in 0..50 {
            for project in PathDraws::draw(&deal, 3, p).generated {
                assert!(project.selected >= deal.start && project.selected <= d(2030, 1, 1));
                let ProjectCash::Level { life_years, construction_years, irr } = project.cash else { panic!() };
                assert!((10..=30).contains(&life_years) && construction_years <= 4 && irr > -0.99);
            }
        }
        // A binding commitment: selections stop once it is used, the last one being cut.
        let deal = parse_deal(&pipeline(10.0)).unwrap();
        for p in 0..200 {
            let draws = PathDraws::draw(&deal, 3, p);
            let selected: f64 = draws.generated.iter().map(|g| g.size_usd_bn).sum();
            let without_last = selected - draws.generated.last().map_or(0.0, |g| g.size_usd_bn);
            assert!(without_last < 10.0, "path {p} kept selecting after the commitment was used");
            let funded: f64 = run_path(&deal, &draws).facilities[0].funded_usd_bn;
            assert!(funded <= 10.0 + 1e-9);
        }
    }
}
