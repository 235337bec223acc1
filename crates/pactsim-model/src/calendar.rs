//! Dates as the deal file means them: Monday-to-Friday business days with no holiday calendar,
//! anniversaries that fall back to 28 February, and the ACT/365F year fraction.

use chrono::{Datelike, NaiveDate, Weekday};

pub fn is_business_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The `n`-th business day after `date` (counting starts the day after; `n = 0` is `date`).
pub fn add_business_days(date: NaiveDate, n: u32) -> NaiveDate {
    if n == 0 {
        return date;
    }
    // From a weekend, the count runs as it would from the Friday before.
    let mut day = date;
    while !is_business_day(day) {
        day = day.pred_opt().expect("dates stay far from chrono's limits");
    }
    // From a business day, every whole week holds five business days.
    day = day + chrono::Days::new(u64::from((n - 1) / 5) * 7);
    let mut left = (n - 1) % 5 + 1;
    while left > 0 {
        day = day.succ_opt().expect("dates stay far from chrono's limits");
        if is_business_day(day) {
            left -= 1;
        }
    }
    day
}

/// The first Monday-to-Friday day of a calendar year.
pub fn first_business_day(year: i32) -> NaiveDate {
    let mut day = NaiveDate::from_ymd_opt(year, 1, 1).expect("year within chrono's range");
    while !is_business_day(day) {
        day = day.succ_opt().expect("dates stay far from chrono's limits");
    }
    day
}

/// The `k`-th anniversary of `date`; 29 February becomes 28 February in common years.
pub fn anniversary(date: NaiveDate, k: u32) -> NaiveDate {
    // Setting the year is cheaper than chrono's month arithmetic, and this runs for every payment
    // of every project on every Monte Carlo path.
    let year = date.year() + k as i32;
    date.with_year(year)
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 2, 28).expect("dates stay far from chrono's limits"))
}

/// ACT/365F year fraction from `from` to `to` (negative when `to` is earlier).
pub fn year_fraction(from: NaiveDate, to: NaiveDate) -> f64 {
    days_between(from, to) as f64 / 365.0
}

/// Days from `from` to `to` (negative when `to` is earlier): `(to - from).num_days()`, through
/// day numbers, which chrono gets with a few integer operations where subtracting dates takes
/// several times as many, and this runs for every flow of every Monte Carlo path.
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    i64::from(to.num_days_from_ce()) - i64::from(from.num_days_from_ce())
}

/// Days from one date to each of many others (`days_between(from, date)`), at an addition a date
/// while the dates stay in one year: a path's flows come in date order, some 950 of them over a
/// few dozen years, and chrono's day number (a division-heavy formula) was most of the work of
/// discounting them. The day count of the last year met is kept, so only a change of year pays
/// for a day number; dates in any order give the same counts.
#[derive(Debug, Clone, Copy)]
pub struct DaysFrom {
    from: NaiveDate,
    /// The year of the last date met.
    year: i32,
    /// Days from `from` to the last day before that year's 1 January (ordinals count from 1).
    before_year: i64,
}

impl DaysFrom {
    pub fn new(from: NaiveDate) -> Self {
        DaysFrom { from, year: from.year(), before_year: -i64::from(from.ordinal()) }
    }

    pub fn days_to(&mut self, date: NaiveDate) -> i64 {
        let ordinal = i64::from(date.ordinal());
        if date.year() != self.year {
            self.year = date.year();
            self.before_year = days_between(self.from, date) - ordinal;
        }
        self.before_year + ordinal
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Months;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Counts business days one by one: the definition, without the shortcut.
    fn add_business_days_slowly(date: NaiveDate, n: u32) -> NaiveDate {
        let mut day = date;
        let mut left = n;
        while left > 0 {
            day = day.succ_opt().unwrap();
            if is_business_day(day) {
                left -= 1;
            }
        }
        day
    }

    #[test]
    fn business_days_match_the_definition_from_every_weekday() {
        for offset in 0..14 {
            let start = d(2025, 11, 10) + chrono::Days::new(offset);
            for n in 0..80 {
                assert_eq!(add_business_days(start, n), add_business_days_slowly(start, n), "{start} + {n}");
            }
        }
    }

    #[test]
    fn forty_five_business_days_is_about_nine_weeks() {
        // Validation case V17: 45 business days ≈ 63 calendar days.
        let selected = d(2026, 2, 17); // a Tuesday
        let due = add_business_days(selected, 45);
        assert_eq!(due, d(2026, 4, 21));
        assert_eq!((due - selected).num_days(), 63);
    }

    #[test]
    fn first_business_day_skips_new_year_weekends() {
        assert_eq!(first_business_day(2028), d(2028, 1, 3)); // 1 Jan 2028 is a Saturday
        assert_eq!(first_business_day(2027), d(2027, 1, 1)); // a Friday
        assert_eq!(first_business_day(2033), d(2033, 1, 3)); // a Saturday
    }

    #[test]
    fn anniversaries_of_leap_days_fall_back_to_the_28th() {
        assert_eq!(anniversary(d(2028, 2, 29), 1), d(2029, 2, 28));
        assert_eq!(anniversary(d(2028, 2, 29), 4), d(2032, 2, 29));
        assert_eq!(anniversary(d(2025, 11, 14), 30), d(2055, 11, 14));
        // The same as twelve months at a time, for every day of eight years.
        let mut day = d(2023, 1, 1);
        while day < d(2031, 1, 1) {
            for k in 0..40 {
                assert_eq!(anniversary(day, k), day.checked_add_months(Months::new(12 * k)).unwrap(), "{day} {k}");
            }
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn days_between_is_the_difference_of_dates() {
        let dates = [d(-400, 2, 29), d(1, 1, 1), d(1999, 12, 31), d(2024, 2, 29), d(2025, 11, 14), d(2100, 3, 1)];
        for from in dates {
            for to in dates {
                assert_eq!(days_between(from, to), (to - from).num_days(), "{from} {to}");
            }
        }
    }

    /// Every day of six centuries (leap years, the skipped leap days of 2100, 2200 and 2300, and
    /// the kept one of 2000), counted from origins in leap and common years and before and after
    /// them: in date order, backwards, and jumping about.
    #[test]
    fn days_from_counts_what_chrono_counts() {
        let (start, end) = (d(1899, 12, 25), d(2500, 1, 7));
        let every_day: Vec<NaiveDate> = start.iter_days().take_while(|day| *day <= end).collect();
        for from in [d(1900, 1, 1), d(1999, 12, 31), d(2000, 2, 29), d(2025, 11, 14), d(2100, 3, 1), d(2500, 1, 1)] {
            let expected = |day: NaiveDate| (day - from).num_days();
            let mut forwards = DaysFrom::new(from);
            for &day in &every_day {
                assert_eq!(forwards.days_to(day), expected(day), "{from} to {day}");
            }
            let mut backwards = DaysFrom::new(from);
            for &day in every_day.iter().rev() {
                assert_eq!(backwards.days_to(day), expected(day), "{from} back to {day}");
            }
            // Strides that land in a new year, the same year, or a year left before.
            let mut jumping = DaysFrom::new(from);
            let mut i = 0usize;
            for step in 0..20_000usize {
                i = (i + step * 7_919) % every_day.len();
                assert_eq!(jumping.days_to(every_day[i]), expected(every_day[i]), "{from} jumping to {}", every_day[i]);
            }
        }
    }

    #[test]
    fn act_365f_counts_the_leap_day() {
        assert_eq!(year_fraction(d(2020, 1, 1), d(2021, 1, 1)), 366.0 / 365.0);
    }
}
