"""The package code behind a script, found from its imports: what a rule's rerun digest covers.

Snakemake reruns a rule when its script changes, not when the package modules behind it do. A
rule's ``code`` param is therefore the digest of its script's import closure inside ``miarep``,
computed here from the source (``ast``, nothing imported), so no module can be left out of a
hand-kept list. Standard library only: the Snakefile calls it while it builds the DAG.
"""

import ast
import hashlib
import sys
from pathlib import Path

PACKAGE = "miarep"


def _imported_names(tree: ast.AST, top_level_only: bool = False) -> set[str]:
    """Dotted names a module imports (``from a.b import c`` gives ``a.b`` and ``a.b.c``).

    With ``top_level_only``, imports inside functions are left out: they run only when called.
    """
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if top_level_only and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if isinstance(child, ast.Import):
                names.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                names.add(child.module)
                names.update(f"{child.module}.{alias.name}" for alias in child.names)
            visit(child)

    visit(tree)
    return names


def _module_file(name: str, root: Path) -> Path | None:
    """The file of a dotted package module under ``root`` (a module or a package's __init__)."""
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def package_closure(script: str | Path, root: str | Path) -> list[Path]:
    """Every ``miarep`` file ``script`` imports, directly or not, with the packages' __init__s."""
    root = Path(root)
    seen: set[Path] = set()
    todo = [Path(script)]
    while todo:
        path = todo.pop()
        for name in _imported_names(ast.parse(path.read_text(), str(path))):
            if name.split(".")[0] != PACKAGE:
                continue
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):
                found = _module_file(".".join(parts[:depth]), root)
                if found is not None and found not in seen:
                    seen.add(found)
                    todo.append(found)
    return sorted(seen)


def closure_digest(script: str | Path, root: str | Path) -> str:
    """SHA-256 (16 hex digits) of the package files behind ``script``, by path and content."""
    root = Path(root)
    digest = hashlib.sha256()
    for path in package_closure(script, root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def third_party_imports(script: str | Path, root: str | Path) -> set[str]:
    """Top-level distributions a script needs at import time: neither stdlib nor ``miarep``."""
    files = [Path(script), *package_closure(script, root)]
    names: set[str] = set()
    for path in files:
        tree = ast.parse(path.read_text(), str(path))
        names.update(name.split(".")[0] for name in _imported_names(tree, top_level_only=True))
    return {n for n in names if n != PACKAGE and n not in sys.stdlib_module_names}
