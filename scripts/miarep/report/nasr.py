"""The AdvReg study's artefacts (docs/account.md N5) from its result tables only.

- ``song_table_2``: Song and Mittal's Table 2 layout (train, test, the NN attack and the four
  metric attacks, plus Shokri's attack and the risk score) for no defense, AdvReg at the table's
  lambda, early stopping at equal test accuracy and L2, ours ± 95% CI over repetitions per
  protocol, with the paper's Purchase100 and Texas100 rows beside;
- the verdict: per protocol, each defense's strongest attack and the paired difference
  AdvReg - early stopping over repetitions;
- the privacy-utility figure: test accuracy against the strongest attack's accuracy per lambda,
  the L2 points and the early-stopping curve through the undefended checkpoints;
- 004 Figure 2: test (and train) accuracy per epoch, undefended and AdvReg;
- 004 Figure 5: the CDF of the members' risk scores, undefended, AdvReg and early stopping.
"""

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from miarep.measures.metrics import mean_ci
from miarep.report import style
from miarep.report.figures import save
from miarep.report.tables import plus_minus

#: Table 2's attack columns (result attack name -> label), then the ones the paper does not show
ATTACKS = {
    "nasr_nn": "NN attack",
    "metric_correctness": "I_corr",
    "metric_confidence": "I_conf",
    "metric_entropy": "I_entr",
    "metric_modified_entropy": "I_mentr",
    "shokri": "Shokri",
    "risk_score": "risk score",
}
#: The table's rows: defense label -> result-table defense name
DEFENSES = {
    "no defense": "none",
    "AdvReg": "advreg",
    "early stopping": "early_stopping",
    "L2": "l2",
}
PROTOCOL_TITLES = {
    "known_half": "attacker knows half the members and half the test records (004's protocol)",
    "adaptive": "adaptive attacker: shadows trained with the same defense",
}
COLOURS = {"none": "#7f7f7f", "advreg": "#d62728", "early_stopping": "black", "l2": "#1f77b4"}


def table_rows(results: pd.DataFrame, table_lambda: float, table_l2: float) -> pd.DataFrame:
    """The rows Table 2 reads, one per (protocol, defense, repetition, attack): the final epoch of
    each arm at the table's lambda, and the early-stopping checkpoint matched to AdvReg."""
    final = results.groupby(["defense", "lambda"])["epoch"].transform("max")
    chosen = {
        "none": (results["defense"] == "none") & (results["epoch"] == final),
        "advreg": (results["defense"] == "advreg")
        & np.isclose(results["lambda"], table_lambda)
        & (results["epoch"] == final),
        "early_stopping": results["matched"].astype(bool),
        "l2": (results["defense"] == "l2")
        & np.isclose(results["lambda"], table_l2)
        & (results["epoch"] == final),
    }
    mask = np.logical_or.reduce(list(chosen.values()))
    return results[mask]


def song_table_2(
    results: pd.DataFrame, dataset: str, table_lambda: float, table_l2: float
) -> pd.DataFrame:
    """Ours on one dataset: mean and CI (%) over repetitions per protocol and defense."""
    rows = []
    picked = table_rows(results, table_lambda, table_l2)
    for protocol in (p for p in PROTOCOL_TITLES if p in set(picked["protocol"])):
        for label, defense in DEFENSES.items():
            part = picked[(picked["protocol"] == protocol) & (picked["defense"] == defense)]
            if part.empty:
                continue
            per_model = part.drop_duplicates("repetition")
            row = {
                "source": "ours",
                "dataset": dataset,
                "protocol": protocol,
                "defense": label,
                "lambda": float(per_model["lambda"].iloc[0]),
                "epoch": float(per_model["epoch"].mean()),
                "repetitions": len(per_model),
            }
            for column in ("train_accuracy", "test_accuracy"):
                mean, ci = mean_ci(per_model[column])
                name = column.split("_")[0]
                row |= {f"{name}_pct": 100 * mean, f"{name}_ci": 100 * ci}
            for attack in ATTACKS:
                values = part.loc[part["attack"] == attack, "accuracy"]
                mean, ci = mean_ci(values) if len(values) else (np.nan, np.nan)
                row |= {f"{attack}_pct": 100 * mean, f"{attack}_ci": 100 * ci}
            rows.append(row)
    return pd.DataFrame(rows)


def with_paper_rows(ours: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Our rows, then the paper's (its own protocol, no intervals)."""
    paper = reference.assign(source="paper", protocol="known_half")
    return pd.concat([ours, paper], ignore_index=True)


def _cell(mean, ci) -> str:
    return plus_minus(mean, ci, missing="N.A.")


def song_table_2_readable(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One section per (source, dataset, protocol) in Table 2's columns."""
    sections = {}
    keys = ["source", "dataset", "protocol"]
    for (source, dataset, protocol), part in frame.groupby(keys, sort=False):
        out = pd.DataFrame({"defense": part["defense"].to_numpy()})
        for name in ("train", "test"):
            out[name] = [
                _cell(m, c) for m, c in zip(part[f"{name}_pct"], part[f"{name}_ci"], strict=True)
            ]
        for attack, label in ATTACKS.items():
            if (
                part[f"{attack}_pct"].isna().all()
                and source == "paper"
                and attack
                in (
                    "shokri",
                    "risk_score",
                )
            ):
                continue
            out[label] = [
                _cell(m, c)
                for m, c in zip(part[f"{attack}_pct"], part[f"{attack}_ci"], strict=True)
            ]
        title = f"{dataset} ({source})" + (
            f", {PROTOCOL_TITLES[protocol]}" if source == "ours" else ", 004 Table 2"
        )
        sections[title] = out
    return sections


def strongest(part: pd.DataFrame) -> str:
    """The attack with the highest mean accuracy on these rows."""
    return str(part.groupby("attack")["accuracy"].mean().idxmax())


def verdict(results: pd.DataFrame, table_lambda: float, table_l2: float) -> pd.DataFrame:
    """Per protocol: AdvReg's and early stopping's strongest attack, their accuracies and test
    accuracies, and the paired difference over repetitions with its 95% CI."""
    picked = table_rows(results, table_lambda, table_l2)
    rows = []
    for protocol in (p for p in PROTOCOL_TITLES if p in set(picked["protocol"])):
        at = picked[picked["protocol"] == protocol]
        row = {"protocol": protocol}
        by_rep = {}
        for defense in ("advreg", "early_stopping"):
            part = at[at["defense"] == defense]
            attack = strongest(part)
            scores = part[part["attack"] == attack].set_index("repetition")["accuracy"]
            by_rep[defense] = scores
            mean, ci = mean_ci(scores)
            test = part.drop_duplicates("repetition")["test_accuracy"]
            row |= {
                f"{defense}_strongest": attack,
                f"{defense}_pct": 100 * mean,
                f"{defense}_ci": 100 * ci,
                f"{defense}_test_pct": 100 * float(test.mean()),
            }
        paired = (by_rep["advreg"] - by_rep["early_stopping"]).dropna()
        mean, ci = mean_ci(paired)
        row |= {"difference_pct": 100 * mean, "difference_ci": 100 * ci}
        if np.isnan(ci) or abs(mean) <= ci:
            row["verdict"] = "no difference at this power"
        elif mean < 0:
            row["verdict"] = "AdvReg leaks less than early stopping"
        else:
            row["verdict"] = "early stopping leaks less than AdvReg"
        rows.append(row)
    return pd.DataFrame(rows)


def privacy_utility(results: pd.DataFrame) -> pd.DataFrame:
    """Per protocol and model state (defense, lambda, epoch): mean test accuracy and the
    strongest attack's mean accuracy with its CI, in %."""
    rows = []
    arms = results[results["defense"] != "early_stopping"]
    final = arms.groupby(["defense", "lambda"])["epoch"].transform("max")
    checkpoints = results[results["defense"] == "early_stopping"]
    states = pd.concat([arms[arms["epoch"] == final], checkpoints])
    for (protocol, defense, lam, epoch), part in states.groupby(
        ["protocol", "defense", "lambda", "epoch"], sort=True
    ):
        attack = strongest(part)
        mean, ci = mean_ci(part.loc[part["attack"] == attack, "accuracy"])
        test = part.drop_duplicates("repetition")["test_accuracy"]
        rows.append(
            {
                "protocol": protocol,
                "defense": defense,
                "lambda": lam,
                "epoch": epoch,
                "strongest": attack,
                "attack_pct": 100 * mean,
                "attack_ci": 100 * ci,
                "test_pct": 100 * float(test.mean()),
                "test_ci": 100 * mean_ci(test)[1],
            }
        )
    return pd.DataFrame(rows)


def privacy_utility_figure(points: pd.DataFrame, pdf, png) -> None:
    """A panel per protocol: AdvReg over lambda, L2, no defense and the early-stopping curve."""
    style.apply()
    protocols = [p for p in PROTOCOL_TITLES if p in set(points["protocol"])]
    fig, axes = plt.subplots(1, len(protocols), figsize=(5.2 * len(protocols), 4.2), squeeze=False)
    for ax, protocol in zip(axes[0], protocols, strict=True):
        at = points[points["protocol"] == protocol]
        curve = at[at["defense"] == "early_stopping"].sort_values("epoch")
        ax.plot(curve["attack_pct"], curve["test_pct"], "-", color="black", lw=1)
        for row in curve.itertuples():
            ax.annotate(str(int(row.epoch)), (row.attack_pct, row.test_pct), fontsize=6)
        ax.plot([], [], "-", color="black", lw=1, label="undefended, by epoch (early stopping)")
        for defense, label in (("advreg", "AdvReg, by lambda"), ("l2", "L2"), ("none", "none")):
            part = at[at["defense"] == defense].sort_values("lambda")
            ax.errorbar(
                part["attack_pct"],
                part["test_pct"],
                xerr=part["attack_ci"].fillna(0),
                yerr=part["test_ci"].fillna(0),
                fmt="o-" if defense == "advreg" else "s",
                ms=4,
                lw=0.8,
                color=COLOURS[defense],
                label=label,
            )
            if defense != "none":
                for lam, x, y in zip(
                    part["lambda"], part["attack_pct"], part["test_pct"], strict=True
                ):
                    ax.annotate(f"{lam:g}", (x, y), fontsize=6, color=COLOURS[defense])
        ax.axvline(50, color="grey", lw=0.6, ls=":")
        ax.set_title(PROTOCOL_TITLES[protocol], fontsize=8)
        ax.set_xlabel("MIA accuracy (%), strongest attack per point")
        ax.set_ylabel("test accuracy (%)")
    axes[0][-1].legend(loc="lower right", fontsize=6)
    save(fig, pdf, png)


def accuracy_curves(curves: pd.DataFrame) -> pd.DataFrame:
    """Mean train and test accuracy (%) per defense, lambda and epoch over repetitions."""
    keys = ["defense", "lambda", "epoch"]
    frame = curves.groupby(keys, sort=True)[["train_accuracy", "test_accuracy"]].mean() * 100
    return frame.reset_index().rename(
        columns={"train_accuracy": "train_pct", "test_accuracy": "test_pct"}
    )


def figure_2(curves: pd.DataFrame, pdf, png) -> None:
    """004 Figure 2: test accuracy (solid) and train accuracy (dashed) against epoch."""
    style.apply()
    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    colours = plt.get_cmap("Reds")
    lambdas = sorted(set(curves.loc[curves["defense"] == "advreg", "lambda"]))
    lines = [("none", 0.0, COLOURS["none"], "undefended")]
    lines += [
        (
            "advreg",
            lam,
            colours(0.45 + 0.5 * i / max(1, len(lambdas) - 1)),
            f"AdvReg, lambda {lam:g}",
        )
        for i, lam in enumerate(lambdas)
    ]
    for defense, lam, colour, label in lines:
        part = curves[(curves["defense"] == defense) & np.isclose(curves["lambda"], lam)]
        ax.plot(part["epoch"], part["test_pct"], "-", color=colour, lw=1.2, label=f"{label}: test")
        ax.plot(part["epoch"], part["train_pct"], "--", color=colour, lw=0.8)
    ax.plot([], [], "--", color="grey", lw=0.8, label="train (dashed)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (%)")
    ax.legend(fontsize=6)
    save(fig, pdf, png)


def risk_cdfs(
    risk: pd.DataFrame, results: pd.DataFrame, table_lambda: float
) -> dict[str, np.ndarray]:
    """The members' risk scores (known-half protocol) pooled over repetitions: undefended (final
    epoch), AdvReg at the table's lambda (final epoch) and early stopping (matched epochs)."""
    if risk.empty:  # the study ran no risk score
        return {}
    final = risk.groupby(["defense", "lambda"])["epoch"].transform("max")
    matched = results.loc[results["matched"], ["repetition", "epoch"]].drop_duplicates()
    stopped = risk[risk["defense"] == "early_stopping"].merge(matched, on=["repetition", "epoch"])
    return {
        "undefended": risk[(risk["defense"] == "none") & (risk["epoch"] == final)],
        f"AdvReg, lambda {table_lambda:g}": risk[
            (risk["defense"] == "advreg")
            & np.isclose(risk["lambda"], table_lambda)
            & (risk["epoch"] == final)
        ],
        "early stopping (equal test accuracy)": stopped,
    }


def figure_5(groups: Mapping[str, pd.DataFrame], pdf, png) -> None:
    """004 Figure 5: the empirical CDF of the members' privacy risk scores per model."""
    style.apply()
    fig, ax = plt.subplots(figsize=(4.6, 3.6))
    colours = [COLOURS["none"], COLOURS["advreg"], COLOURS["early_stopping"]]
    for (label, part), colour in zip(groups.items(), colours, strict=False):
        scores = np.sort(part["risk_score"].to_numpy())
        if scores.size:
            ax.step(
                scores,
                np.arange(1, scores.size + 1) / scores.size,
                where="post",
                color=colour,
                lw=1.2,
                label=f"{label} ({scores.size} members)",
            )
    ax.set_xlabel("privacy risk score")
    ax.set_ylabel("cumulative share of members")
    ax.set_xlim(0, 1)
    ax.legend(fontsize=6, loc="upper left")
    save(fig, pdf, png)
