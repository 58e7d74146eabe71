"""docs/example.ipynb runs as a notebook: in a Jupyter kernel (nbclient), from docs/ and
from a directory outside the repository, with an inline PNG figure and its tables, and
writes its results only where TEACHSIM_RESULTS points."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT

NOTEBOOK = ROOT / "docs" / "example.ipynb"
KERNEL = "teachsim-test"


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One results directory for both runs: the second resumes (no runs left to do)."""
    return tmp_path_factory.mktemp("notebook") / "results"


@pytest.fixture
def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernel spec for this interpreter, first on Jupyter's path, so the notebook runs
    in the test's environment whatever kernels the machine has registered."""
    from ipykernel.kernelspec import write_kernel_spec

    write_kernel_spec(tmp_path / "jupyter" / "kernels" / KERNEL)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return KERNEL


def _written_in_repo() -> set[Path]:
    """The notebook's default results directory and docs/, where it must not write."""
    return {p for d in (ROOT / "results" / "example_notebook", ROOT / "docs")
            if d.exists() for p in d.rglob("*")}


@pytest.mark.parametrize("where", ["docs", "elsewhere"])
def test_example_notebook_executes(where: str, kernel: str, results_dir: Path,
                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = ROOT / "docs" if where == "docs" else tmp_path / "elsewhere"
    cwd.mkdir(exist_ok=True)
    monkeypatch.setenv("TEACHSIM_RESULTS", str(results_dir))
    before = _written_in_repo()

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, kernel_name=kernel, timeout=300, startup_timeout=120,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no inline figure"
    tables = [o for o in outputs if "<table" in o.get("data", {}).get("text/html", "")]
    assert len(tables) >= 3, "expected the SQL, paired-differences and budget tables"
    assert "rotating_release" in tables[0].data["text/html"]

    assert (results_dir / "schedule_comparison" / "manifest.json").is_file()
    assert _written_in_repo() == before, (
        "the notebook wrote inside the repository although TEACHSIM_RESULTS was set")
