"""The dependency direction of docs/architecture.md, checked over the imports.

cli → application (context) → services, queries, render →
storage (store, connect, models) → pure modules. A module imports, when it runs,
only from its own layer or the layers below; imports under `if TYPE_CHECKING:`
name types and are not counted. Function-level imports count: lazy is still a
dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "complog"

#: top to bottom; each name is a module or package directly under complog/
LAYERS: list[tuple[str, set[str]]] = [
    ("entry", {"__main__", "cli"}),
    ("application", {"context"}),
    ("services and reads", {"services", "queries", "render", "hooks", "hookrun", "trust", "userconfig",
                            "digest", "doctor", "importers", "briefing"}),
    ("storage", {"store", "connect", "files", "identity", "migrations", "models", "tables",
                 "dbtypes"}),
    ("pure", {"complog", "errors", "clock", "storedtime", "rows", "rules", "kpis", "names",
              "vocabulary", "money", "settings", "businesstime", "timeparse", "checklist",
              "search", "searchindex", "snippets", "timeline", "reporting", "trends", "charts",
              "bulk"}),
]  # fmt: skip

#: pairs within one layer that must stay apart: the read path never writes, the
#: write path never renders, nothing but the commands knows the terminal
APART = {
    ("queries", "services"), ("queries", "render"), ("services", "render"),
    ("render", "services"), ("render", "store"), ("importers", "render"),
}  # fmt: skip

#: libraries of the terminal, which only the commands and render/ may use
TERMINAL = ("typer", "click", "rich")


def _rank(top: str) -> int:
    for rank, (_, names) in enumerate(LAYERS):
        if top in names:
            return rank
    raise AssertionError(f"complog/{top} is in no layer of this test (add it, and to the doc)")


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "complog"


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, module) of each complog import outside `if TYPE_CHECKING:` blocks."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return [(line, m) for line, m in found if m == "complog" or m.startswith("complog.")]


def _sources() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "versions" not in p.parts)


def test_every_module_is_in_a_layer():
    for path in _sources():
        _rank(_top(_module(path)))


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_go_down_the_layers(path):
    importer = _top(_module(path))
    wrong = []
    for line, module in _runtime_imports(ast.parse(path.read_text(), str(path))):
        imported = _top(module)
        if imported == importer:
            continue
        if _rank(imported) < _rank(importer) or (importer, imported) in APART:
            wrong.append(f"{path.relative_to(SRC)}:{line} imports {module}")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def _third_party_imports(tree: ast.Module) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


@pytest.mark.parametrize("package", ["services", "importers", "queries"])
def test_procedures_know_nothing_of_the_terminal(package):
    """Services return what happened; printing, progress bars and prompts are the
    commands' (issue 20: import's passes printed as they went)."""
    wrong = []
    for path in sorted((SRC / package).rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for line, module in _third_party_imports(tree):
            if module.split(".")[0] in TERMINAL:
                wrong.append(f"{path.relative_to(SRC)}:{line} imports {module}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in ("print", "input"):
                wrong.append(
                    f"{path.relative_to(SRC)}:{node.lineno} calls {ast.unparse(node.func)}"
                )
    assert not wrong, "terminal code below the commands:\n" + "\n".join(wrong)


def test_the_import_command_body_is_a_service():
    """import's passes are services (services/importfile.py, importsheet.py), not a
    command body at the package root that renders as it goes."""
    assert not (SRC / "importing.py").exists()
    for name in ("importfile", "importsheet"):
        tree = ast.parse((SRC / "services" / f"{name}.py").read_text())
        assert not [m for _, m in _runtime_imports(tree) if m.startswith("complog.render")]


def test_the_layers_are_the_ones_the_architecture_doc_draws():
    doc = (SRC.parents[1] / "docs" / "architecture.md").read_text()
    for name, members in LAYERS:
        assert f"**{name}**" in doc, name
        for member in members - {"complog", "__main__"}:
            assert f"`{member}" in doc, f"docs/architecture.md does not mention {member}"


def test_the_module_index_lists_every_module():
    doc = (SRC.parents[1] / "docs" / "architecture.md").read_text()
    index = doc.split("## Module index", 1)[1].split("\n## ", 1)[0]
    revisions = sorted((SRC / "migrations" / "versions").glob("0*.py"))
    missing = [
        str(path.relative_to(SRC))
        for path in [*_sources(), *revisions]
        if f"- `{path.relative_to(SRC).as_posix()}`:" not in index
    ]
    assert not missing, f"docs/architecture.md's module index lacks {missing}"


def test_code_that_walks_every_table_imports_the_whole_schema():
    """The tables are defined in modules by what writes them, so a command maps only
    those it uses (complog.tables). Code that walks the metadata (erase's scrub, the
    migrations, import) would silently miss a table no module had imported yet: it
    must import complog.models, the whole schema, itself."""
    wrong = []
    for path in _sources():
        if path.parent.name == "tables":
            continue  # where the tables are defined
        source = path.read_text()
        if ".metadata" not in source.replace("importlib.metadata", ""):
            continue
        imported = {m for _, m in _runtime_imports(ast.parse(source, str(path)))}
        if "complog.models" not in imported:
            wrong.append(str(path.relative_to(SRC)))
    assert not wrong, f"walk SQLModel.metadata without importing complog.models: {wrong}"
