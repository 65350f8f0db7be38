"""Writes docs/claims-inventory.md from reference/inventory.yaml and the spec (run from the
repository root: python scripts/claims_inventory.py); a test fails when the page is stale."""

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from miarep.report.claims import claims_of  # noqa: E402
from miarep.report.claims.inventory import markdown, problems  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    inventory = yaml.safe_load((REPO / "reference" / "inventory.yaml").read_text())
    spec = claims_of(yaml.safe_load((REPO / "reference" / "claims.yaml").read_text())["claims"])
    found = problems(inventory, spec)
    if found:
        sys.exit("reference/inventory.yaml and the spec disagree:\n" + "\n".join(found))
    (REPO / "docs" / "claims-inventory.md").write_text(markdown(inventory, spec))


if __name__ == "__main__":
    main()
