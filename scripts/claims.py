"""Rule claims: the claims scorecard from the result tables (reference/claims.yaml,
docs/account.md C)."""

from pathlib import Path

from miarep.core.io import read_parquet, write_atomic
from miarep.core.logs import setup_logging
from miarep.report import claims

log = setup_logging(snakemake.log[0])
params, out = snakemake.params, snakemake.output
studies = dict(params.studies)  # "study/dataset" -> path
tables = dict(params.tables)  # name -> path


def study_table(study: str, dataset: str):
    """A study's result table, with LiRA's and RMIA's readings joined where they ran."""
    key = f"{study}/{dataset}"
    if key not in studies:
        return None
    lira = f"lira:{key}"
    return claims.with_instruments(
        read_parquet(studies[key]), read_parquet(studies[lira]) if lira in studies else None
    )


card = claims.scorecard(
    claims.claims_of(params.claims),
    study_table,
    lambda name: claims.read_table(tables[name]) if name in tables else None,
    list(params.datasets),
)
stamp = f"Commit {params.commit}, config {params.config_hash}."
write_atomic(out.csv, lambda tmp: card.to_csv(tmp, index=False))
write_atomic(out.md, lambda tmp: Path(tmp).write_text(claims.markdown(card, stamp)))
write_atomic(out.landing, lambda tmp: Path(tmp).write_text(claims.landing_rst(card, stamp)))
captions = Path(out.captions)
captions.mkdir(parents=True, exist_ok=True)
for template in sorted(Path(params.caption_dir).glob("*.rst")):
    text = claims.caption_with_claims(template.read_text(), card, template.stem)
    write_atomic(captions / template.name, lambda tmp, text=text: Path(tmp).write_text(text))
log.info("claims: %s", card["verdict"].value_counts().to_dict())
