"""Song and Mittal's privacy risk score artefacts (2021, Section 4) from score tables only.

Every target record of a study carries its risk score (``score_risk_score``), the faithful Shokri
attack's P(IN) (``score_shokri``) and whether the target classified it right
(``decision_metric_correctness``), so no artefact trains. Two model configurations of one study
are compared (``song.configurations``: by default Adult's default ANN and a leaky 5x50 one at
learning rate 0.1), each pooled over its repetitions:

- Figure 1/5: the CDF of members' risk scores;
- Figure 3: calibration, the share of members among the balanced evaluation set's records per
  score bin against the bin's mean score (ideal: the diagonal), with its RMSE, for the risk score
  and for the Shokri attack's output;
- Table 6: precision and recall of "member iff r >= t" for t = 0.95 ... 0.5;
- Figure 8: per (experiment, class) of the whole study, the generalization error (train minus
  test accuracy of that class) against the mean risk score of the class's members, with Pearson r.
"""

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from miarep.report import style
from miarep.report.figures import save

RISK = "score_risk_score"
SHOKRI = "score_shokri"
CORRECT = "decision_metric_correctness"
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]


def configuration_scores(
    results: pd.DataFrame, scores: pd.DataFrame, configurations: Mapping[str, Mapping]
) -> dict[str, pd.DataFrame]:
    """The score-table rows of each named configuration's experiments (result-table fields equal
    to the given values); a configuration the study does not hold is an error naming it."""
    out = {}
    for name, fields in configurations.items():
        chosen = np.ones(len(results), bool)
        for field, value in fields.items():
            if field not in results:
                raise ValueError(f"configuration {name!r}: the study has no column {field!r}")
            chosen &= np.isclose(results[field].to_numpy(float), float(value))
        if not chosen.any():
            raise ValueError(
                f"configuration {name!r} ({dict(fields)}) matches no experiment of the study; "
                "set song.configurations to values its grid holds"
            )
        out[name] = scores[np.isin(scores["experiment"], np.flatnonzero(chosen))]
    return out


def member_cdf(by_config: Mapping[str, pd.DataFrame], pdf, png) -> pd.DataFrame:
    """Song Figures 1 and 5: the empirical CDF of the members' risk scores per configuration."""
    style.apply()
    fig, ax = plt.subplots(figsize=(5.0, 3.6))
    rows = []
    for colour, (name, frame) in zip(COLOURS, by_config.items(), strict=False):
        values = np.sort(frame.loc[frame["member"], RISK].to_numpy(np.float64))
        grid = np.unique(values)
        cdf = np.searchsorted(values, grid, side="right") / len(values)
        ax.step(grid, cdf, where="post", color=colour, label=f"{name} ({len(values)} members)")
        rows.append(pd.DataFrame({"configuration": name, "risk_score": grid, "cdf": cdf}))
    ax.set_xlabel("privacy risk score r(z)")
    ax.set_ylabel("share of target members with score <= r")
    ax.set_xlim(0, 1)
    ax.legend(loc="upper left", frameon=False)
    fig.suptitle("Song & Mittal Figures 1/5: CDF of the members' privacy risk scores", fontsize=10)
    save(fig, pdf, png)
    return pd.concat(rows, ignore_index=True)


def calibration(frame: pd.DataFrame, column: str, bins: int) -> tuple[pd.DataFrame, float]:
    """Per equal-width score bin of the balanced evaluation set: mean score, share of members
    and count; and the RMSE between the two over bins with records."""
    chosen = frame[frame["balanced"]]
    score = chosen[column].to_numpy(np.float64)
    index = np.clip((score * bins).astype(np.int64), 0, bins - 1)
    table = (
        pd.DataFrame({"bin": index, "score": score, "member": chosen["member"].to_numpy()})
        .groupby("bin")
        .agg(mean_score=("score", "mean"), member_share=("member", "mean"), n=("score", "size"))
        .reset_index()
    )
    rmse = float(np.sqrt(np.mean((table["mean_score"] - table["member_share"]) ** 2)))
    return table, rmse


def calibration_figure(by_config: Mapping[str, pd.DataFrame], bins: int, pdf, png) -> pd.DataFrame:
    """Song Figure 3: calibration of the risk score beside that of the Shokri attack's P(IN)."""
    style.apply()
    panels = {RISK: "privacy risk score", SHOKRI: "Shokri attack, faithful: P(IN)"}
    fig, axes = plt.subplots(1, len(panels), figsize=(9.0, 3.8), squeeze=False)
    rows = []
    for ax, (column, title) in zip(axes[0], panels.items(), strict=True):
        for colour, (name, frame) in zip(COLOURS, by_config.items(), strict=False):
            table, rmse = calibration(frame, column, bins)
            ax.plot(
                table["mean_score"],
                table["member_share"],
                "o-",
                ms=3,
                color=colour,
                label=f"{name} (RMSE {rmse:.3f})",
            )
            rows.append(table.assign(configuration=name, output=column, rmse=rmse))
        ax.plot([0, 1], [0, 1], color="0.5", lw=0.8, ls=":")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_title(title)
        ax.set_xlabel("mean score in the bin")
        ax.set_ylabel("share of members in the bin")
        ax.legend(loc="upper left", frameon=False)
    fig.suptitle("Song & Mittal Figure 3: calibration on the balanced evaluation set", fontsize=10)
    save(fig, pdf, png)
    return pd.concat(rows, ignore_index=True)


def precision_recall(
    by_config: Mapping[str, pd.DataFrame], thresholds: Sequence[float]
) -> pd.DataFrame:
    """Song Table 6: precision and recall of "member iff r >= t" on the balanced evaluation set."""
    rows = []
    for name, frame in by_config.items():
        chosen = frame[frame["balanced"]]
        member = chosen["member"].to_numpy()
        score = chosen[RISK].to_numpy(np.float64)
        for threshold in thresholds:
            called = score >= threshold
            rows.append(
                {
                    "configuration": name,
                    "threshold": float(threshold),
                    "called": int(called.sum()),
                    "precision_pct": 100 * float(member[called].mean()) if called.any() else np.nan,
                    "recall_pct": 100 * float(called[member].mean()),
                }
            )
    return pd.DataFrame(rows)


def class_points(scores: pd.DataFrame) -> pd.DataFrame:
    """Per (experiment, class): train and test accuracy of that class, their difference, and the
    mean risk score of its members (Song Figure 8's points)."""
    grouped = scores.groupby(["experiment", "label", "member"])
    accuracy = grouped[CORRECT].mean().unstack("member")
    risk = grouped[RISK].mean().unstack("member")
    out = pd.DataFrame(
        {
            "train_accuracy": accuracy[True],
            "test_accuracy": accuracy[False],
            "mean_member_risk": risk[True],
        }
    ).reset_index()
    out["generalization_error"] = out["train_accuracy"] - out["test_accuracy"]
    return out.dropna()


def generalization_figure(points: pd.DataFrame, study: str, pdf, png) -> pd.DataFrame:
    """Song Figure 8: generalization error against mean risk, a dot per (experiment, class)."""
    style.apply()
    fig, ax = plt.subplots(figsize=(5.0, 3.8))
    r = float("nan")
    if len(points) > 2 and points["generalization_error"].std() > 0:
        r = float(stats.pearsonr(points["generalization_error"], points["mean_member_risk"])[0])
    for colour, (label, group) in zip(COLOURS, points.groupby("label"), strict=False):
        ax.scatter(
            group["generalization_error"],
            group["mean_member_risk"],
            s=10,
            alpha=0.6,
            color=colour,
            label=f"class {label}",
            linewidths=0,
        )
    ax.set_xlabel("generalization error of the class (train - test accuracy)")
    ax.set_ylabel("mean risk score of its members")
    ax.legend(loc="upper left", frameon=False)
    ax.set_title(f"{study}: {len(points)} (experiment, class) points, Pearson r = {r:.3f}")
    fig.suptitle("Song & Mittal Figure 8: generalization error and privacy risk", fontsize=10)
    save(fig, pdf, png)
    return points.assign(pearson_r=r)
