//! Bad input, case by case: each test is a deal file with one mistake and the diagnostic it must
//! give (line, column, field, and what the message says). Adding a case is adding a line.

use super::*;
use crate::deal::{FundingLag, ProjectCash, Recoup, Scope};

pub(super) const BASE: &str = r#"schema = 1

[deal]
id = "test-deal"
title = "A test deal"
investor = "KR"
host = "US"
start = 2025-11-14
horizon_years = 30

[[facility]]
id = "strategic"
commitment_usd_bn = 200.0
annual_cap_usd_bn = 20.0
selection_ends = 2029-01-19
funding_lag = { business_days = 45 }
instruments = { equity = 1.0 }
waterfall = "mou"

[[facility]]
id = "shipbuilding"
commitment_usd_bn = 150.0
instruments = { equity = 0.4, loan = 0.3, guarantee = 0.3 }
loan = { rate = 0.05, years = 12 }
guarantee_fee_rate = 0.01
waterfall = "owner"

[waterfall.mou]
host_tax_rate = 0.21
recoup = "deemed-allocation"
deemed_rate = 0.055
deemed_life_years = 20
scope = "project"
tiers = [
  { until = "recouped", investor = 0.5, host = 0.5 },
  { investor = 0.1, host = 0.9 },
]

[waterfall.owner]
tiers = [ { investor = 1.0, host = 0.0 } ]

[[project]]
id = "ohio-gas-power"
facility = "strategic"
selected = 2026-02-17
size_usd_bn = 33.3
cash_flows_usd_bn = [0.0, 0.0, 2.9, 2.9, 2.9]

[[project]]
id = "yard"
facility = "shipbuilding"
selected = 2026-06-01
size_usd_bn = 5.0
irr = 0.07
life_years = 25
construction_years = 3

[run]
paths = 1
seed = 20251114
discount_rate = { investor = 0.04, host = 0.045 }
"#;

/// The base deal with `from` replaced by `to` (which must occur exactly once).
fn patched(from: &str, to: &str) -> String {
    assert_eq!(BASE.matches(from).count(), 1, "patch target `{from}` must occur once");
    BASE.replacen(from, to, 1)
}

/// Asserts the first diagnostic sits at `line:column`, names `field`, and mentions each of `words`.
#[track_caller]
fn check_error(source: &str, line: usize, column: usize, field: &str, words: &[&str]) {
    let diagnostics = parse_deal(source).expect_err("the deal must be rejected");
    let first = &diagnostics[0];
    let text = format!("{} {}", first.message(), first.hint.clone().unwrap_or_default());
    assert_eq!(first.line_column(source), (line, column), "{text}");
    assert_eq!(first.field, field, "{text}");
    for word in words {
        assert!(text.contains(word), "`{word}` missing from: {text}");
    }
}

#[test]
fn the_base_deal_is_valid_and_read_as_written() {
    let deal = parse_deal(BASE).unwrap();
    assert_eq!(deal.id, "test-deal");
    assert_eq!(deal.end.to_string(), "2055-11-14");
    assert_eq!(deal.facilities[0].funding_lag, FundingLag::BusinessDays(45));
    assert_eq!(deal.facilities[0].annual_cap_usd_bn, Some(20.0));
    assert_eq!(deal.facilities[1].funding_lag, FundingLag::Days(0));
    let mou = &deal.waterfalls[deal.facilities[0].waterfall];
    assert_eq!(mou.recoup, Recoup::DeemedAllocation { rate: 0.055, life_years: 20 });
    assert_eq!(mou.scope, Scope::Project);
    assert_eq!(mou.recoup_tier.unwrap().investor, 0.5);
    assert_eq!(mou.final_tier.host, 0.9);
    assert_eq!(deal.projects[1].cash, ProjectCash::Level { irr: 0.07, life_years: 25, construction_years: 3 });
    assert_eq!(deal.run.seed, 20251114);
    assert_eq!(deal.run.host_discount_rate, 0.045);
}

#[test]
fn defaults_are_listed() {
    let deal = parse_deal(BASE).unwrap();
    let defaults = deal.defaults_applied.join("\n");
    assert!(defaults.contains("facility[\"shipbuilding\"].funding_lag = { days = 0 }"), "{defaults}");
    assert!(defaults.contains("waterfall.owner.host_tax_rate = 0"), "{defaults}");
    // Rules that cannot matter are not listed: the owner waterfall never waits for recoup.
    assert!(!defaults.contains("waterfall.owner.recoup"), "{defaults}");
    assert!(!defaults.contains("facility[\"strategic\"].guarantee_fee_rate"), "{defaults}");
    assert!(!defaults.contains("run.seed"), "{defaults}");
}

#[test]
fn a_minimal_deal_needs_only_the_deal_table() {
    let source = "schema = 1\n[deal]\nid = \"x\"\ntitle = \"t\"\ninvestor = \"KR\"\nhost = \"US\"\nstart = 2025-01-01\nhorizon_years = 5\n";
    let deal = parse_deal(source).unwrap();
    assert!(deal.facilities.is_empty());
    assert_eq!((deal.run.paths, deal.run.seed), (1, 1));
    assert_eq!(deal.run.investor_discount_rate, 0.04);
}

#[test]
fn a_facility_without_a_waterfall_is_investor_owned() {
    let deal = parse_deal(&patched("waterfall = \"owner\"\n", "")).unwrap();
    let waterfall = &deal.waterfalls[deal.facilities[1].waterfall];
    assert!(!waterfall.has_recoup());
    assert_eq!(waterfall.final_tier.investor, 1.0);
}

#[test]
fn sources_and_notes_are_allowed_on_every_table() {
    let source = patched(
        "instruments = { equity = 1.0 }",
        "instruments = { equity = 1.0, note = \"all equity\", sources = [\"https://example.org\"] }",
    );
    assert!(parse_deal(&source).is_ok());
    let source = patched("{ investor = 0.1, host = 0.9 },", "{ investor = 0.1, host = 0.9, note = \"90/10\" },");
    assert!(parse_deal(&source).is_ok());
}

#[test]
fn not_toml() {
    check_error(&patched("[deal]", "[deal"), 3, 6, "", &["expected"]);
}

#[test]
fn misspelt_field_suggests_the_closest_name() {
    check_error(
        &patched("annual_cap_usd_bn = 20.0", "anual_cap_usd_bn = 20.0"),
        14,
        1,
        "facility[\"strategic\"].anual_cap_usd_bn",
        &["unknown field", "did you mean `annual_cap_usd_bn`?"],
    );
}

#[test]
fn misspelt_section_suggests_the_closest_name() {
    check_error(&patched("[run]", "[rnu]"), 58, 2, "rnu", &["unknown field", "did you mean `run`?"]);
}

#[test]
fn missing_required_field() {
    check_error(&patched("horizon_years = 30\n", ""), 3, 1, "deal.horizon_years", &["required"]);
}

#[test]
fn wrong_type() {
    check_error(
        &patched("horizon_years = 30", "horizon_years = \"30\""),
        9,
        17,
        "deal.horizon_years",
        &["string", "whole number"],
    );
    check_error(
        &patched("commitment_usd_bn = 200.0", "commitment_usd_bn = \"200\""),
        13,
        21,
        "facility[\"strategic\"].commitment_usd_bn",
        &["number"],
    );
}

#[test]
fn negative_money() {
    check_error(
        &patched("annual_cap_usd_bn = 20.0", "annual_cap_usd_bn = -20.0"),
        14,
        21,
        "facility[\"strategic\"].annual_cap_usd_bn",
        &["-20", "0 or more"],
    );
    check_error(
        &patched("[0.0, 0.0, 2.9, 2.9, 2.9]", "[0.0, -1.0, 2.9]"),
        47,
        27,
        "project[\"ohio-gas-power\"].cash_flows_usd_bn[1]",
        &["-1", "0 or more"],
    );
}

#[test]
fn not_a_number() {
    check_error(
        &patched("commitment_usd_bn = 200.0", "commitment_usd_bn = nan"),
        13,
        21,
        "facility[\"strategic\"].commitment_usd_bn",
        &["NaN"],
    );
    check_error(
        &patched("size_usd_bn = 33.3", "size_usd_bn = inf"),
        46,
        15,
        "project[\"ohio-gas-power\"].size_usd_bn",
        &["inf"],
    );
}

#[test]
fn percentages_instead_of_fractions() {
    check_error(
        &patched("host_tax_rate = 0.21", "host_tax_rate = 21"),
        29,
        17,
        "waterfall.mou.host_tax_rate",
        &["21", "0.15, not 15"],
    );
}

#[test]
fn shares_that_do_not_sum_to_one() {
    check_error(
        &patched("{ equity = 0.4, loan = 0.3, guarantee = 0.3 }", "{ equity = 0.4, loan = 0.3, guarantee = 0.2 }"),
        23,
        15,
        "facility[\"shipbuilding\"].instruments",
        &["= 1"],
    );
    check_error(
        &patched("{ investor = 0.1, host = 0.9 }", "{ investor = 0.1, host = 0.8 }"),
        36,
        3,
        "waterfall.mou.tiers[1]",
        &["sum to 1"],
    );
}

#[test]
fn dates_outside_the_horizon() {
    check_error(
        &patched("selected = 2026-02-17", "selected = 2025-01-01"),
        45,
        12,
        "project[\"ohio-gas-power\"].selected",
        &["2025-01-01", "2025-11-14 to 2055-11-14"],
    );
    check_error(
        &patched("selected = 2026-02-17", "selected = 2056-01-01"),
        45,
        12,
        "project[\"ohio-gas-power\"].selected",
        &["within the horizon"],
    );
}

#[test]
fn selected_after_selection_ends() {
    check_error(
        &patched("selected = 2026-02-17", "selected = 2029-02-01"),
        45,
        12,
        "project[\"ohio-gas-power\"].selected",
        &["2029-01-19"],
    );
}

#[test]
fn a_date_with_a_time() {
    check_error(&patched("start = 2025-11-14", "start = 2025-11-14T10:00:00"), 8, 9, "deal.start", &["no time"]);
}

#[test]
fn undefined_waterfall_suggests_the_closest() {
    check_error(
        &patched("waterfall = \"mou\"", "waterfall = \"mu\""),
        18,
        13,
        "facility[\"strategic\"].waterfall",
        &["\"mou\"", "did you mean \"mou\"?"],
    );
}

#[test]
fn undefined_facility_suggests_the_closest() {
    check_error(
        &patched("facility = \"strategic\"", "facility = \"strategic-fund\""),
        44,
        12,
        "project[\"ohio-gas-power\"].facility",
        &["\"strategic\"", "did you mean \"strategic\"?"],
    );
}

#[test]
fn unknown_enum_values_suggest_the_closest() {
    check_error(
        &patched("recoup = \"deemed-allocation\"", "recoup = \"deemed_allocation\""),
        30,
        10,
        "waterfall.mou.recoup",
        &["\"capital\"", "did you mean \"deemed-allocation\"?"],
    );
    check_error(
        &patched("scope = \"project\"", "scope = \"pooled\""),
        33,
        9,
        "waterfall.mou.scope",
        &["\"portfolio\""],
    );
    check_error(
        &patched("until = \"recouped\"", "until = \"recoup\""),
        35,
        13,
        "waterfall.mou.tiers[0].until",
        &["\"recouped\""],
    );
}

#[test]
fn recoup_rules_need_their_parameters() {
    check_error(&patched("deemed_rate = 0.055\n", ""), 30, 10, "waterfall.mou.deemed_rate", &["deemed_rate"]);
    check_error(
        &patched("deemed_life_years = 20\n", ""),
        30,
        10,
        "waterfall.mou.deemed_life_years",
        &["deemed_life_years"],
    );
}

#[test]
fn loans_need_terms() {
    check_error(
        &patched("loan = { rate = 0.05, years = 12 }\n", ""),
        23,
        15,
        "facility[\"shipbuilding\"].loan",
        &["loan"],
    );
}

#[test]
fn funding_lag_needs_exactly_one_unit() {
    check_error(
        &patched("{ business_days = 45 }", "{ business_days = 45, days = 63 }"),
        16,
        15,
        "facility[\"strategic\"].funding_lag",
        &["exactly one"],
    );
}

#[test]
fn tiers_after_an_open_ended_tier_can_never_be_reached() {
    check_error(
        &patched("{ until = \"recouped\", investor = 0.5, host = 0.5 }", "{ investor = 0.5, host = 0.5 }"),
        35,
        3,
        "waterfall.mou.tiers[0]",
        &["until"],
    );
}

#[test]
fn the_last_tier_cannot_wait_for_recoup() {
    check_error(
        &patched(
            "tiers = [ { investor = 1.0, host = 0.0 } ]",
            "tiers = [ { until = \"recouped\", investor = 1.0, host = 0.0 } ]",
        ),
        40,
        21,
        "waterfall.owner.tiers[0].until",
        &["last tier"],
    );
}

#[test]
fn a_project_needs_exactly_one_form_of_cash() {
    check_error(
        &patched("cash_flows_usd_bn = [0.0, 0.0, 2.9, 2.9, 2.9]", "cash_flows_usd_bn = [1.0]\nirr = 0.07"),
        47,
        21,
        "project[\"ohio-gas-power\"].cash_flows_usd_bn",
        &["both"],
    );
    check_error(&patched("life_years = 25\n", ""), 49, 1, "project[\"yard\"].life_years", &["life_years"]);
}

#[test]
fn duplicate_ids() {
    check_error(
        &patched("id = \"yard\"", "id = \"ohio-gas-power\""),
        50,
        6,
        "project[\"ohio-gas-power\"].id",
        &["second time"],
    );
}

#[test]
fn bad_identifiers_and_parties() {
    check_error(&patched("id = \"test-deal\"", "id = \"Test Deal\""), 4, 6, "deal.id", &["[a-z0-9-]+"]);
    check_error(&patched("investor = \"KR\"", "investor = \"Korea\""), 6, 12, "deal.investor", &["ISO 3166-1"]);
}

// --- [fx], [reserves], [stability] -------------------------------------------------------------

const CURRENCY: &str = r#"
[fx]
pair = "KRW/USD"
model = "gbm"
calibrate = { from = 2010-01-01, to = 2024-12-31 }
funding_channel = "market"
outflow_impact = 0.018
swap_line_usd_bn = 30.0

[reserves]
start_usd_bn = 428.05
gdp_usd_bn = 1868.0
baseline_change_usd_bn_per_year = 5.0
ara = { exports_usd_bn = 719.0, broad_money_usd_bn = 2900.0, short_term_debt_usd_bn = 179.0, other_liabilities_usd_bn = 600.0 }

[stability]
depreciation_trigger = 0.10
window_months = 3
ara_floor = 1.0
host_accepts_probability = 0.5
deferral_months = 12
"#;

/// The base deal with the currency sections, `from` replaced by `to` in them.
fn with_currency(from: &str, to: &str) -> String {
    if from.is_empty() {
        return format!("{BASE}{CURRENCY}");
    }
    assert_eq!(CURRENCY.matches(from).count(), 1, "patch target `{from}` must occur once");
    format!("{BASE}{}", CURRENCY.replacen(from, to, 1))
}

/// The line of the currency sections' text that holds `needle`, in the patched deal.
fn currency_line(needle: &str) -> usize {
    BASE.lines().count() + CURRENCY.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn currency_sections_are_read_as_written() {
    use crate::deal::{AraRegime, FundingChannel};
    let deal = parse_deal(&with_currency("", "")).unwrap();
    let currency = deal.currency.as_ref().unwrap();
    let fx = currency.fx.as_ref().unwrap();
    assert_eq!(
        (fx.pair.as_str(), fx.channel, fx.outflow_impact, fx.swap_line_usd_bn),
        ("KRW/USD", FundingChannel::Market, 0.018, 30.0)
    );
    // The last observation before 2025-11-14 (a Friday) is the day before.
    assert_eq!(fx.model.last_observed().0.to_string(), "2025-11-13");
    let reserves = currency.reserves.unwrap();
    assert_eq!(reserves.ara.unwrap().regime, AraRegime::Floating);
    // 0.05·719 + 0.05·2900 + 0.30·179 + 0.15·600
    assert!((reserves.ara.unwrap().metric_usd_bn() - 324.65).abs() < 1e-9);
    let stability = currency.stability.unwrap();
    assert_eq!((stability.window_months, stability.deferral_months), (3, 12));
    assert!(
        deal.defaults_applied.contains(&"reserves.ara.regime = \"floating\"".to_string()),
        "{:?}",
        deal.defaults_applied
    );
    assert!(deal.is_random());
}

#[test]
fn currency_mistakes() {
    check_error(
        &with_currency("pair = \"KRW/USD\"", "pair = \"KRW/USS\""),
        currency_line("pair ="),
        8,
        "fx.pair",
        &["\"KRW/USD\"", "did you mean"],
    );
    check_error(
        &with_currency("model = \"gbm\"", "model = \"garh\""),
        currency_line("model ="),
        9,
        "fx.model",
        &["\"gbm\", \"garch\", \"bootstrap\"", "did you mean \"garch\""],
    );
    check_error(
        &with_currency("from = 2010-01-01", "from = 1990-01-01"),
        currency_line("calibrate"),
        13,
        "fx.calibrate",
        &["within the embedded KRW/USD history", "1999-01-04"],
    );
    check_error(
        &with_currency("to = 2024-12-31", "to = 2010-02-01"),
        currency_line("calibrate"),
        13,
        "fx.calibrate",
        &["cannot be fitted", "longer window"],
    );
    check_error(
        &with_currency("funding_channel = \"market\"", "funding_channel = \"spot\""),
        currency_line("funding_channel"),
        19,
        "fx.funding_channel",
        &["\"reserves\", \"market\""],
    );
    check_error(
        &with_currency("depreciation_trigger = 0.10", "depreciation_trigger = 10"),
        currency_line("depreciation_trigger"),
        24,
        "stability.depreciation_trigger",
        &["write 0.10 for a 10% loss, not 10"],
    );
    check_error(
        &with_currency("host_accepts_probability = 0.5", "host_accepts_probability = 50"),
        currency_line("host_accepts"),
        28,
        "stability.host_accepts_probability",
        &["0.15, not 15"],
    );
    let source =
        with_currency("other_liabilities_usd_bn = 600.0 }", "other_liabilities_usd_bn = 600.0, regime = \"float\" }");
    let diagnostics = parse_deal(&source).unwrap_err();
    assert_eq!(diagnostics[0].field, "reserves.ara.regime");
    assert_eq!(diagnostics[0].hint.as_deref(), Some("did you mean \"floating\"?"));
    check_error(
        &with_currency("deferral_months = 12", "deferral_months = 0"),
        currency_line("deferral_months"),
        19,
        "stability.deferral_months",
        &[],
    );
}

#[test]
fn currency_sections_need_each_other() {
    // The market channel needs GDP from [reserves]; the clause needs [fx]; a floor needs [reserves].
    let fx_only = CURRENCY.split("[reserves]").next().unwrap();
    let source = format!("{BASE}{fx_only}");
    check_error(&source, currency_line("funding_channel"), 19, "fx.funding_channel", &["no [reserves] section"]);
    let stability_only = &CURRENCY[CURRENCY.find("[stability]").unwrap()..];
    let source = format!("{BASE}\n{stability_only}");
    check_error(&source, BASE.lines().count() + 2, 1, "stability", &["no [fx] section"]);
    let reserves_only = &CURRENCY[CURRENCY.find("[reserves]").unwrap()..CURRENCY.find("[stability]").unwrap()];
    let deal = parse_deal(&format!("{BASE}\n{reserves_only}")).unwrap();
    let currency = deal.currency.unwrap();
    assert!(currency.fx.is_none() && currency.stability.is_none());
    assert_eq!(currency.ara_floor, 1.0);
}

#[test]
fn decline_rules() {
    use crate::deal::DeclineRule;
    let with_trade_and = |decline: &str| format!("{}\n[decline]\n{decline}\n", with_trade("", ""));
    let deal = parse_deal(&with_trade_and("rule = { probability = 0.05 }\nsnapback_probability = 0.8")).unwrap();
    assert_eq!(deal.decline.rule, DeclineRule::Probability(0.05));
    assert_eq!(deal.decline.snapback_probability, 0.8);
    assert_eq!(parse_deal(&with_trade_and("rule = \"negative-npv\"")).unwrap().decline.rule, DeclineRule::NegativeNpv);
    let diagnostics = parse_deal(&with_trade_and("rule = \"negative npv\"")).unwrap_err();
    assert!(diagnostics[0].hint.as_deref() == Some("did you mean \"negative-npv\"?"), "{diagnostics:?}");
    let diagnostics =
        parse_deal(&format!("{BASE}\n[decline]\nrule = \"never\"\nsnapback_probability = 0.5\n")).unwrap_err();
    assert!(diagnostics[0].message().contains("no [trade] section"), "{diagnostics:?}");
}

#[test]
fn credit_fields_on_projects() {
    let deal = parse_deal(&patched(
        "size_usd_bn = 5.0",
        "size_usd_bn = 5.0\nannual_default_probability = 0.007\nrecovery_rate = 0.8",
    ))
    .unwrap();
    assert_eq!(deal.projects[1].credit.annual_default_probability, 0.007);
    assert_eq!(deal.projects[1].credit.recovery_rate, 0.8);
    check_error(
        &patched("size_usd_bn = 5.0", "size_usd_bn = 5.0\nannual_default_probability = 1.0"),
        54,
        30,
        "project[\"yard\"].annual_default_probability",
        &["below 1"],
    );
    check_error(
        &patched("size_usd_bn = 5.0", "size_usd_bn = 5.0\nrecovery_rate = 80"),
        54,
        17,
        "project[\"yard\"].recovery_rate",
        &["0.15, not 15"],
    );
    let deal = parse_deal(&format!("{BASE}\n[credit]\ndefault_correlation = 0.2\n")).unwrap();
    assert_eq!(deal.default_correlation, 0.2);
}

#[test]
fn every_problem_is_reported_in_source_order() {
    let source = patched("annual_cap_usd_bn = 20.0", "annual_cap_usd_bn = -20.0")
        .replace("host_tax_rate = 0.21", "host_tax_rate = 2.1");
    let diagnostics = parse_deal(&source).unwrap_err();
    assert_eq!(diagnostics.len(), 2);
    assert!(diagnostics[0].span.start < diagnostics[1].span.start);
}

#[test]
fn the_schema_names_every_section() {
    let schema = serde_json::to_value(json_schema()).unwrap();
    let properties = schema["properties"].as_object().unwrap();
    for name in [
        "schema",
        "deal",
        "facility",
        "waterfall",
        "project",
        "run",
        "pipeline",
        "trade",
        "fx",
        "reserves",
        "stability",
        "decline",
        "credit",
    ] {
        assert!(properties.contains_key(name), "{name}");
    }
}

// --- [trade] -----------------------------------------------------------------------------------

const TRADE: &str = r#"
[trade]
sector = "autos"
effective = 2025-11-01
no_deal = { KR = 0.25, JP = 0.15, EU = 0.15, ROW = 0.25 }
deal = { KR = 0.15, note = "the MOU's 15% all-in" }
snapback = { KR = 0.25 }
elasticities = { substitution = 5.6, demand = { uniform = { min = -1.5, max = -0.7 } }, foreign_supply = inf, domestic_supply = 2.0 }
"#;

fn with_trade(from: &str, to: &str) -> String {
    let trade = if from.is_empty() {
        TRADE.to_string()
    } else {
        assert_eq!(TRADE.matches(from).count(), 1, "patch target `{from}` must occur once");
        TRADE.replacen(from, to, 1)
    };
    format!("{BASE}{trade}")
}

/// Line of `needle` in the base deal followed by the trade section.
fn trade_line(needle: &str) -> usize {
    BASE.lines().count() + 1 + TRADE.lines().position(|l| l.contains(needle)).expect("needle in TRADE")
}

#[test]
fn trade_schedules_inherit_base_then_no_deal_then_deal() {
    let deal = parse_deal(&with_trade("", "")).unwrap();
    let trade = deal.trade.into_iter().next().unwrap();
    let codes: Vec<&str> = trade.market.sources.iter().map(|s| s.code.as_str()).collect();
    let at = |schedule: usize, code: &str| trade.schedules[schedule][codes.iter().position(|c| *c == code).unwrap()];
    // MX is in no table: its base tariff throughout.
    assert_eq!((at(0, "MX"), at(1, "MX"), at(2, "MX")), (0.0, 0.0, 0.0));
    assert_eq!((at(0, "KR"), at(1, "KR"), at(2, "KR")), (0.25, 0.15, 0.25));
    // JP is only in no_deal: the deal and snapback inherit it.
    assert_eq!((at(0, "JP"), at(1, "JP"), at(2, "JP")), (0.15, 0.15, 0.15));
    assert_eq!(codes[trade.investor], "KR");
    assert!(trade.elasticities.foreign_supply.central().is_infinite());
    assert_eq!(trade.elasticities.demand.central(), -1.1);
    assert_eq!(trade.effective.to_string(), "2025-11-01");
}

#[test]
fn trade_defaults_are_listed() {
    let source = format!("{BASE}\n[trade]\nsector = \"autos\"\n");
    let deal = parse_deal(&source).unwrap();
    let defaults = deal.defaults_applied.join("\n");
    for field in [
        "trade.effective = 2025-11-14",
        "trade.no_deal",
        "trade.deal",
        "trade.elasticities.substitution = 5.6",
        "trade.elasticities.foreign_supply",
    ] {
        assert!(defaults.contains(field), "{field} missing from {defaults}");
    }
}

#[test]
fn trade_unknown_source_suggests_the_closest() {
    check_error(
        &with_trade("ROW = 0.25", "RWO = 0.25"),
        trade_line("no_deal"),
        52,
        "trade.no_deal.RWO",
        &["unknown source `RWO`", "did you mean `ROW`?"],
    );
}

#[test]
fn trade_tariffs_are_fractions_and_never_on_domestic() {
    check_error(
        &with_trade("deal = { KR = 0.15,", "deal = { KR = -0.15,"),
        trade_line("deal = { KR = 0.15"),
        15,
        "trade.deal.KR",
        &["-0.15", "0 or more"],
    );
    check_error(
        &with_trade("snapback = { KR = 0.25 }", "snapback = { KR = 25 }"),
        trade_line("snapback"),
        19,
        "trade.snapback.KR",
        &["25", "write 0.25 for 25%"],
    );
    check_error(
        &with_trade("snapback = { KR = 0.25 }", "snapback = { domestic = 0.1 }"),
        trade_line("snapback"),
        25,
        "trade.snapback.domestic",
        &["domestic"],
    );
}

#[test]
fn trade_elasticities_of_the_wrong_sign() {
    check_error(
        &with_trade("{ uniform = { min = -1.5, max = -0.7 } }", "1.2"),
        trade_line("elasticities"),
        47,
        "trade.elasticities.demand",
        &["1.2", "0 or below"],
    );
    check_error(
        &with_trade("substitution = 5.6", "substitution = -5.6"),
        trade_line("elasticities"),
        33,
        "trade.elasticities.substitution",
        &["above 0"],
    );
    check_error(
        &with_trade("{ uniform = { min = -1.5, max = -0.7 } }", "{ uniform = { min = -1.5, max = 0.7 } }"),
        trade_line("elasticities"),
        47,
        "trade.elasticities.demand",
        &["uniform(-1.5, 0.7)"],
    );
}

#[test]
fn trade_substitution_and_demand_must_be_finite() {
    check_error(
        &with_trade("substitution = 5.6", "substitution = inf"),
        trade_line("elasticities"),
        33,
        "trade.elasticities.substitution",
        &["finite"],
    );
    check_error(
        &with_trade("{ uniform = { min = -1.5, max = -0.7 } }", "-inf"),
        trade_line("elasticities"),
        47,
        "trade.elasticities.demand",
        &["finite"],
    );
}

#[test]
fn trade_lognormal_elasticities_are_positive() {
    let source = with_trade("substitution = 5.6", "substitution = { lognormal = { median = 5.6, p95 = 14.0 } }");
    assert_eq!(parse_deal(&source).unwrap().trade[0].elasticities.central().substitution, 5.6);
}

#[test]
fn trade_distributions_are_checked() {
    check_error(
        &with_trade("{ uniform = { min = -1.5, max = -0.7 } }", "{ unifrom = { min = -1.5, max = -0.7 } }"),
        trade_line("elasticities"),
        47,
        "trade.elasticities.demand",
        &["did you mean `uniform`?"],
    );
    check_error(
        &with_trade("substitution = 5.6", "substitution = { triangular = { min = 8.0, mode = 5.6, max = 2.8 } }"),
        trade_line("elasticities"),
        33,
        "trade.elasticities.substitution",
        &["min ≤ mode ≤ max"],
    );
    check_error(
        &with_trade("substitution = 5.6", "substitution = { normal = { mean = 5.6 } }"),
        trade_line("elasticities"),
        33,
        "trade.elasticities.substitution.normal.sd",
        &["mean, sd"],
    );
}

#[test]
fn trade_sector_without_data_needs_a_market() {
    check_error(
        &with_trade("sector = \"autos\"", "sector = \"auto\""),
        trade_line("sector"),
        10,
        "trade.sector",
        &["\"autos\"", "[trade.market]", "did you mean \"autos\"?"],
    );
}

#[test]
fn trade_market_of_its_own() {
    let market = "\n[trade.market]\nimporter = \"US\"\nyear = 2024\nbase_value_usd_bn = { domestic = 300.0, KR = 37.4, JP = 39.9, EU = 45.4, ROW = 16.0 }\nbase_tariff = { JP = 0.025, EU = 0.025, ROW = 0.025 }\n";
    let source = format!("{}{market}", with_trade("sector = \"autos\"", "sector = \"cars\""));
    let trade = parse_deal(&source).unwrap().trade.into_iter().next().unwrap();
    assert_eq!(trade.market.sources.len(), 5);
    assert_eq!(trade.market.sources[2].base_tariff, 0.025);
    assert_eq!(trade.market.origin, "deal file [trade.market]");

    let without_investor = source
        .replace("KR = 37.4, ", "")
        .replace("{ KR = 0.25, ", "{ ")
        .replace("KR = 0.15, ", "")
        .replace("{ KR = 0.25 }", "{}");
    let diagnostics = parse_deal(&without_investor).unwrap_err();
    assert!(diagnostics.iter().any(|d| d.message().contains("investor's source \"KR\"")), "{diagnostics:?}");

    let other_importer = source.replace("importer = \"US\"", "importer = \"CN\"");
    let diagnostics = parse_deal(&other_importer).unwrap_err();
    assert!(diagnostics[0].message().contains("the deal's host \"US\""), "{diagnostics:?}");

    let negative = source.replace("domestic = 300.0", "domestic = -300.0");
    let diagnostics = parse_deal(&negative).unwrap_err();
    assert_eq!(diagnostics[0].field, "trade.market.base_value_usd_bn.domestic");
}

#[test]
fn trade_effective_after_the_horizon() {
    check_error(
        &with_trade("effective = 2025-11-01", "effective = 2060-01-01"),
        trade_line("effective"),
        13,
        "trade.effective",
        &["2055-11-14"],
    );
}

#[test]
fn pipeline_irr_given_as_a_percentage() {
    // Every draw would be cut to the 100% cap: 6.5 is surely 6.5%.
    let pipeline = |irr: &str| {
        format!(
            "{BASE}\n[pipeline.strategic]\nprojects_per_year = 2\nsize_usd_bn = 5.0\nirr = {irr}\nlife_years = 20\n"
        )
    };
    let line = BASE.lines().count() + 5;
    check_error(
        &pipeline("{ normal = { mean = 6.5, sd = 1.6 } }"),
        line,
        7,
        "pipeline.strategic.irr",
        &["normal(mean 6.5, sd 1.6)", "at most 1", "0.07 for 7%"],
    );
    check_error(&pipeline("7"), line, 7, "pipeline.strategic.irr", &["found 7,", "at most 1"]);
    assert!(parse_deal(&pipeline("{ normal = { mean = 0.065, sd = 0.016 } }")).is_ok());
}

#[test]
fn a_facility_takes_its_own_funding_channel_or_that_of_fx() {
    use crate::deal::FundingChannel;
    let own = "guarantee_fee_rate = 0.01\nwaterfall = \"owner\"";
    let source = with_currency("", "").replacen(own, &format!("{own}\nfunding_channel = \"none\""), 1);
    let deal = parse_deal(&source).unwrap_or_else(|e| panic!("{e:?}"));
    let channels: Vec<FundingChannel> = deal.facilities.iter().map(|f| f.funding_channel).collect();
    assert_eq!(channels, [FundingChannel::Market, FundingChannel::Outside], "[fx]'s, then its own");
    assert!(deal.defaults_applied.iter().any(|d| d.starts_with("facility[\"strategic\"].funding_channel")));
    // A misspelt channel gets the closest name; the market channel needs [fx] and [reserves].
    let misspelt = with_currency("", "").replacen(own, &format!("{own}\nfunding_channel = \"nnoe\""), 1);
    let diagnostics = parse_deal(&misspelt).unwrap_err();
    assert_eq!(diagnostics[0].field, "facility[\"shipbuilding\"].funding_channel");
    assert_eq!(diagnostics[0].hint.as_deref(), Some("did you mean \"none\"?"));
    let reserves_only = &CURRENCY[CURRENCY.find("[reserves]").unwrap()..CURRENCY.find("[stability]").unwrap()];
    let market = format!("{}\n{reserves_only}", patched(own, &format!("{own}\nfunding_channel = \"market\"")));
    let diagnostics = parse_deal(&market).unwrap_err();
    assert_eq!(diagnostics[0].field, "facility[\"shipbuilding\"].funding_channel");
    assert!(diagnostics[0].expected.contains("[fx] section"), "{:?}", diagnostics[0]);
}

#[test]
fn the_terminal_value_is_on_unless_switched_off() {
    use crate::deal::TerminalValue;
    let deal = parse_deal(BASE).unwrap();
    assert_eq!(deal.run.terminal_value, TerminalValue::RemainingFlows);
    assert!(deal.defaults_applied.iter().any(|d| d == "run.terminal_value = \"remaining-flows\""));
    let off = patched("seed = 20251114", "seed = 20251114\nterminal_value = \"none\"");
    assert_eq!(parse_deal(&off).unwrap().run.terminal_value, TerminalValue::Off);
    let misspelt = patched("seed = 20251114", "seed = 20251114\nterminal_value = \"remaining-flow\"");
    let diagnostics = parse_deal(&misspelt).unwrap_err();
    assert_eq!(diagnostics[0].field, "run.terminal_value");
    assert_eq!(diagnostics[0].hint.as_deref(), Some("did you mean \"remaining-flows\"?"));
}

/// Two markets: cars under Section 232 and all other goods under the reciprocal tariff.
const MARKETS: &str = r#"
[trade]
note = "two markets"

[[trade.markets]]
id = "cars"
sector = "autos"
effective = 2025-11-01
no_deal = { KR = 0.25 }
deal = { KR = 0.15 }

[[trade.markets]]
id = "other"
sector = "other-goods"
effective = 2025-08-07
no_deal = { KR = 0.25 }
deal = { KR = 0.15 }
"#;

#[test]
fn several_markets_are_read_in_order_each_with_its_sectors_defaults() {
    let deal = parse_deal(&format!("{BASE}{MARKETS}")).unwrap_or_else(|e| panic!("{e:?}"));
    let ids: Vec<&str> = deal.trade.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["cars", "other"]);
    assert_eq!(deal.trade[0].elasticities.central().substitution, 5.6);
    assert_eq!(deal.trade[1].elasticities.central().substitution, 3.8, "the other-goods defaults");
    assert!(deal.defaults_applied.iter().any(|d| d == "trade.markets[\"other\"].elasticities.substitution = 3.8"));
    // The press's yardstick: 10 points on Korea's base-year sales.
    assert!((deal.trade[0].duty_saved_usd_bn_per_year() - 0.1 * 37.386).abs() < 1e-12);
    assert!((deal.trade[1].duty_saved_usd_bn_per_year() - 0.1 * 78.514).abs() < 1e-12);
    // The one-market form's id is its sector.
    assert_eq!(parse_deal(&with_trade("", "")).unwrap().trade[0].id, "autos");
}

#[test]
fn several_markets_are_checked_one_by_one() {
    let source = format!("{BASE}{}", MARKETS.replacen("no_deal = { KR = 0.25 }", "no_deal = { KRR = 0.25 }", 1));
    let diagnostics = parse_deal(&source).unwrap_err();
    assert_eq!(diagnostics[0].field, "trade.markets[\"cars\"].no_deal.KRR");
    assert_eq!(diagnostics[0].hint.as_deref(), Some("did you mean `KR`?"));
    let twice = format!("{BASE}{}", MARKETS.replace("id = \"other\"", "id = \"cars\""));
    assert_eq!(parse_deal(&twice).unwrap_err()[0].field, "trade.markets[\"cars\"].id");
    let mixed = format!("{BASE}{}", MARKETS.replace("note = \"two markets\"", "sector = \"autos\""));
    let diagnostics = parse_deal(&mixed).unwrap_err();
    assert_eq!(diagnostics[0].field, "trade");
    assert!(diagnostics[0].found.contains("one-market fields"), "{:?}", diagnostics[0]);
    let neither = format!("{BASE}\n[trade]\nnote = \"nothing\"\n");
    assert_eq!(parse_deal(&neither).unwrap_err()[0].field, "trade.sector");
}
