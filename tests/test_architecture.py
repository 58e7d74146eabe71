"""The layout keeps its promises: layers import downward only (import-linter contracts),
no module imports another that imports it back, and the command line and the package
root load nothing heavy until a command needs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "teachsim"


def test_import_contracts_kept() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 broken" in done.stdout


def test_no_import_cycles_between_modules() -> None:
    """Every import counts: at module level, inside functions and for type checking."""
    graph = grimp.build_graph("teachsim", cache_dir=None)
    edges = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            edges.add_edge(module, imported)
    cycles = list(nx.simple_cycles(edges))
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles[:5])


def test_few_loose_modules_at_the_top() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py"]
    layers = sorted(p.name for p in PACKAGE.iterdir()
                    if p.is_dir() and (p / "__init__.py").exists())
    assert layers == ["analysis", "cli", "config", "dashboard", "experiments", "mechanisms",
                      "model", "money"]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport json, sys\n"
                          "print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True).stdout
    return set(json.loads(out))


HEAVY = {"mesa", "numpy", "pandas", "pyarrow", "duckdb", "scipy", "matplotlib", "seaborn",
         "distributed", "SALib", "solara", "uvicorn"}


def test_command_line_loads_nothing_heavy_until_a_command_runs() -> None:
    """What keeps ``teachsim --help`` fast (docs/performance.md gives the time)."""
    assert not HEAVY & _modules_after("import teachsim.cli")


def test_public_api_is_lazy_and_complete() -> None:
    loaded = _modules_after("import teachsim")
    assert not {m for m in loaded if m.startswith("teachsim.")}
    assert not HEAVY & loaded
    import teachsim

    assert sorted(teachsim.__all__) == sorted(teachsim._API)
    for name in teachsim.__all__:
        assert getattr(teachsim, name) is not None, name
    assert "load_scenario" in dir(teachsim)


def test_validating_a_scenario_does_not_load_mesa() -> None:
    assert "mesa" not in _modules_after(
        "from teachsim.model.scenario import load_scenario\n"
        f"load_scenario({str(ROOT / 'configs' / 'school_d_rotating.toml')!r})")
