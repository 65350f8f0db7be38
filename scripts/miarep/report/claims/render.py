"""The scorecard as pages: a Markdown card, the report's landing page and captions."""

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from miarep.report.claims.card import multiplicity_line
from miarep.report.claims.spec import VERDICTS


def verdict_counts(card: pd.DataFrame) -> str:
    """How many claim-dataset pairs got each verdict, in the verdicts' order."""
    counts = card["verdict"].value_counts()
    return ", ".join(f"{counts.get(v, 0)} {v}" for v in VERDICTS) + f" (of {len(card)})"


def verdict_with_reason(row: Mapping) -> str:
    """ "cannot be tested: nothing leaks", "does not reproduce (the paper's models ...)"."""
    reason = row.get("reason")
    if not isinstance(reason, str) or not reason:
        return row["verdict"]
    joiner = ": " if row["verdict"] == VERDICTS[3] else " - "
    return f"{row['verdict']}{joiner}{reason}"


def markdown(card: pd.DataFrame, stamp: str) -> str:
    """The scorecard as a page: counts per verdict, then one line per claim and dataset."""
    lines = [
        "# Claims scorecard",
        "",
        stamp,
        "",
        verdict_counts(card) + ".",
        "",
        multiplicity_line(card),
        "",
        "| id | paper | claim | dataset | verdict | parts | ours | paper | detail | "
        "sensitivity | depends on |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in card.to_dict("records"):
        ours = "" if pd.isna(row["ours"]) else f"{row['ours']:.3g}"
        if not pd.isna(row["ci"]):
            ours += f" ± {row['ci']:.2g}"
        paper = "" if pd.isna(row["paper_value"]) else f"{row['paper_value']:.3g}"
        cells = [
            row["id"],
            row["paper"],
            row["claim"] + (f" *({row['beyond']})*" if _text(row.get("beyond")) else ""),
            row["dataset"],
            f"**{verdict_with_reason(row)}**",
            _text(row.get("parts")),
            ours,
            paper,
            row["detail"],
            _text(row.get("sensitivity")),
            _text(row["depends_on"]),
        ]
        lines.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def read_table(path: str | Path) -> pd.DataFrame:
    """A result CSV, with the paper's "None" regularizer kept as text."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _plain(text) -> str:
    """Text safe inside reStructuredText and a Jinja caption template."""
    text = _text(text)
    for char, repl in (("{", "("), ("}", ")"), ("*", "x"), ("|", "/"), ("`", "'"), ("_", " ")):
        text = text.replace(char, repl)
    return text


def _number(value) -> str:
    return "" if pd.isna(value) else f"{value:.3g}"


def claim_line(row: Mapping) -> str:
    """One claim's verdict as a sentence: id, dataset, verdict and reason, our number, the
    paper's, and what the verdict rests on."""
    numbers = f"ours {_number(row['ours'])}" if not pd.isna(row["ours"]) else ""
    if not pd.isna(row["paper_value"]):
        numbers += f", paper {_number(row['paper_value'])}"
    depends = f"; depends on {_plain(row['depends_on'])}" if _text(row["depends_on"]) else ""
    return (
        f"**{row['id']}** ({row['dataset']}): **{_plain(verdict_with_reason(row))}** - "
        f"{_plain(row['claim'])} "
        f"({numbers}{'; ' if numbers else ''}{_plain(row['detail'])}{depends})"
    )


def landing_rst(card: pd.DataFrame, stamp: str) -> str:
    """The report's landing page: the scorecard, one bullet per claim and dataset."""
    lines = [
        "Claims scorecard",
        "================",
        "",
        f"{_plain(stamp)} {verdict_counts(card)} claim-dataset pairs; every reading in "
        "results/claims.csv.",
        "",
        _plain(multiplicity_line(card)),
        "",
    ]
    for paper, part in card.groupby("paper", sort=False):
        lines += [_plain(paper), "-" * len(_plain(paper)), ""]
        lines += [f"- {claim_line(row)}" for row in part.to_dict("records")]
        lines.append("")
    return "\n".join(lines)


def caption_with_claims(template: str, card: pd.DataFrame, artefact: str) -> str:
    """An artefact's caption template followed by the claims it carries and their verdicts."""
    rows = card[card["artefact"] == artefact].to_dict("records")
    if not rows:
        return template
    claims_text = " ".join(claim_line(row) for row in rows)
    return template.rstrip() + f"\n\nClaims and verdicts: {claims_text}\n"
