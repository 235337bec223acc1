# %% [markdown]
# # Korea's and Japan's deals side by side, from Python
#
# A notebook in percent format (Jupyter, VS Code and `jupytext` open it as cells; `python
# docs/python-example.py` runs it top to bottom). It needs the package (`pip install ./python`)
# and matplotlib. Both deals run with the same seed and number of paths, so anyone can reproduce
# every number below from the deal files.

# %%
import os

import matplotlib

matplotlib.use("Agg")  # draws to a file; in a notebook, drop this line to see the figure inline
import matplotlib.pyplot as plt
import pandas as pd

import pactsim

PATHS, SEED = 2_000, 7
deals = {"Korea (MOU)": "kr-us-2025-mou", "Japan (MOU)": "jp-us-2025-mou"}

# %% [markdown]
# ## Run both deals
#
# A library id runs the deal embedded in the package; a path such as
# `"deals/kr-us-2025-mou.toml"` runs a file, and TOML text works too. `keep_paths=True` keeps every
# path's figures for the plot below.

# %%
results = {name: pactsim.run(deal, paths=PATHS, seed=SEED, keep_paths=True) for name, deal in deals.items()}
for name, result in results.items():
    print(name, "-", result.summary["title"])

# %% [markdown]
# ## The headline figures
#
# `totals` has one row per figure and the statistics across paths as columns (USD billions,
# nominal; IRR and shares as fractions).

# %%
figures = ["investor_paid", "investor_received", "investor_npv", "investor_irr", "deal_npv", "recouped_share"]
headline = pd.DataFrame({name: r.totals.loc[figures, "mean"] for name, r in results.items()})
print(headline.round(3).to_string())

# %% [markdown]
# ## The investor's cumulative cash
#
# Each path's yearly figures are columns `investor_paid_<year>` and `investor_received_<year>` of
# `paths()`. Their difference, summed year by year, is the investor's cumulative cash on that path:
# the mean, and the band where 90% of paths lie.

# %%


def cumulative_cash(result: pactsim.Result) -> pd.DataFrame:
    """Per path (rows) and year (columns): cash received less cash paid, cumulated."""
    paths = result.paths()
    years = [row["year"] for row in result.summary["years"]]
    net = pd.DataFrame(
        {y: paths[f"investor_received_{y}"] - paths[f"investor_paid_{y}"] for y in years}, index=paths.index
    )
    return net.cumsum(axis=1)


fig, ax = plt.subplots(figsize=(9, 5))
for (name, result), colour in zip(results.items(), ["tab:blue", "tab:red"]):
    cash = cumulative_cash(result)
    ax.plot(cash.columns, cash.mean(), color=colour, label=f"{name}: mean")
    ax.fill_between(
        cash.columns, cash.quantile(0.05), cash.quantile(0.95), color=colour, alpha=0.2, label=f"{name}: 5–95%"
    )
ax.axhline(0, color="black", linewidth=0.8)
ax.set_xlabel("year")
ax.set_ylabel("cumulative cash, USD bn (received − paid)")
ax.set_title(f"The investor's cumulative cash ({PATHS:,} paths, seed {SEED})")
ax.legend()
fig.tight_layout()

out = os.environ.get("PACTSIM_EXAMPLE_OUT", "investor-cumulative-cash.png")
fig.savefig(out, dpi=100)
print("wrote", out)

# %% [markdown]
# ## What-ifs without editing files
#
# Overrides follow `--set`/`--unset`: here Korea's strategic facility with a $25B annual cap and no
# FX-stability clause. The run output records them, so the run can be reproduced.

# %%
what_if = pactsim.run(
    "kr-us-2025-mou",
    paths=PATHS,
    seed=SEED,
    set={"facility.strategic.annual_cap_usd_bn": 25},
    unset=["stability"],
)
print(what_if.summary["overrides"])
print((what_if.totals["mean"] - results["Korea (MOU)"].totals["mean"]).loc[figures].round(3).to_string())
