"""Sector-mix IRR: the deal library's per-sector IRR assumptions weighted by the pooled
Japan sample (candidate list + first tranche). python3 sector_mix.py"""
import math
# per-sector pre-tax unlevered IRR ASSUMPTIONS already used by the illustrative projects in deals/*.toml
SECTOR_IRR = {"nuclear": 0.065, "power": 0.07, "midstream": 0.08, "minerals": 0.07,
              "manufacturing": 0.09}
SAMPLE = [  # (item, size USD bn, sector)
    ("westinghouse_ap1000_smr", 100, "nuclear"), ("ge_vernova_hitachi_smr", 100, "nuclear"),
    ("bechtel_kiewit_epc", 25, "power"), ("softbank_power_infra", 25, "power"),
    ("ge_vernova_power_equipment", 25, "manufacturing"), ("toshiba_power_modules", 25, "manufacturing"),
    ("carrier_thermal_cooling", 20, "manufacturing"), ("mitsubishi_electric_dc_power", 30, "manufacturing"),
    ("tdk_components", 25, "manufacturing"), ("fujikura_optical_fibre", 20, "manufacturing"),
    ("murata_components", 15, "manufacturing"), ("panasonic_storage", 15, "manufacturing"),
    ("fertilizer_ammonia_urea", 3, "minerals"), ("copper_smelter", 2, "minerals"),
    ("port_upgrades", 0.6, "midstream"), ("lfp_plant", 0.35, "manufacturing"),
    ("ohio_gas_power", 33.3, "power"), ("texas_gulflink", 2.1, "midstream"),
    ("georgia_diamonds", 0.6, "manufacturing"),
]
tot = sum(s for _, s, _ in SAMPLE)
shares = {}
for _, s, sec in SAMPLE:
    shares[sec] = shares.get(sec, 0) + s / tot
m_usd = sum(sh * SECTOR_IRR[k] for k, sh in shares.items())
m_cnt = sum(SECTOR_IRR[sec] for _, _, sec in SAMPLE) / len(SAMPLE)
between = math.sqrt(sum(sh * (SECTOR_IRR[k] - m_usd) ** 2 for k, sh in shares.items()))
print("dollar shares:", {k: round(v, 3) for k, v in sorted(shares.items())})
print(f"USD-weighted mean IRR {m_usd:.4f}; count-weighted {m_cnt:.4f}; between-sector sd {between:.4f}")
within = 0.016  # ASSUMPTION: spread of one project's IRR around its sector value
print(f"total sd with within-sector (project) sd {within}: {math.sqrt(between**2 + within**2):.4f}")
