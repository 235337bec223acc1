//! A path's dated events, and the order in which the rules apply them.
//!
//! Every event of a path goes into one timeline, applied in order of date; within a date by kind
//! (selections, funding payments, completions, deemed allocations falling due, then project
//! payments: `EventKind::rank`); within a kind by the projects' selection order (selection date,
//! then file order). `payment.rs` says what each event does; `timeline.rs` lays the events out in
//! this order.

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy)]
pub(super) struct Event {
    pub(super) date: NaiveDate,
    /// `date`'s day number, counted once: the timeline's range and keys read it.
    pub(super) day: i32,
    pub(super) project: usize,
    pub(super) kind: EventKind,
}

impl Event {
    pub(super) fn new(date: NaiveDate, project: usize, kind: EventKind) -> Self {
        Event { date, day: date.num_days_from_ce(), project, kind }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) enum EventKind {
    /// The project is selected: it joins its recoup account, which now waits for its funding.
    Selected,
    /// A payment toward the project's funding call.
    FundingPaid { amount: f64 },
    /// The project's funding is complete: its cash-flow clock starts.
    Completed,
    /// The `k`-th deemed allocation of the project's equity falls due on its account.
    AllocationDue { k: u32 },
    /// A project hit by labour friction: the investor pays its cost overrun, on the original
    /// completion date (the end of construction), as equity.
    OverrunPaid { amount: f64 },
    /// A project hit by labour friction: its `k`-th year's cash, moved later by the delay; no loan
    /// payment is scheduled on it (those stay on the anniversaries of funding).
    OperatingPayment { k: u32 },
    /// The project's `k`-th payment date (anniversary of completion).
    Payment { k: u32 },
    /// A project-scope account's deemed allocation and its project's payment on the same
    /// anniversary, as one event in the payments' place: the allocation moves that account alone,
    /// which no other event of the date reads, so the outcome is the same, with half the events
    /// of such a project to lay out.
    AllocationAndPayment { k: u32 },
}

impl EventKind {
    /// The place of the kind among the events of one date.
    pub(super) fn rank(&self) -> u8 {
        match self {
            EventKind::Selected => 0,
            EventKind::FundingPaid { .. } | EventKind::OverrunPaid { .. } => 1,
            EventKind::Completed => 2,
            EventKind::AllocationDue { .. } => 3,
            EventKind::Payment { .. } | EventKind::AllocationAndPayment { .. } | EventKind::OperatingPayment { .. } => {
                4
            }
        }
    }
}
