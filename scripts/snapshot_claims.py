"""Take a default run's scorecard as the committed snapshot and regenerate the README's list.

    .venv/bin/python scripts/snapshot_claims.py [--results DIR] [--repo DIR]

Copies ``DIR/claims.{csv,md}`` (what rule ``claims`` wrote after ``snakemake all`` on the
default config) to ``snapshot/`` and rewrites the README's "What reproduces" block from it
(miarep.report.what_reproduces). A run of uncommitted code (a "-dirty" stamp) is refused: its
verdicts could not be traced to a commit.
"""

import argparse
import shutil
import sys
from pathlib import Path

from miarep.report import what_reproduces

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=REPO / "results")
    parser.add_argument("--repo", type=Path, default=REPO)
    args = parser.parse_args(argv)
    sources = [args.results / name for name in ("claims.csv", "claims.md")]
    missing = [str(s) for s in sources if not s.is_file()]
    if missing:
        sys.exit(f"no scorecard at {', '.join(missing)}: run `snakemake --cores 2 all` first")
    stamp = what_reproduces.stamp_of(sources[1].read_text())
    if "-dirty" in stamp or "unknown" in stamp:
        sys.exit(f"{stamp!r}: the run was not of a clean commit; commit, rerun claims, retry")
    snapshot = args.repo / "snapshot"
    snapshot.mkdir(exist_ok=True)
    for source in sources:
        shutil.copyfile(source, snapshot / source.name)
    readme = args.repo / "README.md"
    rendered = what_reproduces.from_snapshot(snapshot)
    readme.write_text(what_reproduces.replace_section(readme.read_text(), rendered))
    print(f"snapshot/ and README.md now hold the scorecard of {stamp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
