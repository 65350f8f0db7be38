"""Rule nasr_figures: the AdvReg study's figures on one dataset (the privacy-utility figure and
004 Figures 2 and 5, docs/account.md N5) and the numbers behind them."""

from miarep.core.io import read_csv, write_atomic
from miarep.core.logs import setup_logging
from miarep.report import nasr

log = setup_logging(snakemake.log[0])
params, inp, out = snakemake.params, snakemake.input, snakemake.output
results, curves, risk = (read_csv(inp[name]) for name in ("results", "curves", "risk"))
points = nasr.privacy_utility(results)
write_atomic(out.points, lambda tmp: points.to_csv(tmp, index=False))
nasr.privacy_utility_figure(points, out.privacy_utility_pdf, out.privacy_utility_png)
mean_curves = nasr.accuracy_curves(curves)
write_atomic(out.curves, lambda tmp: mean_curves.to_csv(tmp, index=False))
nasr.figure_2(mean_curves, out.figure_2_pdf, out.figure_2_png)
groups = nasr.risk_cdfs(risk, results, params.study["table_lambda"])
nasr.figure_5(groups, out.figure_5_pdf, out.figure_5_png)
log.info("nasr figures: %d privacy-utility points, %d curve rows", len(points), len(mean_curves))
