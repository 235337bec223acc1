//! The person-readable summaries: a run's headline figures, the recoup picture and a table by year
//! (`run_summary`), and a deal's trade picture (`trade_summary`). Plain text, no colour, readable
//! in any terminal or pasted into a note.

use std::fmt::Write;

use pactsim_model::deal::Deal;
use pactsim_montecarlo::YearFigure;

use crate::{RunOutput, StatJson, TradeOutput};

/// USD billions with two decimals; `–` where the figure does not exist.
fn bn(stat: &StatJson) -> String {
    stat.mean.map_or("–".to_string(), |v| format!("{v:.2}"))
}

/// The 5th to 95th percentile, where paths differ, to two decimals.
fn band(stat: &StatJson, scale: f64, unit: &str) -> String {
    band_to(stat, scale, unit, 2)
}

/// The 5th to 95th percentile, where paths differ, to `digits` decimals.
fn band_to(stat: &StatJson, scale: f64, unit: &str, digits: usize) -> String {
    match (stat.p5, stat.p95) {
        (Some(low), Some(high)) if low != high => {
            format!("   (5–95%: {:.digits$}{unit} to {:.digits$}{unit})", low * scale, high * scale)
        }
        _ => String::new(),
    }
}

/// One line of USD billions: label, mean, and the 5–95% range where paths differ.
fn money_line(text: &mut String, label: &str, stat: &StatJson) {
    let _ = writeln!(text, "  {label:<34}{:>10}{}", bn(stat), band(stat, 1.0, ""));
}

fn percent(stat: &StatJson) -> String {
    stat.mean.map_or("none".to_string(), |v| format!("{:.2}%", v * 100.0))
}

fn rate(value: f64) -> String {
    format!("{:.2}%", value * 100.0)
}

/// The median with its 5–95% range where paths differ, to `digits` decimals.
fn with_band(stat: &StatJson, digits: usize) -> String {
    let Some(p50) = stat.p50 else { return "–".to_string() };
    format!("{p50:.digits$}{}", band_to(stat, 1.0, "", digits))
}

/// The exchange rate and reserves at the end of each December, and the stability clause.
fn currency(text: &mut String, output: &RunOutput) {
    if let Some(fx) = &output.fx {
        let _ = writeln!(
            text,
            "Exchange rate ({}, {} calibrated {} to {}; {} channel)",
            fx.pair, fx.model, fx.calibration.from, fx.calibration.to, fx.funding_channel
        );
        let _ = writeln!(text, "  last observed {}                {:>10.2}", fx.start.date, fx.start.rate);
        for month in fx.months.iter().filter(|m| m.month.ends_with("-12")).take(5) {
            let _ =
                writeln!(text, "  end of {} (median)              {}", &month.month[..4], with_band(&month.rate, 1));
        }
    }
    if let Some(reserves) = &output.reserves {
        match (reserves.ara_usd_bn, reserves.ara_floor) {
            (Some(ara), Some(floor)) => {
                let _ = writeln!(text, "Reserves (USD bn; ARA metric {ara:.1}, floor {:.0}% of it)", floor * 100.0);
                let _ = writeln!(
                    text,
                    "  start                             {:>10.2}   (ARA ratio {:.2})",
                    reserves.start_usd_bn,
                    reserves.start_usd_bn / ara
                );
            }
            _ => {
                let _ = writeln!(text, "Reserves (USD bn; no ARA inputs)");
                let _ = writeln!(text, "  start                             {:>10.2}", reserves.start_usd_bn);
            }
        }
        for month in reserves.months.iter().filter(|m| m.month.ends_with("-12")).take(5) {
            let ratio = month.ara_ratio.as_ref().map_or(String::new(), |r| format!("   ARA ratio {}", with_band(r, 2)));
            let _ = writeln!(
                text,
                "  end of {} (median)              {}{ratio}",
                &month.month[..4],
                with_band(&month.reserves_usd_bn, 1),
            );
        }
        if let Some(breach) = reserves.breach_probability {
            let _ = writeln!(text, "  below the floor in some month     {:>9.1}%", breach * 100.0);
        }
        if reserves.swap_draw_probability > 0.0 {
            let _ = writeln!(
                text,
                "  swap line drawn                   {:>9.1}%   (peak drawing, mean {:.2})",
                reserves.swap_draw_probability * 100.0,
                reserves.swap_drawn_usd_bn.mean.unwrap_or(0.0)
            );
        }
        let mean = |s: &StatJson| s.mean.unwrap_or(0.0);
        let _ = writeln!(
            text,
            "  deferrals requested / granted     {:>10.2} / {:.2} (mean per path)",
            mean(&reserves.deferral_requests),
            mean(&reserves.deferrals_granted)
        );
    }
}

pub fn run_summary(deal: &Deal, output: &RunOutput) -> String {
    let mut text = String::new();
    let t = &output.totals;
    let _ = writeln!(text, "{}", output.title);
    let _ = writeln!(
        text,
        "{} · {} invests in {} · {} to {} · {}",
        output.deal,
        deal.investor,
        deal.host,
        deal.start,
        deal.end,
        if output.deterministic {
            "deterministic (no random inputs)".to_string()
        } else {
            format!("{} paths, seed {}", output.paths, output.seed)
        }
    );
    if !output.overrides.is_empty() {
        let _ = writeln!(text, "Overrides: {}", output.overrides.join(", "));
    }
    let _ = writeln!(text);
    let _ = writeln!(text, "Investor ({})                       USD bn", deal.investor);
    let npv_label = |rate_value: f64| format!("NPV at {} to {}", rate(rate_value), deal.start);
    money_line(&mut text, "paid (funding + guarantee calls)", &t.investor_paid);
    money_line(&mut text, "received", &t.investor_received);
    money_line(&mut text, &npv_label(deal.run.investor_discount_rate), &t.investor_npv);
    let irr_note = if t.irr_multiple_roots { " (several roots; Excel's choice)" } else { "" };
    let _ = writeln!(
        text,
        "  {:<34}{:>10}{irr_note}{}",
        "IRR",
        percent(&t.investor_irr),
        band(&t.investor_irr, 100.0, "%")
    );
    let moic = t.investor_moic.mean.map_or("none".to_string(), |m| format!("{m:.2}x"));
    let _ = writeln!(text, "  {:<34}{moic:>10}", "MOIC (cash received / paid)");
    let terminal_label = format!("terminal value on {}", deal.end);
    if deal.run.terminal_value == pactsim_model::deal::TerminalValue::RemainingFlows {
        money_line(&mut text, &terminal_label, &t.investor_terminal_value);
        let _ = writeln!(text, "    (what is still owned or owed then: in the NPV and IRR, not in paid or received)");
    }
    money_line(&mut text, "guarantee calls", &t.guarantee_calls);
    money_line(&mut text, "losses (loans, guarantee claims)", &t.losses);
    money_line(&mut text, "equity written off on defaults", &t.equity_lost);
    if output.facilities.len() > 1 {
        let _ = writeln!(text, "By facility (the investor's figures on each one's projects alone)");
        // Where the money comes from matters only to a deal whose currency and reserves are modelled.
        let has_currency = output.fx.is_some() || output.reserves.is_some();
        let header = if has_currency { "   funded from" } else { "" };
        let _ = writeln!(text, "  {:<22}{:>9}{:>9}{:>8}{:>10}{header}", "", "NPV", "IRR", "MOIC", "recouped");
        for f in &output.facilities {
            let recouped = f.recouped_share.map_or("n/a".to_string(), |share| format!("{:.1}%", share * 100.0));
            let moic = f.moic.mean.map_or("none".to_string(), |m| format!("{m:.2}x"));
            let channel = match f.funding_channel {
                _ if !has_currency => String::new(),
                "none" => "   abroad (channel none)".to_string(),
                other => format!("   {other}"),
            };
            let _ = writeln!(
                text,
                "  {:<22}{:>9}{:>9}{:>8}{:>10}{channel}",
                f.id,
                bn(&f.npv),
                percent(&f.irr),
                moic,
                recouped
            );
        }
    }
    let _ = writeln!(text, "Host ({})", deal.host);
    money_line(&mut text, "tax", &t.host_tax);
    money_line(&mut text, "distributions", &t.host_received);
    if deal.run.terminal_value == pactsim_model::deal::TerminalValue::RemainingFlows {
        money_line(&mut text, &format!("terminal value on {}", deal.end), &t.host_terminal_value);
    }
    money_line(&mut text, &npv_label(deal.run.host_discount_rate), &t.host_npv);
    if let (Some(relief), Some(trade)) = (&t.tariff_relief_npv, &output.trade) {
        let from = deal.trade.iter().map(|m| m.relief_from(deal.start)).min().unwrap_or(deal.start);
        let _ = writeln!(text, "Tariff relief for {} exporters, deal vs no deal (USD bn a year)", deal.investor);
        let _ = writeln!(text, "  {:<22}{:>12}{:>13}   from", "market", "relief", "duty saved");
        for market in &trade.markets {
            let _ = writeln!(
                text,
                "  {:<22}{:>12}{:>13}   {}",
                market.id,
                bn(&market.investor_tariff_relief_usd_bn_per_year),
                format!("{:.2}", market.duty_saved_usd_bn_per_year),
                market.market.effective
            );
        }
        if trade.markets.len() > 1 {
            let _ = writeln!(
                text,
                "  {:<22}{:>12}{:>13}",
                "all markets",
                bn(&trade.investor_tariff_relief_usd_bn_per_year),
                format!("{:.2}", trade.duty_saved_usd_bn_per_year)
            );
        }
        let _ = writeln!(
            text,
            "  (relief: the exporters' surplus gain in the model, which enters the deal NPV; duty saved:\n   \
             the tariff cut times their base-year sales, the press's yardstick, with no price or volume change)"
        );
        let _ = writeln!(
            text,
            "  relief NPV from {from} at {:<6}{:>10}{}",
            rate(deal.run.investor_discount_rate),
            bn(relief),
            band(relief, 1.0, "")
        );
        if let Some(deal_npv) = &t.deal_npv {
            let _ = writeln!(text, "Deal NPV for the investor");
            let _ =
                writeln!(text, "  investment NPV + relief NPV       {:>10}{}", bn(deal_npv), band(deal_npv, 1.0, ""));
        }
    }
    currency(&mut text, output);
    if !output.deterministic {
        let _ = writeln!(text, "Across paths");
        let mean = |s: &StatJson| s.mean.unwrap_or(0.0);
        let _ = writeln!(text, "  projects refused (mean)           {:>10.2}", mean(&t.declines));
        let _ = writeln!(text, "  host snapped the tariff back      {:>9.1}%", t.snapback_share * 100.0);
        let _ = writeln!(text, "  projects defaulted (mean)         {:>10.2}", mean(&t.defaults));
        match t.recouped_share {
            Some(share) => {
                let _ = writeln!(text, "  every account recouped            {:>9.1}%", share * 100.0);
            }
            None => {
                let _ = writeln!(
                    text,
                    "  every account recouped            n/a: no recoup account (no waterfall runs until recouped)"
                );
            }
        }
        let _ = writeln!(text, "  (figures are means over {} paths, with the 5th to 95th percentiles)", output.paths);
    }
    let _ = writeln!(text);

    let _ = writeln!(
        text,
        "Recoup{}",
        if output.deterministic {
            ""
        } else {
            " (listed projects on the central path: no defaults, no generated projects)"
        }
    );
    if output.recoup_accounts.is_empty() {
        let _ = writeln!(text, "  no waterfall runs until recouped: nothing to recoup");
    } else {
        let recouped = output.recoup_accounts.iter().filter(|a| a.recouped_on.is_some()).count();
        let _ = writeln!(text, "  {recouped} of {} accounts recouped by {}", output.recoup_accounts.len(), deal.end);
        for account in &output.recoup_accounts {
            let status = account
                .recouped_on
                .as_deref()
                .map_or("not recouped by the horizon".to_string(), |d| format!("recouped {d}"));
            let _ = writeln!(text, "  {:<40} {status}", account.account);
        }
    }
    let cut: Vec<String> = output
        .projects
        .iter()
        .filter(|p| p.size_cut_usd_bn > 0.0)
        .map(|p| format!("{} cut by {:.2} to fit the commitment", p.id, p.size_cut_usd_bn))
        .collect();
    let pending: Vec<&str> = output
        .projects
        .iter()
        .filter(|p| p.funded_on.is_none() && p.size_usd_bn > 0.0)
        .map(|p| p.id.as_str())
        .collect();
    for line in &cut {
        let _ = writeln!(text, "  note: {line}");
    }
    if !pending.is_empty() {
        let _ = writeln!(text, "  note: still awaiting funding at the horizon: {}", pending.join(", "));
    }
    let _ = writeln!(text);

    let relief_header = if output.trade.is_some() { "   tariff relief" } else { "" };
    let _ = writeln!(text, "Year   investor paid   received   host tax   host received   deferred{relief_header}");
    for year in &output.years {
        if year.figures.values().all(|s| s.mean.unwrap_or(0.0) == 0.0) {
            continue;
        }
        let figure = |figure| year.get(figure).expect("every year has the figures of its deal");
        let relief = year.get(YearFigure::TariffRelief).map(|r| format!("   {:>13}", bn(&r))).unwrap_or_default();
        let _ = writeln!(
            text,
            "{}   {:>13}   {:>8}   {:>8}   {:>13}   {:>8}{relief}",
            year.year,
            bn(&figure(YearFigure::InvestorPaid)),
            bn(&figure(YearFigure::InvestorReceived)),
            bn(&figure(YearFigure::HostTax)),
            bn(&figure(YearFigure::HostReceived)),
            bn(&figure(YearFigure::Deferred))
        );
    }
    let _ = writeln!(text, "(USD bn, nominal; years with no flows are not shown; --json for everything)");
    text
}

fn mean(stat: &StatJson) -> f64 {
    stat.mean.unwrap_or(0.0)
}

fn elasticity(value: Option<f64>) -> String {
    value.map_or("∞".to_string(), |v| format!("{v}"))
}

/// The trade picture as tables, one per market and scenario.
pub fn trade_summary(document: &TradeOutput) -> String {
    let mut text = String::new();
    let t = &document.trade;
    if !document.overrides.is_empty() {
        let _ = writeln!(text, "Overrides: {}", document.overrides.join(", "));
    }
    let investor = t.markets.first().map_or("", |m| m.market.investor.as_str());
    for (i, market) in t.markets.iter().enumerate() {
        if i > 0 {
            let _ = writeln!(text);
        }
        market_summary(&mut text, &market.id, &market.market, t.markets.len() > 1);
        let _ = writeln!(text);
        let _ = writeln!(
            text,
            "{investor} exporters' tariff relief under the deal: {:.3} USD bn a year (producer surplus, deal minus no deal); duty saved {:.3} (tariff cut times base-year sales)",
            mean(&market.investor_tariff_relief_usd_bn_per_year),
            market.duty_saved_usd_bn_per_year
        );
    }
    if t.markets.len() > 1 {
        let _ = writeln!(text);
        let _ = writeln!(
            text,
            "All markets: relief {:.3} USD bn a year, duty saved {:.3}",
            mean(&t.investor_tariff_relief_usd_bn_per_year),
            t.duty_saved_usd_bn_per_year
        );
    }
    text
}

/// One market's tables, one per scenario; `named` heads it with its id.
fn market_summary(text: &mut String, id: &str, t: &crate::MarketJson, named: bool) {
    let e = &t.elasticities;
    let heading = if named { format!("Market {id}: ") } else { String::new() };
    let _ = writeln!(text, "{heading}Trade: {} in {}, base year {} ({})", t.sector, t.importer, t.year, t.market);
    let _ = writeln!(
        text,
        "Elasticities: substitution {}, demand {}, foreign supply {}, domestic supply {}",
        elasticity(e.substitution),
        elasticity(e.demand),
        elasticity(e.foreign_supply),
        elasticity(e.domestic_supply)
    );
    if e.given.values().any(|g| g.contains('(')) {
        let _ = writeln!(
            text,
            "(elasticities shown at the distributions' central values; the tables give means over the paths)"
        );
    }
    let _ = writeln!(text, "Deal tariffs apply from {}. Changes are relative to {}.", t.effective, t.year);
    for (name, scenario) in &t.scenarios {
        let _ = writeln!(text);
        let _ = writeln!(
            text,
            "{name}: price index {:+.2}%, tariff revenue {:.2}, consumer surplus change {:+.2} (USD bn/yr)",
            mean(&scenario.price_index_change) * 100.0,
            mean(&scenario.tariff_revenue_usd_bn),
            mean(&scenario.consumer_surplus_change_usd_bn)
        );
        let _ = writeln!(text, "  source     tariff    value  producer price  quantity   duties  producer surplus");
        for (code, source) in &scenario.sources {
            let tariff = t.tariffs[name][code];
            let _ = writeln!(
                text,
                "  {code:<9} {:>6.1}%  {:>7.2}  {:>+13.2}%  {:>+7.2}%  {:>7.2}  {:>+16.3}",
                tariff * 100.0,
                mean(&source.value_usd_bn),
                mean(&source.producer_price_change) * 100.0,
                mean(&source.quantity_change) * 100.0,
                mean(&source.duties_usd_bn),
                mean(&source.producer_surplus_change_usd_bn)
            );
        }
    }
}
