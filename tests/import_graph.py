"""The package's module import graph, read from the source (nothing is imported).

Only imports that run when a module is imported count: module-level ``import`` and
``from ... import`` statements, including those nested in ``try``/``if`` blocks, but not those
inside functions or classes (lazy imports) nor under ``if TYPE_CHECKING:``. Importing
``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` first, so it counts as importing those too
(except a module's own parent packages, which are already running). Used by a test that
keeps the graph acyclic, so layers depend one way (see ``DESIGN.md``).
"""

from __future__ import annotations

import ast
from pathlib import Path


def module_name(root: Path, path: Path) -> str:
    """Dotted name of the module at ``path`` inside the package folder ``root``."""
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _eager_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.append(node)
            elif isinstance(node, ast.If):
                test = ast.unparse(node.test)
                if "TYPE_CHECKING" not in test:
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(tree.body)
    return found


def import_graph(root: Path, roots: tuple[str, ...] | None = None) -> dict[str, set[str]]:
    """``{module: {modules of the same top-level packages it imports eagerly}}`` under ``root``.

    ``roots`` are the top-level names whose modules are kept as targets (default: the
    package's own name).
    """
    keep = roots or (root.name,)
    files = sorted(root.rglob("*.py"))
    modules = {module_name(root, f): f for f in files}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        is_pkg = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _eager_imports(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    pkg = name.split(".") if is_pkg else name.split(".")[:-1]
                    pkg = pkg[: len(pkg) - (node.level - 1)]
                    base = ".".join([*pkg, base] if base else pkg)
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            for t in targets:
                while t and t not in modules:
                    t = t.rpartition(".")[0]  # `from pkg import name` where name is not a module
                while t and t.split(".")[0] in keep:  # importing a.b.c runs a and a.b too
                    if t != name and not name.startswith(t + "."):
                        graph[name].add(t)
                    t = t.rpartition(".")[0]
    return graph


def _all_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, lazy ones (inside functions) included, except those under
    ``if TYPE_CHECKING:`` (annotations only, never run)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return [
        node for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skip
    ]


def layer_graph(root: Path) -> dict[str, set[str]]:
    """``{layer: {layers it imports}}`` for the package folder ``root``, lazy imports included.

    A layer is a direct child of the package: a subpackage (``mme3dr.geometry``) or a module
    (``mme3dr.runner``); imports inside one layer do not count. Only absolute imports of the
    package are followed (the package uses no relative imports).
    """
    package = root.name
    graph: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        name = module_name(root, path).split(".")
        if len(name) < 2:
            continue  # the package's own __init__
        layer = name[1]
        graph.setdefault(layer, set())
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _all_imports(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                targets = [node.module or ""] if not node.level else []
            for t in targets:
                parts = t.split(".")
                if parts[0] == package and len(parts) > 1 and parts[1] != layer:
                    graph[layer].add(parts[1])
    return graph
