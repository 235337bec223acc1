//! The deal file as written: serde types that mirror the TOML one to one, with the byte span of
//! every value so validation can point at it. Nothing here is checked beyond TOML types; see
//! `validate` for the rules. The same types generate the JSON Schema (`pactsim schema`), so their
//! doc comments are what editors show while a deal file is being written.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

/// A TOML date (`2025-11-14`), kept with its span.
pub type RawDate = Spanned<toml::value::Datetime>;

/// A pactsim deal file (schema 1): one investment-for-tariff agreement written down.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "pactsim deal file (schema 1)")]
pub struct RawDealFile {
    /// The deal file format version. Always 1.
    #[schemars(with = "u8", range(min = 1, max = 1))]
    pub schema: Spanned<i64>,
    /// Who pays whom, when the clock starts and how long it runs.
    #[schemars(with = "RawDeal")]
    pub deal: Spanned<RawDeal>,
    /// Pots of money, each with its own rules (array of tables `[[facility]]`).
    #[serde(default)]
    #[schemars(with = "Vec<RawFacility>")]
    pub facility: Vec<Spanned<RawFacility>>,
    /// Profit-split rules by name (`[waterfall.NAME]`), referred to by facilities.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RawWaterfall>")]
    pub waterfall: BTreeMap<String, Spanned<RawWaterfall>>,
    /// Listed projects (array of tables `[[project]]`).
    #[serde(default)]
    #[schemars(with = "Vec<RawProject>")]
    pub project: Vec<Spanned<RawProject>>,
    /// How the deal is run: paths, seed and discount rates.
    #[schemars(with = "Option<RawRun>")]
    pub run: Option<Spanned<RawRun>>,

    /// Generated projects per facility (`[pipeline.<facility id>]`), drawn on every Monte Carlo path.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RawPipeline>")]
    pub pipeline: IndexMap<String, Spanned<RawPipeline>>,
    /// The tariff side of the deal: one importing market (or several, `[[trade.markets]]`),
    /// tariffs with and without the deal.
    #[schemars(with = "Option<RawTrade>")]
    pub trade: Option<Spanned<RawTrade>>,
    /// The investor's exchange rate against the dollar: a model calibrated on embedded history.
    #[schemars(with = "Option<RawFx>")]
    pub fx: Option<Spanned<RawFx>>,
    /// The investor's foreign-exchange reserves and their adequacy (IMF ARA EM metric).
    #[schemars(with = "Option<RawReserves>")]
    pub reserves: Option<Spanned<RawReserves>>,
    /// The FX-stability clause: the investor may ask to defer a funding call in a currency or
    /// reserves crisis.
    #[schemars(with = "Option<RawStability>")]
    pub stability: Option<Spanned<RawStability>>,
    /// When the investor refuses a selected project, and whether the host then snaps back.
    #[schemars(with = "Option<RawDecline>")]
    pub decline: Option<Spanned<RawDecline>>,
    /// Correlated project defaults: a one-factor Gaussian copula.
    #[schemars(with = "Option<RawCredit>")]
    pub credit: Option<Spanned<RawCredit>>,
    /// Construction friction for the investor's projects (work visas, enforcement actions).
    #[schemars(with = "Option<RawLabor>")]
    pub labor: Option<Spanned<RawLabor>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// `[deal]`: the agreement itself.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDeal {
    /// Identifier, lower-case letters, digits and hyphens (`kr-us-2025-mou`).
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9-]+$"))]
    pub id: Spanned<String>,
    /// A title for people.
    #[schemars(with = "String")]
    pub title: Spanned<String>,
    /// The investing party: ISO 3166-1 alpha-2 code, or "EU".
    #[schemars(with = "String", regex(pattern = r"^[A-Z]{2}$"))]
    pub investor: Spanned<String>,
    /// The host party: ISO 3166-1 alpha-2 code, or "EU".
    #[schemars(with = "String", regex(pattern = r"^[A-Z]{2}$"))]
    pub host: Spanned<String>,
    /// The simulation clock starts on this date.
    #[schemars(with = "DateSchema")]
    pub start: RawDate,
    /// Length of the simulation in years (whole years).
    #[schemars(with = "u16", range(min = 1, max = 100))]
    pub horizon_years: Spanned<i64>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// `[[facility]]`: a pot of money with its own rules.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFacility {
    /// Identifier, unique among facilities.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Total size of projects the facility may fund, USD billions.
    #[schemars(with = "f64", range(min = 0.0))]
    pub commitment_usd_bn: Spanned<f64>,
    /// At most this much USD paid by the investor for the facility per calendar year.
    #[schemars(with = "Option<f64>", range(min = 0.0))]
    pub annual_cap_usd_bn: Option<Spanned<f64>>,
    /// No project is selected after this date.
    #[schemars(with = "Option<DateSchema>")]
    pub selection_ends: Option<RawDate>,
    /// Funding is due this long after selection: `{ business_days = 45 }` or `{ days = 45 }`.
    #[schemars(with = "Option<RawFundingLag>")]
    pub funding_lag: Option<Spanned<RawFundingLag>>,
    /// Shares of each project's financing; they sum to 1.
    #[schemars(with = "Option<RawInstruments>")]
    pub instruments: Option<Spanned<RawInstruments>>,
    /// Terms of the loans in this facility (the investor's and the guaranteed ones).
    #[schemars(with = "Option<RawLoan>")]
    pub loan: Option<Spanned<RawLoan>>,
    /// Paid to the investor yearly on the guaranteed balance.
    #[schemars(with = "Option<f64>", range(min = 0.0, max = 1.0))]
    pub guarantee_fee_rate: Option<Spanned<f64>>,
    /// Name of a `[waterfall.NAME]` table.
    #[schemars(with = "Option<String>")]
    pub waterfall: Option<Spanned<String>>,
    /// How this facility's USD is raised: "reserves" (out of the investor's reserves), "market"
    /// (bought in the spot market, moving the rate) or "none" (company money raised abroad: neither
    /// reserves nor the rate move). Default: `[fx] funding_channel`.
    #[schemars(with = "Option<String>")]
    pub funding_channel: Option<Spanned<String>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// When funding falls due after selection. Exactly one of the two fields.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFundingLag {
    /// Monday-to-Friday days after selection.
    #[schemars(with = "Option<u32>")]
    pub business_days: Option<Spanned<i64>>,
    /// Calendar days after selection.
    #[schemars(with = "Option<u32>")]
    pub days: Option<Spanned<i64>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// Shares of a project's financing. Omitted shares are 0; the shares sum to 1.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawInstruments {
    /// Paid in by the investor as equity.
    #[schemars(with = "Option<f64>", range(min = 0.0, max = 1.0))]
    pub equity: Option<Spanned<f64>>,
    /// Lent by the investor.
    #[schemars(with = "Option<f64>", range(min = 0.0, max = 1.0))]
    pub loan: Option<Spanned<f64>>,
    /// Lent by third-party banks under the investor's guarantee.
    #[schemars(with = "Option<f64>", range(min = 0.0, max = 1.0))]
    pub guarantee: Option<Spanned<f64>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// Level-payment loan terms.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLoan {
    /// Annual interest rate.
    #[schemars(with = "f64")]
    pub rate: Spanned<f64>,
    /// Term in whole years; the first payment is on the first anniversary of funding.
    #[schemars(with = "u16", range(min = 1))]
    pub years: Spanned<i64>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// `[waterfall.NAME]`: how a project's cash is split after debt service.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawWaterfall {
    /// Host taxes taken off positive equity cash before any split.
    #[schemars(with = "Option<f64>", range(min = 0.0, max = 1.0))]
    pub host_tax_rate: Option<Spanned<f64>>,
    /// What "recouped" means: "capital", "hurdle" or "deemed-allocation".
    #[schemars(with = "Option<RecoupName>")]
    pub recoup: Option<Spanned<String>>,
    /// Rate for "hurdle" and "deemed-allocation".
    #[schemars(with = "Option<f64>")]
    pub deemed_rate: Option<Spanned<f64>>,
    /// Amortisation life of the deemed allocation, whole years.
    #[schemars(with = "Option<u16>", range(min = 1))]
    pub deemed_life_years: Option<Spanned<i64>>,
    /// "project" (each project recoups alone) or "portfolio" (one account per waterfall).
    #[schemars(with = "Option<ScopeName>")]
    pub scope: Option<Spanned<String>>,
    /// The split, tier by tier; a tier with `until` takes cash until its condition holds.
    #[schemars(with = "Option<Vec<RawTier>>")]
    pub tiers: Option<Spanned<Vec<Spanned<RawTier>>>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// One tier of a waterfall: shares of the cash it takes.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTier {
    /// The condition that ends the tier. Only "recouped".
    #[schemars(with = "Option<UntilName>")]
    pub until: Option<Spanned<String>>,
    /// The investor's share.
    #[schemars(with = "f64", range(min = 0.0, max = 1.0))]
    pub investor: Spanned<f64>,
    /// The host's share.
    #[schemars(with = "f64", range(min = 0.0, max = 1.0))]
    pub host: Spanned<f64>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// `[[project]]`: a listed project, with explicit cash flows or an IRR rule.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawProject {
    /// Identifier, unique among projects.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// The facility that funds it.
    #[schemars(with = "String")]
    pub facility: Spanned<String>,
    /// Date the host selected it.
    #[schemars(with = "DateSchema")]
    pub selected: RawDate,
    /// Size, USD billions.
    #[schemars(with = "f64", range(min = 0.0))]
    pub size_usd_bn: Spanned<f64>,
    /// One cash flow per year after funding completes (the first on the first anniversary).
    #[schemars(with = "Option<Vec<f64>>")]
    pub cash_flows_usd_bn: Option<Spanned<Vec<Spanned<f64>>>>,
    /// Instead of cash flows: the project's IRR on its size …
    #[schemars(with = "Option<f64>")]
    pub irr: Option<Spanned<f64>>,
    /// … over this many years of level cash flow …
    #[schemars(with = "Option<u16>", range(min = 1))]
    pub life_years: Option<Spanned<i64>>,
    /// … after this many years without cash (default 0).
    #[schemars(with = "Option<u16>")]
    pub construction_years: Option<Spanned<i64>>,
    /// Chance a surviving project defaults on each payment date.
    #[schemars(with = "Option<f64>", range(min = 0.0, max = 1.0))]
    pub annual_default_probability: Option<Spanned<toml::Value>>,
    /// Share of the loans' outstanding principal and arrears recovered on default.
    #[schemars(with = "Option<f64>", range(min = 0.0, max = 1.0))]
    pub recovery_rate: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// `[run]`: how the deal is run.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    /// Monte Carlo paths (1 with no distributions anywhere = a deterministic run).
    #[schemars(with = "Option<u64>", range(min = 1))]
    pub paths: Option<Spanned<i64>>,
    /// Seed of the random streams.
    #[schemars(with = "Option<u64>")]
    pub seed: Option<Spanned<i64>>,
    /// Discount rates for NPVs, per party.
    #[schemars(with = "Option<RawDiscountRate>")]
    pub discount_rate: Option<Spanned<RawDiscountRate>>,
    /// "remaining-flows" (default): what is still owed or owned at the horizon is valued on the
    /// horizon date and counted in the NPVs, the IRR and the deal NPV; "none": nothing after the
    /// horizon counts.
    #[schemars(with = "Option<String>")]
    pub terminal_value: Option<Spanned<String>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// Annual discount rates, ACT/365F, to `deal.start`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDiscountRate {
    #[schemars(with = "Option<f64>")]
    pub investor: Option<Spanned<f64>>,
    #[schemars(with = "Option<f64>")]
    pub host: Option<Spanned<f64>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// Per-source values (`{ KR = 0.25, JP = 0.15 }`), in file order; `sources` and `note` may sit
/// among them.
pub type RawBySource = IndexMap<String, Spanned<toml::Value>>;

/// `[decline]`: refusals of selected projects and the host's answer.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDecline {
    /// "never", "negative-npv" (refuse a project whose own NPV to the investor is negative), or
    /// `{ probability = p }`.
    #[schemars(with = "serde_json::Value")]
    pub rule: Spanned<toml::Value>,
    /// Chance the host answers a refusal by moving the investor's tariff to `[trade] snapback`.
    #[schemars(with = "Option<f64>", range(min = 0.0, max = 1.0))]
    pub snapback_probability: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// `[credit]`: how project defaults move together.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCredit {
    /// ρ: the weight of one systematic factor per calendar year, shared by every project.
    #[schemars(with = "f64", range(min = 0.0, max = 1.0))]
    pub default_correlation: Spanned<toml::Value>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// `[labor]`: construction friction. Each project with construction years draws, once, whether it
/// is hit; a hit project's completion, and every operating cash flow, comes later by the drawn
/// delay, and the investor pays the drawn overrun on the original completion date.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLabor {
    /// Chance that a project's construction is hit, once.
    #[schemars(with = "f64", range(min = 0.0, max = 1.0))]
    pub incident_probability: Spanned<toml::Value>,
    /// The delay of a hit project, months (a number or a distribution; draws are rounded to whole
    /// months).
    #[schemars(with = "DistributionSchema")]
    pub delay_months: Spanned<toml::Value>,
    /// Share of the project's size added when hit (a number or a distribution; default 0).
    #[schemars(with = "Option<DistributionSchema>")]
    pub cost_overrun: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// `[pipeline.<facility>]`: projects the host selects at random, as a Poisson process.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPipeline {
    /// Mean number of selections per year, until `selection_ends` or the commitment is used.
    #[schemars(with = "f64")]
    pub projects_per_year: Spanned<toml::Value>,
    /// Size of each project, USD billions (a number or a distribution).
    #[schemars(with = "DistributionSchema")]
    pub size_usd_bn: Spanned<toml::Value>,
    /// The project's IRR on its size (a number or a distribution).
    #[schemars(with = "DistributionSchema")]
    pub irr: Spanned<toml::Value>,
    /// Years of level cash flow (a number or a distribution; draws are rounded to whole years).
    #[schemars(with = "DistributionSchema")]
    pub life_years: Spanned<toml::Value>,
    /// Years without cash before it (a number or a distribution; rounded to whole years).
    #[schemars(with = "Option<DistributionSchema>")]
    pub construction_years: Option<Spanned<toml::Value>>,
    /// Chance a surviving project defaults on each payment date.
    #[schemars(with = "Option<f64>", range(min = 0.0, max = 1.0))]
    pub annual_default_probability: Option<Spanned<toml::Value>>,
    /// Share of the loans' outstanding principal and arrears recovered on default.
    #[schemars(with = "Option<f64>", range(min = 0.0, max = 1.0))]
    pub recovery_rate: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// `[trade]`: the tariff schedules a deal changes, in one importing market (the fields below),
/// or in several (`[[trade.markets]]`, each with the same fields and an `id`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTrade {
    /// The sector; "autos" and "other-goods" have embedded markets (US, 2024). Any name with
    /// `[trade.market]`. Not with `markets`.
    #[schemars(with = "Option<String>")]
    pub sector: Option<Spanned<String>>,
    /// Deal tariffs apply from this date (may precede `deal.start`: a retroactive cut).
    #[schemars(with = "Option<DateSchema>")]
    pub effective: Option<RawDate>,
    /// Tariffs without the deal, by source; a source left out keeps its base tariff.
    #[schemars(with = "Option<BTreeMap<String, f64>>")]
    pub no_deal: Option<Spanned<RawBySource>>,
    /// Tariffs under the deal; override `no_deal` for the sources named.
    #[schemars(with = "Option<BTreeMap<String, f64>>")]
    pub deal: Option<Spanned<RawBySource>>,
    /// Tariffs after a snapback; override `deal` for the sources named.
    #[schemars(with = "Option<BTreeMap<String, f64>>")]
    pub snapback: Option<Spanned<RawBySource>>,
    /// Elasticities of the market model; each a number or a distribution.
    #[schemars(with = "Option<RawElasticities>")]
    pub elasticities: Option<Spanned<RawElasticities>>,
    /// The base market, replacing the embedded data set.
    #[schemars(with = "Option<RawMarket>")]
    pub market: Option<Spanned<RawMarket>>,
    /// Several markets the deal moves (for example cars under Section 232 and all other goods
    /// under the reciprocal tariff), each with its own sector, tariffs, elasticities and data;
    /// the deal's relief is the sum over them. Instead of the one-market fields above.
    #[schemars(with = "Option<Vec<RawTradeMarket>>")]
    pub markets: Option<Spanned<Vec<Spanned<RawTradeMarket>>>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// `[[trade.markets]]`: one market of several, with the one-market form's fields.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTradeMarket {
    /// Identifier, unique among the markets.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// The sector; "autos" and "other-goods" have embedded markets (US, 2024). Any name with
    /// `market`.
    #[schemars(with = "String")]
    pub sector: Spanned<String>,
    /// Deal tariffs apply from this date (may precede `deal.start`: a retroactive cut).
    #[schemars(with = "Option<DateSchema>")]
    pub effective: Option<RawDate>,
    /// Tariffs without the deal, by source; a source left out keeps its base tariff.
    #[schemars(with = "Option<BTreeMap<String, f64>>")]
    pub no_deal: Option<Spanned<RawBySource>>,
    /// Tariffs under the deal; override `no_deal` for the sources named.
    #[schemars(with = "Option<BTreeMap<String, f64>>")]
    pub deal: Option<Spanned<RawBySource>>,
    /// Tariffs after a snapback; override `deal` for the sources named.
    #[schemars(with = "Option<BTreeMap<String, f64>>")]
    pub snapback: Option<Spanned<RawBySource>>,
    /// Elasticities of the market model; each a number or a distribution.
    #[schemars(with = "Option<RawElasticities>")]
    pub elasticities: Option<Spanned<RawElasticities>>,
    /// The base market, replacing the embedded data set.
    #[schemars(with = "Option<RawMarket>")]
    pub market: Option<Spanned<RawMarket>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// Elasticities of the CES market model.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawElasticities {
    /// σ, substitution between sources (Armington), above 0.
    #[schemars(with = "Option<DistributionSchema>")]
    pub substitution: Option<Spanned<toml::Value>>,
    /// η, the price elasticity of total demand, 0 or below.
    #[schemars(with = "Option<DistributionSchema>")]
    pub demand: Option<Spanned<toml::Value>>,
    /// Supply elasticity of every foreign source, above 0 (`inf`: fixed producer prices).
    #[schemars(with = "Option<DistributionSchema>")]
    pub foreign_supply: Option<Spanned<toml::Value>>,
    /// Supply elasticity of the host's own producers, above 0 (`inf`: fixed producer prices).
    #[schemars(with = "Option<DistributionSchema>")]
    pub domestic_supply: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// `[trade.market]`: the base year's market at producer prices.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMarket {
    /// The importing economy (default: `deal.host`).
    #[schemars(with = "Option<String>")]
    pub importer: Option<Spanned<String>>,
    /// The base year.
    #[schemars(with = "Option<i32>")]
    pub year: Option<Spanned<i64>>,
    /// Sales in the market by source at producer prices, USD billions; `domestic` for the
    /// host's own producers.
    #[schemars(with = "BTreeMap<String, f64>")]
    pub base_value_usd_bn: Spanned<RawBySource>,
    /// Base-year tariffs by source (a source left out has 0).
    #[schemars(with = "Option<BTreeMap<String, f64>>")]
    pub base_tariff: Option<Spanned<RawBySource>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// Schema-only stand-ins for the string enums and dates of the file.
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum RecoupName {
    Capital,
    Hurdle,
    DeemedAllocation,
}

#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum ScopeName {
    Project,
    Portfolio,
}

#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum UntilName {
    Recouped,
}

/// A TOML local date (`2025-11-14`).
pub struct DateSchema;

impl JsonSchema for DateSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date" })
    }
}

/// A number, or one distribution table.
pub struct DistributionSchema;

impl JsonSchema for DistributionSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Distribution".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let pair = |a: &str, b: &str| {
            serde_json::json!({
                "type": "object",
                "properties": { a: { "type": "number" }, b: { "type": "number" } },
                "required": [a, b],
                "additionalProperties": false
            })
        };
        let one = |name: &str, body: serde_json::Value| {
            serde_json::json!({
                "type": "object",
                "properties": { name: body },
                "required": [name],
                "additionalProperties": false
            })
        };
        let triangular = serde_json::json!({
            "type": "object",
            "properties": { "min": { "type": "number" }, "mode": { "type": "number" }, "max": { "type": "number" } },
            "required": ["min", "mode", "max"],
            "additionalProperties": false
        });
        schemars::json_schema!({
            "anyOf": [
                { "type": "number" },
                one("normal", pair("mean", "sd")),
                one("lognormal", pair("median", "p95")),
                one("triangular", triangular),
                one("uniform", pair("min", "max"))
            ]
        })
    }
}

/// `[fx]`: how the investor's currency moves against the dollar.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFx {
    /// "KRW/USD" or "JPY/USD": local currency per US dollar, with an embedded daily history.
    #[schemars(with = "String")]
    pub pair: Spanned<String>,
    /// "gbm", "garch" (GARCH(1,1) with Student-t innovations) or "bootstrap" (stationary block
    /// bootstrap of historical returns).
    #[schemars(with = "String")]
    pub model: Spanned<String>,
    /// The window of the embedded history the model is calibrated on.
    #[schemars(with = "RawWindow")]
    pub calibrate: Spanned<RawWindow>,
    /// "reserves" (payments come out of reserves, receipts go back in; the rate is not moved) or
    /// "market" (net USD bought in the spot market moves the rate). Default "reserves".
    #[schemars(with = "Option<String>")]
    pub funding_channel: Option<Spanned<String>>,
    /// Log depreciation per 1% of GDP of net USD bought in the market (`market` channel).
    #[schemars(with = "Option<f64>", range(min = 0.0))]
    pub outflow_impact: Option<Spanned<f64>>,
    /// A standing central-bank swap line, USD billions, drawn when reserves fall below the floor.
    #[schemars(with = "Option<f64>", range(min = 0.0))]
    pub swap_line_usd_bn: Option<Spanned<f64>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// A window of dates, both ends included.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawWindow {
    #[schemars(with = "DateSchema")]
    pub from: RawDate,
    #[schemars(with = "DateSchema")]
    pub to: RawDate,
}

/// `[reserves]`: the investor's official reserves and the IMF's adequacy metric.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawReserves {
    /// Reserves on `deal.start`, USD billions.
    #[schemars(with = "f64", range(min = 0.0))]
    pub start_usd_bn: Spanned<f64>,
    /// Nominal GDP, USD billions (scales the market channel's price impact).
    #[schemars(with = "f64", range(min = 0.0))]
    pub gdp_usd_bn: Spanned<f64>,
    /// Drift of reserves apart from the deal, USD billions per year (may be negative).
    #[schemars(with = "Option<f64>")]
    pub baseline_change_usd_bn_per_year: Option<Spanned<f64>>,
    /// Inputs of the IMF ARA EM metric. Without them no adequacy ratio is computed (the metric is
    /// meant for emerging markets; the IMF does not apply it to reserve-currency issuers).
    #[schemars(with = "Option<RawAra>")]
    pub ara: Option<Spanned<RawAra>>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// Inputs of the IMF's ARA EM metric, USD billions.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAra {
    /// Exports of goods and services, yearly.
    #[schemars(with = "f64", range(min = 0.0))]
    pub exports_usd_bn: Spanned<f64>,
    /// Broad money (M2).
    #[schemars(with = "f64", range(min = 0.0))]
    pub broad_money_usd_bn: Spanned<f64>,
    /// Short-term external debt at remaining maturity.
    #[schemars(with = "f64", range(min = 0.0))]
    pub short_term_debt_usd_bn: Spanned<f64>,
    /// Other portfolio liabilities (portfolio equity and medium- and long-term debt securities).
    #[schemars(with = "f64", range(min = 0.0))]
    pub other_liabilities_usd_bn: Spanned<f64>,
    /// "floating" (weights 0.05, 0.05, 0.30, 0.15) or "fixed" (0.10, 0.10, 0.30, 0.20).
    #[schemars(with = "Option<String>")]
    pub regime: Option<Spanned<String>>,
}

/// `[stability]`: when a funding call falls due in a crisis, the investor asks to defer it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStability {
    /// The investor's currency has lost at least this share of its dollar value (below 1) …
    #[schemars(with = "f64", range(min = 0.0), extend("exclusiveMaximum" = 1.0))]
    pub depreciation_trigger: Spanned<f64>,
    /// … over this many months.
    #[schemars(with = "u32", range(min = 1, max = 120))]
    pub window_months: Spanned<i64>,
    /// Or reserves are below this multiple of the ARA metric (needs `[reserves]`).
    #[schemars(with = "Option<f64>", range(min = 0.0))]
    pub ara_floor: Option<Spanned<f64>>,
    /// Chance the host grants a requested deferral (drawn per request).
    #[schemars(with = "f64", range(min = 0.0, max = 1.0))]
    pub host_accepts_probability: Spanned<toml::Value>,
    /// A granted call falls due this many months later, and is tested again then.
    #[schemars(with = "u32", range(min = 1, max = 120))]
    pub deferral_months: Spanned<i64>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub note: Option<String>,
}
