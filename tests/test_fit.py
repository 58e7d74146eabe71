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
from teachsim.experiments.ensemble import Ensemble, read_ensemble

ROOT = Path(__file__).resolve().parents[1]
TRUTH = {"behaviour.absence.base_rate": 0.05, "behaviour.burnout.centre": 0.5}


def _central90(ens: Ensemble, key: str) -> tuple[float, float]:
    """The weighted 5th and 95th percentiles of a parameter in an ensemble."""
    x = ens.values[:, ens.keys.index(key)]
    order = np.argsort(x)
    cdf = np.cumsum(ens.weights[order] / ens.weights.sum())
    return x[order][np.searchsorted(cdf, 0.05)], x[order][np.searchsorted(cdf, 0.95)]


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
    fit = load_fit(_fit_file(tmp_path, extra="moves = 3\n"))
    result = run_fit(fit, tmp_path / "out", workers=1)
    ens = result.ensemble
    for key, truth in TRUTH.items():
        lo, hi = _central90(ens, key)
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
    # the moves leave equal weights and many distinct parameter sets
    assert np.all(back.weights == back.weights[0]) and back.meta["distinct_sets"] >= 20
    assert len(back.meta["move_acceptance"]) == 3


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


def test_the_shipped_posterior_comes_from_the_shipped_fit_and_covers_every_target() -> None:
    import hashlib

    from teachsim.analysis.fit import predictive_check
    from teachsim.experiments.ensemble import default_posterior

    fit_file = ROOT / "experiments" / "fit_baseline.toml"
    ens = read_ensemble(default_posterior())
    assert ens.meta["kind"] == "posterior"
    assert ens.meta["fit_sha256"] == hashlib.sha256(fit_file.read_bytes()).hexdigest()
    fit = load_fit(fit_file)
    assert set(ens.keys) == {*fit.setup.fitted, *fit.setup.others}
    assert ens.ess() >= 100 and ens.meta["distinct_sets"] >= 100
    # Independent of the fit's own records: new simulations of sets drawn from it.
    sims = predictive_check(fit, ens, 16, seed=5)
    for t in fit.setup.targets:
        x = sims[t.target.name].to_numpy()
        lo, hi = np.quantile(x, [0.05, 0.95])
        assert lo <= t.target.high and hi >= t.target.low, (t.target.name, lo, hi)


def test_a_programme_effect_size_is_a_target_measured_in_its_own_policy(
        tmp_path: Path) -> None:
    # Synthetic: with coaching.gain_max = 0.22 coached teachers gain 0.073 SD of practice
    # a year from programmes on this district (0.058 at the default 0.15; SD over seeds
    # 0.0025).
    (tmp_path / "targets.toml").write_text('''published = false

[[target]]
name = "coached teachers' yearly gain"
column = "practice_gain_programs"
where = "coaching_hours"
scenario = { "schedule.policy" = "coaching" }
low = 0.068
high = 0.078
''')
    path = tmp_path / "fit.toml"
    path.write_text(f'''name = "effect"
base = "{ROOT / 'configs' / 'school_d.toml'}"
seed = 1
schools = 2
poverty_schools = 0
years = 2
parameters = ["behaviour.coaching.gain_max"]
others = "fixed"
population = 30
generations = 3
targets = "targets.toml"
''')
    result = run_fit(load_fit(path), tmp_path / "out", workers=1)
    ens = result.ensemble
    x = ens.values[:, 0]
    w = ens.weights / ens.weights.sum()
    lo, hi = _central90(ens, "behaviour.coaching.gain_max")
    assert lo <= 0.22 <= hi
    assert float(np.sum(w * x)) > 0.18  # prior mean 0.165: the effect size moved it


def test_a_target_column_that_does_not_exist_is_named_with_a_suggestion(
        tmp_path: Path) -> None:
    path = _fit_file(tmp_path)
    (tmp_path / "targets.toml").write_text('''[[target]]
name = "coached"
column = "practice_gain_program"
scenario = { "schedule.policy" = "coaching" }
low = 0.0
high = 1.0
''')
    with pytest.raises(ConfigError) as exc:
        load_fit(path)
    assert "targets.toml" in str(exc.value) and "practice_gain_programs" in str(exc.value)


def test_calibration_md_shows_the_shipped_posterior() -> None:
    from teachsim.analysis.fit import POSTERIOR_BEGIN, POSTERIOR_END, posterior_markdown
    from teachsim.experiments.ensemble import default_posterior

    doc = (ROOT / "docs" / "calibration.md").read_text()
    block = doc.partition(POSTERIOR_BEGIN)[2].partition(POSTERIOR_END)[0]
    assert block.strip() == posterior_markdown(default_posterior().parent).strip(), (
        "docs/calibration.md is stale: run  uv run python -m teachsim.analysis.fit "
        "configs/posterior docs/calibration.md")


def test_weighted_quantiles_by_hand() -> None:
    from teachsim.analysis.fit import _wquantile

    # equal weights: points at 0.1, 0.3, 0.5, 0.7, 0.9 of the mass
    assert _wquantile(np.array([3.0, 1, 2, 5, 4]), np.ones(5), [0.1, 0.5, 0.8]).tolist() \
        == pytest.approx([1.0, 3.0, 4.5])
    # a weight of 3 on the middle point spreads it over 0.2-0.8 of the mass
    assert _wquantile(np.array([1.0, 2, 3]), np.array([1.0, 3, 1]), [0.5])[0] == 2.0


def test_a_column_measure_keeps_the_rows_it_names() -> None:
    from teachsim.analysis.fit import ColumnMeasure

    t = {"year": np.array([2025, 2025, 2025, 2026, 2026]),
         "gain": np.array([0.1, 0.3, 9.0, 0.5, 0.7]),
         "hours": np.array([10.0, 10.0, 0.0, 10.0, 0.0]),
         "pairing": np.array(["target", "", "target", "target", ""], dtype=object)}
    assert ColumnMeasure("gain", "mean", 0.0, "hours")(t) == pytest.approx(0.3)
    assert ColumnMeasure("gain", "mean", 0.0, "hours", None, 1)(t) == pytest.approx(0.2)
    assert ColumnMeasure("gain", "mean", 0.0, "pairing", "target", 2)(t) == 0.5
    assert ColumnMeasure("gain", "share_at_least", 0.4)(t) == pytest.approx(0.6)


def test_a_fit_leaves_numpy_s_global_stream_as_it_found_it(tmp_path: Path) -> None:
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    text = _fit_file(tmp_path, generations=1).read_text().replace("population = 40",
                                                                   "population = 10")
    (tmp_path / "fit.toml").write_text(text)
    run_fit(load_fit(tmp_path / "fit.toml"), tmp_path / "out", workers=1)
    assert np.array_equal(np.random.get_state()[1], before)
