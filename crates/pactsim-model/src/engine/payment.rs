//! The rules each event of a path applies, as the contract states them.
//!
//! - A funding payment is the investor's cash out; its equity part is paid into the project's
//!   recoup account.
//! - On each payment date a project's cash goes, in this order, to (1) debt service: what both
//!   loans are owed (the scheduled level payment plus arrears), pro rata to what each is owed;
//!   (2) the guarantee fee on the guaranteed principal outstanding before the payment; (3) what is
//!   left is equity cash, from which the host's tax comes first and the rest goes down the tiers
//!   (`waterfall::split`). A shortfall on the guaranteed loan is a guarantee call: the investor
//!   pays the lenders and holds the claim, repaid like arrears. Claims, arrears and fees still
//!   unpaid after the last payment are losses.
//! - A project that defaults (`credit.rs` says when) pays nothing more: both loans recover
//!   `recovery_rate` of principal and arrears, the investor pays the guaranteed lenders the rest.
//! - A deemed allocation falling due adds to what the project's account is owed.

use chrono::{Datelike, NaiveDate};

use super::credit::CreditDraws;
use super::draws::LaborHit;
use super::events::{Event, EventKind};
use super::terminal::Terminal;
use crate::deal::{Deal, Project, ProjectCash, Recoup, Scope};
use crate::funding::Funding;
use crate::loan::{Annuity, AnnuityShape};
use crate::outcome::{DatedFlow, FlowRow, YearOutcome};
use crate::waterfall::{self, RecoupAccount};

/// A path's state as its events apply: what each project owes and is owed, the recoup accounts,
/// and the flows and yearly figures so far.
pub(super) struct Run<'a> {
    pub(super) deal: &'a Deal,
    /// The path's credit draws; `None`: no project defaults.
    credit: Option<&'a mut CreditDraws>,
    pub(super) funding: &'a [Funding],
    pub(super) projects: Vec<ProjectState>,
    pub(super) accounts: Accounts,
    pub(super) investor_flows: Vec<DatedFlow>,
    pub(super) host_flows: Vec<DatedFlow>,
    /// The investor's flows again, by facility (for each facility's own figures and the funding
    /// channel its money goes through).
    pub(super) facility_flows: Vec<Vec<DatedFlow>>,
    pub(super) years: Vec<YearOutcome>,
    /// What the flows after the horizon add to each party's terminal value (`terminal.rs`).
    pub(super) terminal: Terminal,
    /// Each facility's loan shape (`None` without loans).
    loan_shapes: &'a [Option<AnnuityShape>],
}

impl<'a> Run<'a> {
    /// The state before a path's first event, given its funding plan (`funding`, in file order)
    /// and the projects' selection `order`; the first `reported` projects keep their rows.
    /// `flows` are the investor's, the host's and the investor's by facility, empty (memory lent by
    /// `scratch.rs`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn start(
        deal: &'a Deal,
        funding: &'a [Funding],
        order: &[usize],
        reported: usize,
        loan_shapes: &'a [Option<AnnuityShape>],
        credit: Option<&'a mut CreditDraws>,
        labor: &[Option<LaborHit>],
        (investor_flows, host_flows, facility_flows): (Vec<DatedFlow>, Vec<DatedFlow>, Vec<Vec<DatedFlow>>),
    ) -> Self {
        let accounts = Accounts::open(deal, order, funding);
        let projects = (deal.projects.iter().zip(funding).enumerate())
            .map(|(i, (p, f))| {
                let state = ProjectState::new(deal, p, f, loan_shapes[p.facility].as_ref(), i < reported);
                state.with_labor(p, labor.get(i).copied().flatten())
            })
            .collect();
        let years =
            (deal.start.year()..=deal.end.year()).map(|year| YearOutcome { year, ..YearOutcome::default() }).collect();
        let terminal = Terminal::new(deal, credit.is_some());
        Run {
            deal,
            terminal,
            credit,
            funding,
            projects,
            accounts,
            investor_flows,
            host_flows,
            facility_flows,
            years,
            loan_shapes,
        }
    }
}

impl Run<'_> {
    fn year(&mut self, date: NaiveDate) -> &mut YearOutcome {
        let index = (date.year() - self.deal.start.year()) as usize;
        &mut self.years[index]
    }

    /// A flow of the investor's on project `i`'s account (negative: paid out); after the horizon,
    /// part of its terminal value.
    fn investor(&mut self, i: usize, date: NaiveDate, amount: f64) {
        if amount == 0.0 {
            return;
        }
        let facility = self.deal.projects[i].facility;
        if date > self.deal.end {
            self.terminal.investor(facility, date, amount, self.projects[i].survival);
            return;
        }
        let flow = DatedFlow { date, amount };
        self.investor_flows.push(flow);
        self.facility_flows[facility].push(flow);
        let year = self.year(date);
        if amount < 0.0 { year.investor_paid -= amount } else { year.investor_received += amount }
    }

    /// The recoup account project `project` pays into, if its waterfall keeps one.
    pub(super) fn account(&mut self, project: usize) -> Option<&mut RecoupAccount> {
        self.accounts.of_project[project].map(|a| &mut self.accounts.accounts[a])
    }

    /// Applies one event of the timeline.
    pub(super) fn apply(&mut self, event: Event) {
        let i = event.project;
        match event.kind {
            EventKind::Selected => {
                if let Some(account) = self.account(i) {
                    account.project_selected();
                }
            }
            EventKind::FundingPaid { amount } => {
                self.investor(i, event.date, -amount);
                let equity = amount * self.projects[i].equity_share_of_call;
                self.projects[i].equity_paid += equity;
                if let Some(account) = self.account(i) {
                    account.equity_paid(event.date, equity);
                }
            }
            EventKind::Completed => {
                let waterfall = self.deal.waterfall_of(&self.deal.projects[i]);
                // Allocations past the horizon never fall due, so such an account never recoups.
                let allocations = match waterfall.recoup {
                    Recoup::DeemedAllocation { life_years, .. } => life_years,
                    _ => 0,
                };
                if let Some(account) = self.account(i) {
                    account.project_completed(allocations);
                }
            }
            EventKind::AllocationDue { k } => self.allocation_due(i, k),
            EventKind::OverrunPaid { amount } => {
                self.investor(i, event.date, -amount);
                if event.date <= self.deal.end {
                    self.projects[i].totals.overruns += amount;
                }
                self.projects[i].equity_paid += amount;
                if let Some(account) = self.account(i) {
                    account.equity_paid(event.date, amount);
                }
            }
            EventKind::Payment { k } => self.payment(i, event.date, k, false),
            EventKind::OperatingPayment { k } => self.payment(i, event.date, k, true),
            EventKind::AllocationAndPayment { k } => {
                self.allocation_due(i, k);
                // Judged between the two, as when they were two events (up to the horizon).
                if event.date <= self.deal.end
                    && let Some(account) = self.account(i)
                {
                    account.review(event.date);
                }
                self.payment(i, event.date, k, false);
            }
        }
    }

    /// Project `i`'s `k`-th deemed allocation falls due on its account.
    fn allocation_due(&mut self, i: usize, k: u32) {
        let waterfall = self.deal.waterfall_of(&self.deal.projects[i]);
        if let Recoup::DeemedAllocation { rate, life_years } = waterfall.recoup {
            let amount = waterfall::deemed_allocation(self.projects[i].equity, rate, life_years, k);
            if let Some(account) = self.account(i) {
                account.allocation_due(amount);
            }
        }
    }

    /// Applies the project's `k`-th payment: debt service, guarantee fee, tax, tiers. An
    /// `operating` payment is the `k`-th year's cash of a project whose operation labour friction
    /// delayed (`OperatingPayment`): no loan payment or fee is scheduled on its date, so its cash
    /// pays arrears, claims and unpaid fees first.
    fn payment(&mut self, i: usize, date: NaiveDate, k: u32, operating: bool) {
        let deal = self.deal;
        let project = &deal.projects[i];
        let facility = &deal.facilities[project.facility];
        if self.projects[i].defaulted {
            return;
        }
        let after_horizon = date > deal.end;
        if after_horizon {
            // No default is drawn after the horizon: its chance weighs what follows (`terminal.rs`).
            self.expected_default_after_horizon(i, date, k);
        } else if let Some(credit) = self.credit.as_deref_mut()
            && credit.defaults(&mut self.projects[i], i, project.credit.annual_default_probability, date)
        {
            self.default(i, date, k);
            return;
        }
        let cash = self.projects[i].cash(project, k, operating);
        let p = &mut self.projects[i];

        // (1) Debt service, pro rata to what each loan is owed.
        let scheduled = |loan: Option<Annuity>| if operating { 0.0 } else { loan.map_or(0.0, |l| l.payment_due(k)) };
        let scheduled_investor = scheduled(p.investor_loan);
        let scheduled_lenders = scheduled(p.guaranteed_loan);
        let owed_investor = scheduled_investor + p.arrears;
        let owed_guaranteed = scheduled_lenders + p.claim;
        let owed = owed_investor + owed_guaranteed;
        let (paid_investor_loan, paid_guaranteed) = if cash >= owed {
            (owed_investor, owed_guaranteed)
        } else if owed > 0.0 {
            let to_investor = cash * owed_investor / owed;
            (to_investor, cash - to_investor)
        } else {
            (0.0, 0.0)
        };
        let to_lenders = paid_guaranteed.min(scheduled_lenders);
        let claim_repaid = paid_guaranteed - to_lenders;
        let call = scheduled_lenders - to_lenders;
        p.claim += call - claim_repaid;
        p.arrears = owed_investor - paid_investor_loan;
        let after_debt = cash - paid_investor_loan - paid_guaranteed;

        // (2) The guarantee fee on the guaranteed principal outstanding before this payment.
        let fee_now = match p.guaranteed_loan {
            Some(loan) if k <= loan.years && !operating => {
                facility.guarantee_fee_rate
                    * loan.balance_after_in(k - 1, loan_growth(self.loan_shapes, project.facility))
            }
            _ => 0.0,
        };
        let fee_due = fee_now + p.fee_arrears;
        let fee_paid = after_debt.min(fee_due);
        p.fee_arrears = fee_due - fee_paid;

        // (3) Equity cash: host tax, then the tiers.
        let equity_cash = after_debt - fee_paid;
        p.payments_left -= 1;
        let last = p.payments_left == 0;
        let loss = if last { p.arrears + p.claim + p.fee_arrears } else { 0.0 };
        if last {
            (p.arrears, p.claim, p.fee_arrears) = (0.0, 0.0, 0.0);
        }
        let waterfall = &deal.waterfalls[facility.waterfall];
        let split = waterfall::split(waterfall, self.account(i), date, equity_cash);
        let investor_received = paid_investor_loan + claim_repaid + fee_paid + split.investor;
        if after_horizon {
            // Part of each party's terminal value, not of the years' figures.
            self.investor(i, date, investor_received - call);
            let survival = self.projects[i].survival;
            self.terminal.host(date, split.host_tax + split.host, survival);
            return;
        }

        let row = FlowRow {
            date,
            cash,
            debt_service_investor: paid_investor_loan + claim_repaid,
            debt_service_lenders: to_lenders,
            guarantee_fee: fee_paid,
            guarantee_call: call,
            host_tax: split.host_tax,
            investor: split.investor,
            investor_first_tier: split.investor_first_tier,
            host: split.host,
            recovery: 0.0,
            defaulted: false,
            loss,
            equity_lost: 0.0,
        };
        self.projects[i].equity_received += split.investor;
        self.projects[i].record(row);
        self.investor(i, date, -call);
        self.investor(i, date, row.investor_received());
        if split.host_tax + split.host > 0.0 {
            self.host_flows.push(DatedFlow { date, amount: split.host_tax + split.host });
        }
        let year = self.year(date);
        year.host_tax += split.host_tax;
        year.host_received += split.host;
        year.guarantee_calls += call;
        year.losses += loss;
    }

    /// Project `i` defaults on its `k`-th payment date, before the payment: it pays nothing more;
    /// both loans recover `recovery_rate` of their outstanding principal and arrears (the
    /// investor's claim is the guaranteed loan's arrears); the investor pays the guaranteed lenders
    /// the unrecovered rest; what the investor never gets back is its loss.
    fn default(&mut self, i: usize, date: NaiveDate, k: u32) {
        let recovery_rate = self.deal.projects[i].credit.recovery_rate;
        let (recovery, call, loss) = self.default_figures(i, k, recovery_rate);
        let p = &mut self.projects[i];
        p.defaulted = true;
        let equity_lost = (p.equity_paid - p.equity_received).max(0.0);
        (p.arrears, p.claim, p.fee_arrears) = (0.0, 0.0, 0.0);
        let row = FlowRow {
            date,
            cash: 0.0,
            debt_service_investor: 0.0,
            debt_service_lenders: 0.0,
            guarantee_fee: 0.0,
            guarantee_call: call,
            host_tax: 0.0,
            investor: 0.0,
            investor_first_tier: 0.0,
            host: 0.0,
            recovery,
            defaulted: true,
            loss,
            equity_lost,
        };
        p.record(row);
        self.investor(i, date, -call);
        self.investor(i, date, recovery);
        let year = self.year(date);
        year.guarantee_calls += call;
        year.losses += loss;
        year.equity_lost += equity_lost;
    }
}

impl Run<'_> {
    /// What project `i`'s default on its `k`-th payment date would bring, from its state before
    /// that payment: the investor's recovery on its loan and guarantee claim, its call on the
    /// guarantee, and its loss (the unrecovered loan and claim, the call, unpaid fees).
    pub(super) fn default_figures(&self, i: usize, k: u32, recovery_rate: f64) -> (f64, f64, f64) {
        let p = &self.projects[i];
        let growth = loan_growth(self.loan_shapes, self.deal.projects[i].facility);
        let investor_loan = p.investor_loan.map_or(0.0, |l| l.balance_after_in(k - 1, growth)) + p.arrears;
        let lenders = p.guaranteed_loan.map_or(0.0, |l| l.balance_after_in(k - 1, growth));
        let recovery = recovery_rate * (investor_loan + p.claim);
        let call = (1.0 - recovery_rate) * lenders;
        let loss = (1.0 - recovery_rate) * (investor_loan + p.claim) + call + p.fee_arrears;
        (recovery, call, loss)
    }
}

/// The growth a balance of a loan on `facility`'s terms reads (none without loans).
fn loan_growth(loan_shapes: &[Option<AnnuityShape>], facility: usize) -> &[f64] {
    loan_shapes[facility].as_ref().map_or(&[], AnnuityShape::growth)
}

/// What a project owes and is owed between payments.
pub(super) struct ProjectState {
    /// The size's share of the size written in the file (below 1 after a commitment cut).
    scale: f64,
    /// Share of each funding payment that is equity (the rest is the investor's loan).
    equity_share_of_call: f64,
    equity: f64,
    /// Equity the investor has paid in so far, and equity distributions it has received: what a
    /// default writes off is the difference.
    equity_paid: f64,
    equity_received: f64,
    /// How many payment dates the project has: its cash flows' years, or its loans' if longer.
    pub(super) payment_count: u32,
    /// Labour friction's hit, if any: then its operating years' cash comes on their own dates.
    pub(super) labor: Option<LaborHit>,
    /// Payments still to come (scheduled and operating): its last one recognises the losses.
    payments_left: u32,
    investor_loan: Option<Annuity>,
    guaranteed_loan: Option<Annuity>,
    arrears: f64,
    claim: f64,
    fee_arrears: f64,
    /// The level yearly cash flow of an irr/life/construction project (0 for explicit flows).
    level_cash: f64,
    /// The project's own credit stream, opened at its first payment.
    pub(super) credit_stream: Option<rand::rngs::ChaCha8Rng>,
    pub(super) defaulted: bool,
    /// The chance it has not defaulted on its payment dates after the horizon so far
    /// (`terminal.rs`); 1 up to the horizon.
    pub(super) survival: f64,
    /// Rows of a reported project; empty for the others, whose rows only add to the totals.
    pub(super) outcome_flows: Vec<FlowRow>,
    keeps_rows: bool,
    pub(super) totals: RowTotals,
}

/// What a project's rows add to its facility's figures.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct RowTotals {
    pub(super) guarantee_calls: f64,
    pub(super) received: f64,
    pub(super) losses: f64,
    pub(super) equity_lost: f64,
    /// Cost overruns paid by the horizon.
    pub(super) overruns: f64,
}

impl ProjectState {
    /// The state of a project before its first event; `reported` keeps its rows for the outcome.
    /// `loans`: the shape of the facility's loans.
    pub(super) fn new(
        deal: &Deal,
        project: &Project,
        funding: &Funding,
        loans: Option<&AnnuityShape>,
        reported: bool,
    ) -> Self {
        let facility = &deal.facilities[project.facility];
        let size = funding.size_usd_bn;
        let shares = facility.instruments;
        let lending = facility.lending_terms();
        let investor_loan = loans.filter(|_| shares.loan > 0.0).map(|shape| shape.annuity(shares.loan * size));
        let guaranteed_loan =
            loans.filter(|_| shares.guarantee > 0.0).map(|shape| shape.annuity(shares.guarantee * size));
        let cash_years = match &project.cash {
            ProjectCash::Explicit(flows) => flows.len() as u32,
            ProjectCash::Level { life_years, construction_years, .. } => construction_years + life_years,
        };
        let loan_years = lending.map_or(0, |terms| terms.years);
        let cash_share = facility.investor_cash_share();
        let payment_count = cash_years.max(loan_years);
        // One row per anniversary up to the horizon, reserved at once rather than grown.
        let rows = match funding.completed {
            Some(_) if reported => payment_count.min((deal.end.year() - deal.start.year() + 1) as u32),
            _ => 0,
        };
        ProjectState {
            scale: size / project.size_usd_bn,
            equity_share_of_call: if cash_share > 0.0 { shares.equity / cash_share } else { 0.0 },
            equity: shares.equity * size,
            equity_paid: 0.0,
            equity_received: 0.0,
            payment_count,
            labor: None,
            payments_left: payment_count,
            investor_loan,
            guaranteed_loan,
            arrears: 0.0,
            claim: 0.0,
            fee_arrears: 0.0,
            level_cash: match project.cash {
                ProjectCash::Level { irr, life_years, construction_years } => {
                    level_cash_flow(size, irr, life_years, construction_years)
                }
                ProjectCash::Explicit(_) => 0.0,
            },
            credit_stream: None,
            defaulted: false,
            survival: 1.0,
            outcome_flows: Vec::with_capacity(rows as usize),
            keeps_rows: reported,
            totals: RowTotals::default(),
        }
    }

    /// Adds a payment's or a default's row to the totals, and keeps it when reported.
    fn record(&mut self, row: FlowRow) {
        self.totals.guarantee_calls += row.guarantee_call;
        self.totals.received += row.investor_received();
        self.totals.losses += row.loss;
        self.totals.equity_lost += row.equity_lost;
        if self.keeps_rows {
            self.outcome_flows.push(row);
        }
    }

    /// The project's cash in its `k`-th year (1-based): on its `k`-th anniversary, or, for a
    /// project whose operation labour friction delayed, on its `operating` payment (none on the
    /// anniversaries of its operating years).
    fn cash(&self, project: &Project, k: u32, operating: bool) -> f64 {
        match &project.cash {
            ProjectCash::Explicit(flows) => flows.get(k as usize - 1).map_or(0.0, |c| c * self.scale),
            ProjectCash::Level { life_years, construction_years, .. } => {
                if k <= *construction_years || k > construction_years + life_years {
                    return 0.0;
                }
                if self.labor.is_some() != operating {
                    return 0.0;
                }
                self.level_cash
            }
        }
    }

    /// The state of a project that labour friction `hit` (if it has a construction period): its
    /// operating years' cash comes on their own dates, after the anniversaries that only carry
    /// loan payments (the later of its construction and its loan term).
    pub(super) fn with_labor(mut self, project: &Project, hit: Option<LaborHit>) -> Self {
        let (Some(hit), ProjectCash::Level { life_years, construction_years, .. }) = (hit, &project.cash) else {
            return self;
        };
        if *construction_years == 0 {
            return self;
        }
        self.labor = Some(hit);
        self.payment_count = self.scheduled_payments(*construction_years);
        self.payments_left = self.payment_count + life_years;
        self
    }

    /// How many anniversaries of funding carry a payment of a project whose operation is delayed:
    /// its construction years, or its loans' term if longer.
    fn scheduled_payments(&self, construction_years: u32) -> u32 {
        let loan_years = self.investor_loan.or(self.guaranteed_loan).map_or(0, |l| l.years);
        construction_years.max(loan_years)
    }
}

/// The level yearly cash flow after `construction` idle years that gives `irr` on `size`.
pub fn level_cash_flow(size: f64, irr: f64, life: u32, construction: u32) -> f64 {
    let grown = size * (1.0 + irr).powi(construction as i32);
    if irr == 0.0 { grown / f64::from(life) } else { grown * irr / (1.0 - (1.0 + irr).powi(-(life as i32))) }
}

/// The recoup accounts of a run and which project belongs to which: one per funded project under
/// a `project`-scope waterfall with a recoup tier, one per `portfolio`-scope waterfall, opened in
/// selection order.
pub(super) struct Accounts {
    pub(super) accounts: Vec<RecoupAccount>,
    /// Whose each account is: the project (`None` for a portfolio) and the waterfall.
    pub(super) owners: Vec<(Option<usize>, usize)>,
    pub(super) of_project: Vec<Option<usize>>,
}

impl Accounts {
    pub(super) fn open(deal: &Deal, order: &[usize], funding: &[Funding]) -> Self {
        let mut accounts = Vec::new();
        let mut owners = Vec::new();
        let mut of_project = vec![None; deal.projects.len()];
        let mut of_waterfall: Vec<Option<usize>> = vec![None; deal.waterfalls.len()];
        for &i in order {
            let project = &deal.projects[i];
            let w = deal.facilities[project.facility].waterfall;
            let waterfall = &deal.waterfalls[w];
            if !funding[i].is_funded() || !waterfall.has_recoup() {
                continue;
            }
            let account = match waterfall.scope {
                Scope::Project => None,
                Scope::Portfolio => of_waterfall[w],
            };
            of_project[i] = Some(account.unwrap_or_else(|| {
                accounts.push(RecoupAccount::new(waterfall.recoup, project.selected));
                owners.push(((waterfall.scope == Scope::Project).then_some(i), w));
                if waterfall.scope == Scope::Portfolio {
                    of_waterfall[w] = Some(accounts.len() - 1);
                }
                accounts.len() - 1
            }));
        }
        Accounts { accounts, owners, of_project }
    }
}

#[cfg(test)]
mod tests {
    //! Hand-computed cases: each deal is small enough to work out on paper; the comments show
    //! the arithmetic.

    use super::*;
    use crate::engine::testing::{MOU, close, d, run_toml};
    use crate::outcome::Outcome;

    #[test]
    fn a_project_beyond_the_commitment_is_cut_and_its_cash_scaled() {
        let outcome = run_toml(
            r#"
[[facility]]
id = "f"
commitment_usd_bn = 20.0
[[project]]
id = "a"
facility = "f"
selected = 2026-02-02
size_usd_bn = 15.0
cash_flows_usd_bn = [1.5]
[[project]]
id = "b"
facility = "f"
selected = 2026-03-02
size_usd_bn = 10.0
cash_flows_usd_bn = [10.0, 4.0]
[[project]]
id = "c"
facility = "f"
selected = 2026-04-01
size_usd_bn = 1.0
cash_flows_usd_bn = [1.0]
"#,
        );
        let b = &outcome.projects[1];
        assert_eq!((b.size_usd_bn, b.size_cut_usd_bn), (5.0, 5.0));
        assert_eq!(b.flows.iter().map(|f| f.cash).collect::<Vec<_>>(), vec![5.0, 2.0]);
        let c = &outcome.projects[2];
        assert_eq!((c.size_usd_bn, c.funded_on, c.flows.len()), (0.0, None, 0));
        assert_eq!(outcome.facilities[0].committed_unfunded(), 0.0);
    }

    /// A project built over two years and run for six, funded on 2026-08-31 (half equity, half a
    /// 4-year loan), under `[labor]` with `probability` and a fixed six-month delay.
    fn labour(probability: &str, overrun: &str) -> Outcome {
        run_toml(&format!(
            r#"
[[facility]]
id = "f"
commitment_usd_bn = 100.0
instruments = {{ equity = 0.5, loan = 0.5 }}
loan = {{ rate = 0.05, years = 4 }}
[[project]]
id = "p"
facility = "f"
selected = 2026-08-31
size_usd_bn = 10.0
irr = 0.08
life_years = 6
construction_years = 2
[labor]
incident_probability = {probability}
delay_months = 6
cost_overrun = {overrun}
[run]
terminal_value = "none"
"#
        ))
    }

    #[test]
    fn a_certain_six_month_delay_moves_every_operating_flow_six_months_later() {
        let (on_time, late) = (labour("0", "0"), labour("1", "0"));
        let cash = |outcome: &Outcome| -> Vec<(NaiveDate, f64)> {
            outcome.projects[0].flows.iter().filter(|f| f.cash > 0.0).map(|f| (f.date, f.cash)).collect()
        };
        let (before, after) = (cash(&on_time), cash(&late));
        assert_eq!(before.len(), 6);
        assert_eq!(after.len(), 6);
        for ((date, amount), (moved, same)) in before.iter().zip(&after) {
            // 31 August + 6 months is the last day of February: 28, or 29 in 2032.
            assert_eq!(*moved, date.checked_add_months(chrono::Months::new(6)).unwrap(), "{date}");
            assert_eq!(amount, same);
        }
        assert_eq!(after[2].0, d(2032, 2, 29));
        assert_eq!(late.projects[0].labor_delay_months, 6);
        // The loan is still due on the anniversaries of funding: in 2029 and 2030 the project has
        // no cash then, so the investor's loan runs arrears that the delayed cash repays first.
        let row_2029 = late.projects[0].flows.iter().find(|f| f.date == d(2029, 8, 31)).unwrap();
        assert_eq!(row_2029.cash, 0.0);
        let first_cash = late.projects[0].flows.iter().find(|f| f.date == d(2030, 2, 28)).unwrap();
        assert!(first_cash.debt_service_investor > 0.0);
    }

    #[test]
    fn the_overrun_is_paid_as_equity_on_the_original_completion_date() {
        let outcome = labour("1", "0.1");
        // Construction ends on the second anniversary of funding, 2028-08-31: 10% of 10.
        let paid: Vec<(NaiveDate, f64)> =
            outcome.investor_flows.iter().filter(|f| f.amount < 0.0).map(|f| (f.date, f.amount)).collect();
        assert_eq!(paid, [(d(2026, 8, 31), -10.0), (d(2028, 8, 31), -1.0)]);
        close(outcome.projects[0].cost_overrun_usd_bn, 1.0);
    }

    const GUARANTEED: &str = r#"
[[facility]]
id = "f"
commitment_usd_bn = 10.0
instruments = { equity = 0.5, guarantee = 0.5 }
loan = { rate = 0.0, years = 2 }
guarantee_fee_rate = 0.1
[[project]]
id = "p"
facility = "f"
selected = 2026-01-01
size_usd_bn = 10.0
"#;

    #[test]
    fn a_guarantee_call_becomes_a_claim_repaid_like_arrears() {
        let outcome = run_toml(&format!("{GUARANTEED}cash_flows_usd_bn = [1.0, 10.0]\n"));
        let flows = &outcome.projects[0].flows;
        // Year 1: the lenders are owed 2.5 and get 1; the investor pays 1.5; the fee of 0.5 waits.
        close(flows[0].debt_service_lenders, 1.0);
        close(flows[0].guarantee_call, 1.5);
        close(flows[0].guarantee_fee, 0.0);
        // Year 2: lenders 2.5, the claim 1.5, the fee 0.25 + 0.5 of arrears, equity 10 − 4.75.
        close(flows[1].debt_service_lenders, 2.5);
        close(flows[1].debt_service_investor, 1.5);
        close(flows[1].guarantee_fee, 0.75);
        close(flows[1].investor, 5.25);
        close(flows[1].loss, 0.0);
        let paid = crate::figures::paid(&outcome.investor_flows);
        let received = crate::figures::received(&outcome.investor_flows);
        close(paid, 5.0 + 1.5);
        close(received, 1.5 + 0.75 + 5.25);
    }

    #[test]
    fn claims_and_fees_unpaid_after_the_last_payment_are_losses() {
        let outcome = run_toml(&format!("{GUARANTEED}cash_flows_usd_bn = [1.0, 1.0]\n"));
        let last = outcome.projects[0].flows[1];
        // Claim 1.5 + 1.5 and fees 0.5 + 0.25 are never repaid.
        close(last.guarantee_call, 1.5);
        close(last.loss, 3.0 + 0.75);
        close(outcome.years.iter().map(|y| y.losses).sum(), 3.75);
    }

    #[test]
    fn a_default_writes_off_the_equity_not_received_back_apart_from_the_loans_loss() {
        // A default is all but certain on the first payment date: equity 6 and a loan of 4 were
        // paid in; the loan recovers half, the equity nothing.
        let source = format!(
            "{}{}",
            crate::engine::testing::HEADER,
            r#"
[[facility]]
id = "f"
commitment_usd_bn = 10.0
instruments = { equity = 0.6, loan = 0.4 }
loan = { rate = 0.0, years = 2 }
[[project]]
id = "p"
facility = "f"
selected = 2026-01-01
size_usd_bn = 10.0
cash_flows_usd_bn = [5.0, 5.0]
annual_default_probability = 0.999999
recovery_rate = 0.5
"#
        );
        let deal = crate::spec::parse_deal(&source).unwrap_or_else(|e| panic!("{e:?}"));
        let outcome = crate::engine::run_path(&deal, &crate::engine::PathDraws::draw(&deal, 3, 0));
        let row = outcome.projects[0].flows[0];
        assert!(row.defaulted);
        close(row.recovery, 2.0);
        close(row.loss, 2.0);
        close(row.equity_lost, 6.0);
        close(outcome.years.iter().map(|y| y.equity_lost).sum(), 6.0);
        close(outcome.facilities[0].equity_lost, 6.0);
        // Without a default, nothing is written off.
        let central = crate::engine::run(&deal);
        assert!(central.projects[0].flows.iter().all(|f| f.equity_lost == 0.0));
    }

    #[test]
    fn a_short_payment_is_shared_pro_rata_between_the_two_loans() {
        let outcome = run_toml(
            r#"
[[facility]]
id = "f"
commitment_usd_bn = 10.0
instruments = { loan = 0.5, guarantee = 0.5 }
loan = { rate = 0.0, years = 1 }
[[project]]
id = "p"
facility = "f"
selected = 2026-01-01
size_usd_bn = 10.0
cash_flows_usd_bn = [4.0]
"#,
        );
        let row = outcome.projects[0].flows[0];
        // Both loans are owed 5: each gets 2; the investor covers the lenders' other 3.
        close(row.debt_service_investor, 2.0);
        close(row.debt_service_lenders, 2.0);
        close(row.guarantee_call, 3.0);
        close(row.loss, 3.0 + 3.0);
    }

    #[test]
    fn the_deemed_allocation_is_split_50_50_then_the_rest_10_90() {
        let outcome = run_toml(&format!(
            "{MOU}[[project]]\nid = \"p\"\nfacility = \"f\"\nselected = 2026-01-01\nsize_usd_bn = 10.0\ncash_flows_usd_bn = [3.0, 0.5]\n"
        ));
        let flows = &outcome.projects[0].flows;
        // Year 1: the allocation 0.5 + 0.55 = 1.05 takes 2.1 of cash at 50/50; 0.9 goes 10/90.
        close(flows[0].investor_first_tier, 1.05);
        close(flows[0].investor, 1.05 + 0.09);
        close(flows[0].host, 1.05 + 0.81);
        // Year 2: 0.5 + 0.055 · 9.5 = 1.0225 falls due; 0.5 of cash all goes 50/50.
        close(flows[1].investor_first_tier, 0.25);
        close(flows[1].host, 0.25);
        assert_eq!(outcome.accounts[0].recouped_on, None);
    }

    #[test]
    fn a_portfolio_recoups_then_reopens_when_a_new_project_is_funded() {
        let outcome = run_toml(&format!(
            "{}[[project]]\nid = \"a\"\nfacility = \"f\"\nselected = 2026-01-01\nsize_usd_bn = 10.0\ncash_flows_usd_bn = [30.0]\n\
             [[project]]\nid = \"b\"\nfacility = \"f\"\nselected = 2027-06-01\nsize_usd_bn = 10.0\ncash_flows_usd_bn = [0.0]\n",
            MOU.replace("recoup = \"deemed-allocation\"", "recoup = \"capital\"\nscope = \"portfolio\"")
        ));
        assert_eq!(outcome.accounts.len(), 1);
        let a = outcome.projects[0].flows[0];
        // 10 owed takes 20 of cash at 50/50; the other 10 goes 10/90.
        close(a.investor, 10.0 + 1.0);
        close(a.host, 10.0 + 9.0);
        // b's equity reopens the account and its cash never repays it.
        assert_eq!(outcome.accounts[0].recouped_on, None);
    }

    #[test]
    fn a_hurdle_compounds_from_each_payment_date() {
        let outcome = run_toml(&format!(
            "{}[[project]]\nid = \"p\"\nfacility = \"f\"\nselected = 2026-01-01\nsize_usd_bn = 10.0\ncash_flows_usd_bn = [5.5, 20.0]\n",
            MOU.replace("recoup = \"deemed-allocation\"", "recoup = \"hurdle\"")
                .replace("deemed_rate = 0.055", "deemed_rate = 0.1")
        ));
        let flows = &outcome.projects[0].flows;
        // Owed 11 after a year; 5.5 of cash pays 2.75. Owed (11 − 2.75) · 1.1 = 9.075 next year,
        // which takes 18.15 of the 20; the last 1.85 goes 10/90.
        close(flows[0].investor, 2.75);
        assert!((flows[1].investor_first_tier - 9.075).abs() < 1e-9);
        assert!((flows[1].investor - (9.075 + 0.185)).abs() < 1e-9);
        assert_eq!(outcome.accounts[0].recouped_on, Some(d(2028, 1, 1)));
        assert_eq!(outcome.projects[0].recouped_on, Some(d(2028, 1, 1)));
    }

    #[test]
    fn nothing_after_the_horizon_is_simulated() {
        let outcome = run_toml(
            "[[facility]]\nid = \"f\"\ncommitment_usd_bn = 10.0\n[[project]]\nid = \"p\"\nfacility = \"f\"\nselected = 2030-06-01\nsize_usd_bn = 1.0\nirr = 0.05\nlife_years = 10\nconstruction_years = 2\n",
        );
        // Funded mid-2030; the horizon ends 2036-01-01: anniversaries 3, 4 and 5 pay.
        let flows = &outcome.projects[0].flows;
        assert_eq!(flows.len(), 5);
        assert_eq!(flows.last().unwrap().date, d(2035, 6, 1));
        close(flows[0].cash, 0.0);
        assert!((flows[2].cash - level_cash_flow(1.0, 0.05, 10, 2)).abs() < 1e-15);
    }

    #[test]
    fn a_level_cash_flow_returns_its_irr() {
        let c = level_cash_flow(10.0, 0.07, 25, 3);
        let present: f64 = (4..=28).map(|k| c / 1.07f64.powi(k)).sum();
        assert!((present - 10.0).abs() < 1e-9);
        close(level_cash_flow(10.0, 0.0, 4, 1), 2.5);
    }

    #[test]
    fn an_account_without_equity_recoups_when_its_project_is_funded_not_before() {
        // Found by the independent oracle: the account was judged recouped before its project
        // was even selected, on another facility's event date.
        let outcome = run_toml(
            r#"
[[facility]]
id = "g"
commitment_usd_bn = 10.0
instruments = { guarantee = 1.0 }
loan = { rate = 0.05, years = 3 }
waterfall = "w"
[[facility]]
id = "e"
commitment_usd_bn = 10.0
[waterfall.w]
tiers = [ { until = "recouped", investor = 0.5, host = 0.5 }, { investor = 0.1, host = 0.9 } ]
[[project]]
id = "early"
facility = "e"
selected = 2026-02-02
size_usd_bn = 1.0
cash_flows_usd_bn = [1.0]
[[project]]
id = "guaranteed"
facility = "g"
selected = 2027-06-01
size_usd_bn = 5.0
cash_flows_usd_bn = [3.0, 3.0, 3.0]
"#,
        );
        assert_eq!(outcome.accounts[0].recouped_on, Some(d(2027, 6, 1)));
    }

    #[test]
    fn an_account_that_reopens_and_recoups_on_one_day_reports_that_day() {
        // p1 recoups the pool on 2027-01-05; on 2028-06-01 p2's funding reopens it and p0's
        // payment the same day repays it, so it last became recouped on 2028-06-01.
        let outcome = run_toml(
            r#"
[[facility]]
id = "f"
commitment_usd_bn = 100.0
waterfall = "w"
[waterfall.w]
scope = "portfolio"
tiers = [ { until = "recouped", investor = 0.5, host = 0.5 }, { investor = 0.1, host = 0.9 } ]
[[project]]
id = "p1"
facility = "f"
selected = 2026-01-05
size_usd_bn = 10.0
cash_flows_usd_bn = [40.0, 0.0]
[[project]]
id = "p0"
facility = "f"
selected = 2026-06-01
size_usd_bn = 1.0
cash_flows_usd_bn = [0.0, 10.0]
[[project]]
id = "p2"
facility = "f"
selected = 2028-06-01
size_usd_bn = 2.0
cash_flows_usd_bn = [1.0]
"#,
        );
        assert_eq!(outcome.accounts[0].recouped_on, Some(d(2028, 6, 1)));
    }
}
