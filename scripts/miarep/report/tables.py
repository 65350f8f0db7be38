"""Tables 2-4 of Tonni et al. from result tables, each beside the paper's reference values.

Every table is built as one long DataFrame (our numbers and the paper's in adjacent columns) and
written three ways: CSV for machines, Markdown and LaTeX for readers. MIA accuracy is given for
each line of :data:`miarep.report.style.LINES` (faithful and paper-stated Shokri, best metric
attack, oracle bound) under both evaluation protocols: balanced (chance 50%, what we report as
leakage) and the paper's (75% members; answering "member" always scores 75%), beside what a blind
attack calling the same share "member" scores there (``<line>_blind_pct``, docs/account.md E2).
"""

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from miarep.core.io import write_atomic
from miarep.measures.metrics import mean_ci
from miarep.report import style

KIND_NAMES = {"ann": "ANN", "knn": "kNN", "lr": "LR", "rf": "RF", "svm": "SVM", "all": "All"}

#: Table 4's property names -> result-table columns (class balance as % of label 1, feature
#: balance as % of records with c*, entropy H_D; all measured on the target's training set)
PROPERTIES = {
    "Class balance": "achieved_train_share_label_1",
    "Feature balance": "achieved_train_feature_balance",
    "Entropy": "achieved_train_entropy",
    "Group fair.": "delta_g",
    "Predictive fair.": "delta_p",
    "Individual fair.": "delta_i",
}


def percent_summary(values: pd.Series) -> dict:
    """Mean and 95% t half-width of a 0-1 quantity, in percent, with the count."""
    mean, half = mean_ci(values.to_numpy(dtype=float))
    return {"mean": 100 * mean, "ci": 100 * half, "n": int(values.notna().sum())}


def line_summaries(group: pd.DataFrame) -> dict:
    """Per line: balanced and paper-protocol MIA accuracy (%, mean and CI), the blind attack's
    paper-protocol score at the same called share, and the mean ROC AUC."""
    out = {}
    for line in style.LINES:
        balanced = percent_summary(group[style.column(line, style.BALANCED)])
        paper_protocol = percent_summary(group[style.column(line, style.PAPER)])
        out |= {
            f"{line}_balanced_pct": balanced["mean"],
            f"{line}_balanced_ci": balanced["ci"],
            f"{line}_paper_protocol_pct": paper_protocol["mean"],
            f"{line}_paper_protocol_ci": paper_protocol["ci"],
            f"{line}_blind_pct": 100 * float(np.mean(style.blind_of(group, line))),
            f"{line}_auc": float(group[style.column(line, style.AUC)].mean()),
        }
    return out


def table_2(results: Mapping[str, pd.DataFrame], reference: pd.DataFrame) -> pd.DataFrame:
    """MIA accuracy (%) per dataset, target kind and shadow kind ("All" = five shadows pooled)."""
    rows = []
    for dataset, frame in results.items():
        for (target, shadow), group in frame.groupby(["target_model", "shadow_model"]):
            rows.append(
                {
                    "dataset": dataset,
                    "target": KIND_NAMES[target],
                    "shadow": KIND_NAMES[shadow],
                    "repetitions": len(group),
                }
                | line_summaries(group)
            )
    ours = pd.DataFrame(rows)
    paper = reference.rename(columns={"mia_accuracy_pct": "paper_mia_pct"})
    return ours.merge(paper, on=["dataset", "target", "shadow"], how="left")


def table_3(
    results: Mapping[str, pd.DataFrame],
    reference: pd.DataFrame,
    hidden_units: int,
    learning_rate: float,
) -> pd.DataFrame:
    """Train, test and MIA accuracy (%) for 1 and 5 hidden layers at L2 lambda 0 and 0.01."""
    rows = []
    for spec in reference.to_dict("records"):
        frame = results.get(spec["dataset"])
        if frame is None:
            continue
        chosen = frame[
            (frame["hidden_layers"] == spec["hidden_layers"])
            & np.isclose(frame["l2"], spec["l2_lambda"])
            & (frame["hidden_units"] == hidden_units)
            & np.isclose(frame["learning_rate"], learning_rate)
        ]
        row = {key: spec[key] for key in ("config", "hidden_layers", "l2_lambda", "dataset")}
        for name, column in (("train", "train_accuracy"), ("test", "test_accuracy")):
            summary = percent_summary(chosen[column])
            row[f"{name}_pct"], row[f"{name}_ci"] = summary["mean"], summary["ci"]
        row["repetitions"] = len(chosen)
        row |= line_summaries(chosen)
        row |= {f"paper_{key}": spec[key] for key in ("train_pct", "test_pct", "mia_pct")}
        rows.append(row)
    return pd.DataFrame(rows)


def plus_minus(mean: float, ci: float, digits: int = 1, missing: str = "") -> str:
    """A readable table's cell, "mean ± CI": the mean alone where the CI is undefined (a single
    value), ``missing`` where the mean is."""
    if pd.isna(mean):
        return missing
    text = f"{mean:.{digits}f}"
    return text if pd.isna(ci) else f"{text} ± {ci:.{digits}f}"


def table_3_readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Table 3 for reading: train and test accuracy, then each line's balanced and
    paper-protocol MIA accuracy (with the blind attack's), and the paper's values."""
    out = frame[["config", "dataset"]].copy()
    out["train (paper)"] = _cells(frame, "train", "paper_train_pct")
    out["test (paper)"] = _cells(frame, "test", "paper_test_pct")
    for line, (_, label) in style.LINES.items():
        out[f"{label}: balanced"] = _cells(frame, f"{line}_balanced")
        measured, blind = frame[f"{line}_paper_protocol_pct"], frame[f"{line}_blind_pct"]
        out[f"{label}: paper protocol [blind]"] = [
            f"{m:.1f} [{b:.1f}]" for m, b in zip(measured, blind, strict=True)
        ]
    out["paper MIA"] = frame["paper_mia_pct"].map(lambda v: f"{v:.1f}")
    return out


def _cells(frame: pd.DataFrame, name: str, paper: str | None = None) -> list[str]:
    means, halves = frame[f"{name}_pct"], frame[f"{name}_ci"]
    cells = [plus_minus(m, c) for m, c in zip(means, halves, strict=True)]
    if paper:
        cells = [f"{cell} ({p:.1f})" for cell, p in zip(cells, frame[paper], strict=True)]
    return cells


def table_4(results: Mapping[str, pd.DataFrame], reference: pd.DataFrame) -> pd.DataFrame:
    """Pearson and Spearman coefficients, with p-values, between the paper's property pairs."""
    rows = []
    for spec in reference.to_dict("records"):
        frame = results.get(spec["dataset"])
        if frame is None:
            continue
        a = frame[PROPERTIES[spec["property_1"]]].to_numpy(dtype=float)
        b = frame[PROPERTIES[spec["property_2"]]].to_numpy(dtype=float)
        ok = ~(np.isnan(a) | np.isnan(b))
        row = {
            "dataset": spec["dataset"],
            "property_1": spec["property_1"],
            "property_2": spec["property_2"],
            "n": int(ok.sum()),
        } | correlations(a[ok], b[ok])
        row |= {"paper_pearson_r": spec["pearson_r"], "paper_spearman_rho": spec["spearman_rho"]}
        rows.append(row)
    return pd.DataFrame(rows)


def correlations(a: np.ndarray, b: np.ndarray) -> dict:
    """Pearson r and Spearman rho with two-sided p-values (NaN where a side is constant)."""
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        nan = float("nan")
        return {"pearson_r": nan, "pearson_p": nan, "spearman_rho": nan, "spearman_p": nan}
    pearson = stats.pearsonr(a, b)
    spearman = stats.spearmanr(a, b)
    return {
        "pearson_r": float(pearson.statistic),
        "pearson_p": float(pearson.pvalue),
        "spearman_rho": float(spearman.statistic),
        "spearman_p": float(spearman.pvalue),
    }


def markdown(frame: pd.DataFrame, digits: int = 2) -> str:
    """A GitHub-flavoured Markdown table (no extra dependency)."""
    cells = [[_format(v, digits) for v in row] for row in frame.itertuples(index=False)]
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |"]
    lines.append("|" + "|".join("---" for _ in frame.columns) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines) + "\n"


def latex(frame: pd.DataFrame, caption: str, digits: int = 2) -> str:
    """A booktabs LaTeX table."""

    def escape(text: str) -> str:
        for char in ("\\", "&", "%", "_", "#", "$"):
            text = text.replace(char, "\\" + char if char != "\\" else "\\textbackslash{}")
        return text.replace("±", "$\\pm$")

    align = "".join("r" if pd.api.types.is_numeric_dtype(t) else "l" for t in frame.dtypes)
    lines = [
        "\\begin{table}[ht]",
        "\\centering",
        f"\\caption{{{escape(caption)}}}",
        f"\\begin{{tabular}}{{{align}}}",
        "\\toprule",
        " & ".join(escape(str(c)) for c in frame.columns) + " \\\\",
        "\\midrule",
    ]
    for row in frame.itertuples(index=False):
        lines.append(" & ".join(escape(_format(v, digits)) for v in row) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}", "\\end{table}"]
    return "\n".join(lines) + "\n"


def _format(value, digits: int) -> str:
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return "–"
        if value != 0 and abs(value) < 10 ** (-digits):
            return f"{value:.1e}"
        return f"{value:.{digits}f}"
    return str(value)


def table_2_matrices(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Table 2 as the paper lays it out, per dataset and line: targets x shadows, cells
    "ours ± CI (paper)" with ours the line's balanced MIA accuracy (%)."""
    out = {}
    order = [KIND_NAMES[k] for k in ("ann", "knn", "lr", "rf", "svm", "all")]
    for dataset, group in frame.groupby("dataset", sort=False):
        for line, (_, label) in style.LINES.items():
            cells = group.assign(
                cell=[
                    f"{plus_minus(m, c)} ({p:.1f})"
                    for m, c, p in zip(
                        group[f"{line}_balanced_pct"],
                        group[f"{line}_balanced_ci"],
                        group["paper_mia_pct"],
                        strict=True,
                    )
                ]
            )
            matrix = cells.pivot(index="target", columns="shadow", values="cell")
            matrix = matrix.reindex(
                index=[k for k in order if k in matrix.index],
                columns=[k for k in order if k in matrix.columns],
            )
            matrix.columns.name = None
            out[f"{dataset}, {label}"] = matrix.reset_index().rename(
                columns={"target": "target \\ shadow"}
            )
    return out


def write_table(
    frame: pd.DataFrame,
    paths: Sequence[str | Path],
    title: str,
    digits: int = 2,
    sections: Mapping[str, pd.DataFrame] | None = None,
) -> None:
    """Write ``frame`` as CSV (full precision), Markdown and LaTeX: paths in that order.

    ``sections`` (heading -> frame), when given, replace ``frame`` in the Markdown and LaTeX
    versions with a layout made for reading.
    """
    csv_path, md_path, tex_path = paths
    parts = dict(sections) if sections else {"": frame}
    text = f"# {title}\n"
    for heading, part in parts.items():
        text += (f"\n## {heading}\n" if heading else "") + "\n" + markdown(part, digits)
    tex = "".join(
        latex(part, f"{title} ({heading})" if heading else title, digits)
        for heading, part in parts.items()
    )
    write_atomic(csv_path, lambda tmp: frame.to_csv(tmp, index=False))
    write_atomic(md_path, lambda tmp: Path(tmp).write_text(text))
    write_atomic(tex_path, lambda tmp: Path(tmp).write_text(tex))
