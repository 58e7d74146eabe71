"""``teachsim fit``: ABC-SMC recovers parameters it is shown, resumes, and refuses bad
fit files with a message naming the key and the fix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from teachsim.analysis.calibration import TARGETS
from teachsim.analysis.fit import FitTarget, load_fit, run_fit
from teachsim.cli import app
from teachsim.config.errors import ConfigError
from teachsim.experiments.ensemble import read_ensemble

ROOT = Path(__file__).resolve().parents[1]
TRUTH = {"behaviour.absence.base_rate": 0.05, "behaviour.burnout.centre": 0.5}


def _fit_file(tmp_path: Path, generations: int = 4, extra: str = "") -> Path:
    # Synthetic targets: the figures the model gives at TRUTH on this small district
    # (mean of 8 seeds: 13.1 days of absence, 41.3% burned out; run-to-run SD 0.9 days
    # and 4.5 points), with bands of about +-1.2 SD.
    (tmp_path / "targets.toml").write_text('''published = false

[[target]]
name = "short-term absence"
low = 12.0
high = 14.2

[[target]]
name = "burnout prevalence"
low = 0.36
high = 0.47
''')
    path = tmp_path / "fit.toml"
    path.write_text(f'''name = "synthetic"
base = "{ROOT / 'configs' / 'school_d.toml'}"
seed = 3
schools = 3
poverty_schools = 0
years = 3
parameters = ["behaviour.absence.base_rate", "behaviour.burnout.centre"]
others = "fixed"
population = 40
generations = {generations}
min_epsilon = 0.2
targets = "targets.toml"
{extra}''')
    return path


def test_fit_recovers_known_parameters_from_synthetic_targets(tmp_path: Path) -> None:
    fit = load_fit(_fit_file(tmp_path))
    result = run_fit(fit, tmp_path / "out", workers=1)
    ens = result.ensemble
    w = ens.weights / ens.weights.sum()
    for key, truth in TRUTH.items():
        x = ens.values[:, ens.keys.index(key)]
        order = np.argsort(x)
        cdf = np.cumsum(w[order])
        lo, hi = x[order][np.searchsorted(cdf, 0.05)], x[order][np.searchsorted(cdf, 0.95)]
        assert lo <= truth <= hi, (key, lo, truth, hi)
    # the fit learned something: the posterior of the base rate is narrower than its
    # prior and moved from the default (0.039) toward the truth
    row = result.parameters.set_index("parameter").loc["behaviour.absence.base_rate"]
    assert row["narrowing"] > 0.3 and row["posterior_mean"] > 0.043
    assert result.targets["covered"].all()
    assert [g.epsilon for g in result.generations] == sorted(
        (g.epsilon for g in result.generations), reverse=True)
    for name in ("ensemble.csv", "ensemble.json", "diagnostics.html", "targets.csv",
                 "parameters.csv", "generations.csv", "fit_predictive.png"):
        assert (tmp_path / "out" / name).is_file(), name
    back = read_ensemble(tmp_path / "out" / "ensemble.csv")
    assert back.meta["fitted"] == list(TRUTH) and len(back) == 40


def test_a_stopped_fit_continues_where_it_stopped(tmp_path: Path) -> None:
    fit = load_fit(_fit_file(tmp_path, generations=2))

    class Stop(Exception):
        pass

    def stop(g: object, total: int) -> None:
        raise Stop

    with pytest.raises(Stop):  # stopped after its first generation
        run_fit(fit, tmp_path / "out", workers=1, progress=stop)
    result = run_fit(fit, tmp_path / "out", workers=1)
    assert [g.t for g in result.generations] == [0, 1]
    other = load_fit(_fit_file(tmp_path, generations=3))
    with pytest.raises(ConfigError, match="different fit file"):
        run_fit(other, tmp_path / "out", workers=1)


def test_distances_are_in_half_tolerances() -> None:
    turnover = next(t for t in TARGETS if t.name == "turnover, total")  # 13-19%
    t = FitTarget(turnover, one_sided=False)
    assert t.distance(0.16) == 0.0 and t.distance(0.19) == pytest.approx(1.0)
    assert t.distance(0.22) == pytest.approx(2.0) and t.distance(float("nan")) == np.inf
    floor = FitTarget(next(t for t in TARGETS if t.name == "teachers absent 10+ days"), True)
    assert floor.distance(0.3) == 0.0 and floor.distance(0.9) == 0.0
    assert floor.distance(0.25 - 0.375) == pytest.approx(2.0)


@pytest.mark.parametrize(("extra", "key", "says"), [
    ('parameters = ["behaviour.burnout.centr"]', "parameters",
     "did you mean 'behaviour.burnout.centre'"),
    ("population = 3", "population", "greater than or equal to 10"),
    ('targets = "missing.toml"', "targets", "not found"),
])
def test_bad_fit_files_are_refused_with_exit_2(tmp_path: Path, extra: str, key: str,
                                               says: str) -> None:
    path = _fit_file(tmp_path)
    text = path.read_text()
    name = extra.split(" = ")[0]
    lines = [ln for ln in text.splitlines() if not ln.startswith(f"{name} =")]
    path.write_text("\n".join([*lines, extra]) + "\n")
    result = CliRunner().invoke(app, ["fit", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert key in result.output and says in result.output
    assert not (tmp_path / "o").exists()
