"""The layering rules of DESIGN.md, enforced: domain modules never import Textual, the CLI
and the service layer do not load spaCy or scikit-learn up front, and only qualcode.store
writes SQL."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "qualcode"
UI_PACKAGES = ("cli", "tui")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _domain_modules() -> list[str]:
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in UI_PACKAGES or relative.name == "__main__.py":
            continue
        modules.append(_module_name(path))
    return modules


DOMAIN = _domain_modules()

CHECK = """
import importlib, sys
importlib.import_module({module!r})
print(",".join(sorted(name for name in {watched!r} if name in sys.modules)))
"""


def _loaded_after_import(modules: list[str], watched: tuple[str, ...]) -> dict[str, str]:
    """Import each module in its own fresh interpreter (in parallel) and report which of the
    watched packages each one pulled in."""
    running = {
        m: subprocess.Popen(
            [sys.executable, "-c", CHECK.format(module=m, watched=watched)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=SRC,
        )
        for m in modules
    }
    results = {}
    for module, process in running.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, f"importing {module} failed:\n{err}"
        results[module] = out.strip()
    return results


@pytest.fixture(scope="module")
def domain_imports() -> dict[str, str]:
    return _loaded_after_import(DOMAIN, ("textual",))


def test_the_domain_modules_are_found() -> None:
    assert {"qualcode.study.study", "qualcode.study.codings", "qualcode.store.core", "qualcode.ingest.readers"} <= set(
        DOMAIN
    )
    assert not any(m.startswith(("qualcode.cli", "qualcode.tui")) for m in DOMAIN)


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_module_does_not_import_textual(module: str, domain_imports: dict[str, str]) -> None:
    assert domain_imports[module] == "", f"{module} imports textual"


@pytest.mark.parametrize("module", ["qualcode.cli", "qualcode.study.study"])
def test_cli_and_study_do_not_load_spacy_or_sklearn(module: str) -> None:
    loaded = _loaded_after_import([module], ("spacy", "sklearn", "scipy", "pandas"))[module]
    assert loaded == "", f"importing {module} loads {loaded}"


def test_the_import_check_can_fail() -> None:
    """The subprocess check sees a heavy import when there is one."""
    assert _loaded_after_import(["json"], ("json",))["json"] == "json"


SQL_WRITE = re.compile(
    r"\b(INSERT\s+(OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE\s+\"?\w+\"?\s+SET|DELETE\s+FROM|"
    r"CREATE\s+(VIRTUAL\s+|UNIQUE\s+)?(TABLE|INDEX|TRIGGER|VIEW)|DROP\s+(TABLE|INDEX|TRIGGER|VIEW)|ALTER\s+TABLE)\b",
)


def _sql_writes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for match in SQL_WRITE.finditer(node.value):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}: {match.group(0)}")
    return found


def test_only_the_store_writes_sql() -> None:
    outside = [p for p in sorted(PACKAGE.rglob("*.py")) if p.relative_to(PACKAGE).parts[0] != "store"]
    offending = [hit for p in outside for hit in _sql_writes(p)]
    assert offending == []


SQL_READ = re.compile(r"\bSELECT\s+[\w*(\"]+.*?\bFROM\b", re.IGNORECASE | re.DOTALL)


def test_only_the_store_holds_sql_queries() -> None:
    """Reads too: a query outside store/ is SQL the store cannot change with its schema."""
    outside = [p for p in sorted(PACKAGE.rglob("*.py")) if p.relative_to(PACKAGE).parts[0] != "store"]
    offending = []
    for path in outside:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_READ.search(node.value):
                offending.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offending == []


def test_the_sql_check_finds_the_stores_writes() -> None:
    inside = [hit for p in sorted((PACKAGE / "store").rglob("*.py")) for hit in _sql_writes(p)]
    kinds = {hit.split(": ", 1)[1].split()[0] for hit in inside}
    assert {"INSERT", "UPDATE", "DELETE", "CREATE"} <= kinds
    assert SQL_READ.search((PACKAGE / "store" / "documents.py").read_text(encoding="utf-8"))


# -- the layers and forbidden imports (import-linter), and no cycles ------------------------

ROOT = SRC.parent


def _lint_imports(config: Path) -> tuple[int, str]:
    """Run import-linter's own entry point on a config; (exit code, what it printed)."""
    script = (
        "import sys; from importlinter.cli import lint_imports; "
        f"sys.exit(lint_imports(config_filename={str(config)!r}, no_cache=True, no_logo=True))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=_env_with_src(), timeout=300
    )
    return done.returncode, done.stdout + done.stderr


def _env_with_src() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    return env


def test_the_import_contracts_are_kept() -> None:
    """The layers (cli > tui > analysis | assist | exchange > study > ingest > store > core),
    no Textual outside the TUI, no store in the CLI or the TUI: pyproject's [tool.importlinter]."""
    code, out = _lint_imports(ROOT / "pyproject.toml")
    assert code == 0, out
    assert "BROKEN" not in out and "KEPT" in out


def test_a_broken_contract_fails(tmp_path: Path) -> None:
    """The check can fail: the study service does use the store, so forbidding it breaks."""
    config = tmp_path / ".importlinter"
    config.write_text(
        "[importlinter]\nroot_package = qualcode\n\n"
        "[importlinter:contract:study-without-store]\nname = study without store\ntype = forbidden\n"
        "source_modules = qualcode.study\nforbidden_modules = qualcode.store\n",
        encoding="utf-8",
    )
    code, out = _lint_imports(config)
    assert code == 1 and "BROKEN" in out, out


def _cycles(graph: object) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    modules = sorted(graph.modules)  # type: ignore[attr-defined]
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}  # type: ignore[attr-defined]
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = edges.get(node, [])
            if i < len(targets):
                work.append((node, i + 1))
                target = targets[i]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_between_qualcode_modules() -> None:
    """Imports inside functions and under TYPE_CHECKING count: a lazy import puts off loading
    a module (spaCy, Textual), not the dependency on it, and a cycle it hides still means
    neither module can be read, tested or moved without the other."""
    import grimp

    sys.path.insert(0, str(SRC))
    try:
        graph = grimp.build_graph("qualcode", cache_dir=None)
    finally:
        sys.path.remove(str(SRC))
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    import grimp

    graph = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d"), ("p.e", "p.d")]:
        graph.add_import(importer=importer, imported=imported)
    assert _cycles(graph) == [["p.a", "p.b", "p.c"]]
