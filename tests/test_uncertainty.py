"""Parameter uncertainty: priors as distributions, ensembles, experiments that draw
parameter sets, and the statistics that split chance from parameter uncertainty."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from teachsim.analysis import stats
from teachsim.config.errors import ConfigError
from teachsim.config.parameters import Prior, all_priors
from teachsim.experiments.design import load_experiment
from teachsim.experiments.ensemble import (
    Ensemble,
    default_posterior,
    draw_indices,
    pert,
    prior_ensemble,
    read_ensemble,
    write_ensemble,
)

ROOT = Path(__file__).resolve().parents[1]


# --- priors as distributions -------------------------------------------------------------
def test_pert_has_the_textbook_mean_and_stays_in_its_range() -> None:
    p = Prior("x", 1.0, 2.0, 6.0, "pert", False, "", "", "")
    x = pert(p, (np.arange(20000) + 0.5) / 20000)
    assert x.min() >= 1.0 and x.max() <= 6.0
    assert x.mean() == pytest.approx((1 + 4 * 2 + 6) / 6, abs=1e-3)
    u = Prior("y", 0.0, 0.3, 1.0, "uniform", False, "", "", "")
    assert pert(u, np.array([0.0, 0.25, 1.0])).tolist() == [0.0, 0.25, 1.0]
    i = Prior("z", 90, 120, 150, "pert", True, "", "", "")
    assert np.all(pert(i, np.linspace(0.01, 0.99, 50)) % 1 == 0)


def test_prior_ensemble_draws_every_behaviour_prior_within_its_range() -> None:
    ens = prior_ensemble(300, seed=5)
    priors = all_priors()
    assert set(ens.keys) == {k for k in priors if k.startswith("behaviour.")}
    for j, k in enumerate(ens.keys):
        assert priors[k].low <= ens.values[:, j].min() <= ens.values[:, j].max() <= priors[k].high
    # the draws centre near the prior's mean, (low + 4 mode + high) / 6 for PERT
    j = ens.keys.index("behaviour.burnout.centre")
    p = priors["behaviour.burnout.centre"]
    assert ens.values[:, j].mean() == pytest.approx((p.low + 4 * p.central + p.high) / 6,
                                                    abs=0.08)


# --- ensembles ---------------------------------------------------------------------------
def test_ensemble_round_trips(tmp_path: Path) -> None:
    ens = prior_ensemble(7, seed=1, keys=["behaviour.burnout.centre",
                                          "behaviour.absence.flexible_block_minutes"])
    ens.weights = np.arange(1.0, 8.0)
    ens.meta = {"kind": "test"}
    write_ensemble(ens, tmp_path / "e.csv")
    back = read_ensemble(tmp_path / "e.csv")
    assert back.keys == ens.keys and back.meta == {"kind": "test"}
    np.testing.assert_allclose(back.values, ens.values, rtol=1e-9)
    np.testing.assert_allclose(back.weights, ens.weights)
    assert isinstance(back.row(0)["behaviour.absence.flexible_block_minutes"], int)


@pytest.mark.parametrize(("text", "where", "says"), [
    ("a,b\n1,2\n", "line 1", "header must start with draw,weight"),
    ("draw,weight,behaviour.burnout.nonsense\n0,1,2\n", "column 3", "not a parameter"),
    ("draw,weight,costs.salary_growth\n0,1,0.02\n", "column 3", "not a behaviour"),
    ("draw,weight,behaviour.burnout.centre\n0,1\n", "line 2", "fields"),
    ("draw,weight,behaviour.burnout.centre\n0,1,abc\n", "line 2", "not a number"),
    ("draw,weight,behaviour.burnout.centre\n0,-1,0.1\n", "line 2", "below zero"),
    ("draw,weight,behaviour.burnout.centre\n0,0,0.1\n", "weight", "every weight is zero"),
])
def test_bad_ensembles_are_refused_naming_the_place(tmp_path: Path, text: str, where: str,
                                                    says: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ConfigError) as exc:
        read_ensemble(path)
    assert str(path.name) in str(exc.value) and where in str(exc.value)
    assert says in str(exc.value) and "fix:" in str(exc.value)


@given(st.lists(st.floats(0, 10), min_size=1, max_size=30), st.integers(0, 2**32 - 1),
       st.integers(1, 40))
def test_draws_follow_the_weights_and_keep_their_prefix(weights: list[float], seed: int,
                                                        slots: int) -> None:
    w = np.array(weights)
    if w.sum() <= 0:
        w[0] = 1.0
    ens = Ensemble(["behaviour.burnout.centre"], np.zeros((len(w), 1)), w)
    rows = draw_indices(ens, seed, slots)
    assert all(w[r] > 0 for r in rows)  # a set of weight zero is never drawn
    assert draw_indices(ens, seed, slots + 7)[:slots] == rows


def test_draws_are_in_proportion_to_the_weights() -> None:
    ens = Ensemble(["behaviour.burnout.centre"], np.zeros((3, 1)), np.array([1.0, 2.0, 7.0]))
    rows = np.array(draw_indices(ens, 3, 20000))
    np.testing.assert_allclose(np.bincount(rows, minlength=3) / len(rows), [0.1, 0.2, 0.7],
                               atol=0.015)


# --- experiments draw parameter sets -----------------------------------------------------
def _experiment(tmp_path: Path, extra: str = "", base_extra: str = "") -> Path:
    ens = prior_ensemble(50, seed=11, keys=["behaviour.burnout.centre",
                                            "behaviour.absence.base_rate"])
    write_ensemble(ens, tmp_path / "ens.csv")
    base = tmp_path / "base.toml"
    base.write_text(f'extends = "{ROOT / "configs" / "school_d.toml"}"\n{base_extra}')
    exp = tmp_path / "exp.toml"
    exp.write_text(f'''name = "t"
base = "base.toml"
replications = 10
seed = 4
years = 2
tables = ["district_year"]

[[arm]]
name = "a"

[[arm]]
name = "b"
set = {{ "behaviour.absence.base_rate" = 0.03 }}

[uncertainty]
parameters = "ens.csv"
{extra}
''')
    return exp


def test_replication_r_draws_the_same_set_in_every_arm_and_pairs_share_it(
        tmp_path: Path) -> None:
    exp = load_experiment(_experiment(tmp_path))
    specs = exp.run_specs()
    by_arm = {a: [s.draw for s in specs if s.arm == a] for a in ("a", "b")}
    assert by_arm["a"] == by_arm["b"]
    draws = by_arm["a"]
    assert draws == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    rows = [s.ensemble_row for s in specs if s.arm == "a"]
    assert len(set(rows)) == 5 and rows == [s.ensemble_row for s in specs if s.arm == "b"]
    # the runs take the drawn values, except what the arm sets
    ens = exp.ensemble
    assert ens is not None
    for s in specs:
        b = s.loaded.scenario.behaviour
        row = ens.row(s.ensemble_row)
        assert b.burnout.centre == pytest.approx(row["behaviour.burnout.centre"])
        expected = 0.03 if s.arm == "b" else row["behaviour.absence.base_rate"]
        assert b.absence.base_rate == pytest.approx(expected)
    # asking for more replications later keeps the draws already made
    assert [s.ensemble_row for s in exp.run_specs(16) if s.arm == "a"][:10] == rows


def test_others_from_their_priors_give_every_set_its_own_values(tmp_path: Path) -> None:
    # an ensemble whose record says the fit left absence.base_rate to its prior
    ens = read_ensemble(_experiment(tmp_path).parent / "ens.csv")
    ens.values[:] = ens.values[0]  # every row the same set
    ens.meta = {"prior_only": ["behaviour.absence.base_rate"]}
    write_ensemble(ens, tmp_path / "ens.csv")
    path = tmp_path / "exp.toml"
    exp = load_experiment(path)  # others = "prior" is the default
    specs = [s for s in exp.run_specs() if s.arm == "a"]
    centre = {s.loaded.scenario.behaviour.burnout.centre for s in specs}
    rates = {s.draw: s.loaded.scenario.behaviour.absence.base_rate for s in specs}
    assert len(centre) == 1 and np.isclose(centre.pop(), ens.values[0, 0])  # fitted
    assert len(set(rates.values())) == 5  # prior-only: fresh for each set
    assert "others from their priors" in exp.uncertainty_id
    path.write_text(path.read_text().replace("[uncertainty]", "[uncertainty]\n"
                                             'others = "ensemble"'))
    kept = load_experiment(path)
    assert {s.loaded.scenario.behaviour.absence.base_rate for s in kept.run_specs()
            if s.arm == "a"} == {ens.row(0)["behaviour.absence.base_rate"]}


def test_a_value_written_in_the_scenario_is_not_drawn(tmp_path: Path) -> None:
    from teachsim.experiments.api import run_experiment

    path = _experiment(tmp_path, base_extra="[behaviour.burnout]\ncentre = 0.2\n")
    exp = load_experiment(path)
    assert {s.loaded.scenario.behaviour.burnout.centre for s in exp.run_specs()} == {0.2}
    assert exp.drawn_keys == ["behaviour.absence.base_rate"]
    res = run_experiment(path, out=tmp_path / "r", replications=2, serial=True)
    assert "behaviour.burnout.centre" not in res.sql("SELECT * FROM draws").columns


def test_point_estimate_and_replications_per_draw(tmp_path: Path) -> None:
    path = _experiment(tmp_path, extra="replications_per_draw = 5")
    point = load_experiment(path, point_estimate=True)
    assert point.ensemble is None and point.uncertainty_id == "point"
    assert {s.draw for s in point.run_specs()} == {-1}
    assert {s.loaded.scenario.behaviour.burnout.centre for s in point.run_specs()} == {0.15}
    five = [s.draw for s in load_experiment(path).run_specs() if s.arm == "a"]
    assert five[:5] == [five[0]] * 5 and five[5:] == [five[5]] * 5


def test_the_shipped_posterior_gives_five_sets_in_ten_replications() -> None:
    exp = load_experiment(ROOT / "experiments" / "schedule_comparison.toml")
    assert exp.ensemble is not None and exp.ensemble.path == default_posterior()
    assert exp.draws(10) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    sets = {tuple(exp.drawn_values(d).values()) for d in range(5)}
    assert len(sets) == 5


def test_a_sweep_records_draws_and_refuses_to_mix_fixed_and_drawn(tmp_path: Path) -> None:
    from teachsim.experiments.api import run_experiment

    path = _experiment(tmp_path)
    res = run_experiment(path, out=tmp_path / "r", replications=4, serial=True)
    runs = res.sql("SELECT arm, replication, draw, ensemble_row FROM runs "
                   "ORDER BY arm, replication")
    assert runs["draw"].tolist() == [0, 0, 1, 1] * 2
    assert runs["ensemble_row"].tolist()[:4] == runs["ensemble_row"].tolist()[4:]
    draws = res.sql("SELECT * FROM draws ORDER BY draw")
    assert draws["draw"].tolist() == [0, 1]
    ens = read_ensemble(tmp_path / "ens.csv")
    for _, row in draws.iterrows():
        assert row["behaviour.burnout.centre"] == pytest.approx(
            ens.values[int(row["ensemble_row"]), 0])
    assert res.manifest["uncertainty"]["ensemble_size"] == 50
    # the report states probabilities and splits chance from parameter uncertainty
    from teachsim.analysis.report import build_report

    rep = build_report(tmp_path / "r")
    unc = rep.data["uncertainty"]
    assert set(unc["arm"]) == {"b"} and unc["p_better"].between(0, 1).all()
    assert unc["share_parameters"].notna().sum() >= 3 and (unc["draws"] == 2).all()
    page = rep.html.read_text()
    assert "How sure: chance and parameter uncertainty" in page
    assert "Probability that b raises teachers staying in their school" in page
    assert "drew one parameter set from the ensemble ensemble" not in page
    with pytest.raises(ConfigError, match="parameter values came from ensemble"):
        run_experiment(path, out=tmp_path / "r", replications=4, serial=True,
                       point_estimate=True)


def test_an_experiment_naming_a_missing_ensemble_says_how_to_fix_it(tmp_path: Path) -> None:
    path = _experiment(tmp_path)
    path.write_text(path.read_text().replace('"ens.csv"', '"nowhere.csv"'))
    with pytest.raises(ConfigError, match="no ensemble file there"):
        load_experiment(path)
    path.write_text(path.read_text().replace('"nowhere.csv"', '"sometimes"'))
    with pytest.raises(ConfigError, match="neither"):
        load_experiment(path)


# --- chance vs parameter uncertainty -----------------------------------------------------
def test_variance_split_by_hand() -> None:
    # two parameter sets: {1, 3} and {5, 7}. Within: ((1)^2 * 4) / (4 - 2) = 2; group
    # means 2 and 6 around 4: mean square between = (2 * 4 + 2 * 4) / 1 = 16, n0 = 2,
    # so the between-set variance is (16 - 2) / 2 = 7.
    u = stats.uncertain_difference(np.array([1.0, 3.0, 5.0, 7.0]), np.array([0, 0, 1, 1]))
    assert u.mean == 4.0
    assert u.var_chance == pytest.approx(2.0)
    assert u.var_parameters == pytest.approx(7.0)
    assert u.share_parameters == pytest.approx(7 / 9)
    # the mean's Monte Carlo error is the variance of the set means over their number
    spread = math.sqrt(7.0 + 8.0 / 2)
    assert u.low == pytest.approx(4 - stats.Z90 * spread)
    assert u.high == pytest.approx(4 + stats.Z90 * spread)
    assert u.p_positive == pytest.approx(0.5 * (1 + math.erf(4 / spread / math.sqrt(2))))


def test_fixed_parameters_give_a_plain_confidence_interval() -> None:
    d = np.array([0.5, 1.5, 1.0, 2.0, 0.0])
    u = stats.uncertain_difference(d, np.full(5, -1))
    se = d.std(ddof=1) / math.sqrt(5)
    assert u.var_parameters == 0.0 and u.share_parameters == 0.0
    assert (u.low, u.high) == pytest.approx((1.0 - stats.Z90 * se, 1.0 + stats.Z90 * se))


def test_one_run_per_set_cannot_split_chance_from_parameters() -> None:
    u = stats.uncertain_difference(np.array([1.0, 2.0, 4.0]), np.array([3, 8, 9]))
    assert not u.separable and math.isnan(u.share_parameters)
    assert u.low < u.mean < u.high


def test_the_split_recovers_known_components() -> None:
    rng = np.random.default_rng(0)
    effect = rng.normal(0.5, 1.0, 400)  # parameter uncertainty: variance 1
    d = np.repeat(effect, 2) + rng.normal(0, 2.0, 800)  # chance: variance 4
    u = stats.uncertain_difference(d, np.repeat(np.arange(400), 2))
    assert u.var_parameters == pytest.approx(1.0, abs=0.35)
    assert u.var_chance == pytest.approx(4.0, abs=0.5)
    assert u.p_positive == pytest.approx(0.69, abs=0.06)  # P(N(0.5, 1) > 0) = 0.69


@given(st.lists(st.floats(-5, 5), min_size=4, max_size=20), st.floats(-3, 3))
def test_shifting_every_difference_shifts_the_answer(values: list[float], c: float) -> None:
    d = np.array(values)
    g = np.arange(len(d)) // 2
    a = stats.uncertain_difference(d, g)
    b = stats.uncertain_difference(d + c, g)
    assert b.mean == pytest.approx(a.mean + c, abs=1e-9)
    assert b.var_chance == pytest.approx(a.var_chance, abs=1e-9)
    assert b.var_parameters == pytest.approx(a.var_parameters, abs=1e-9)
    if a.high > a.low:
        assert (b.low, b.high) == pytest.approx((a.low + c, a.high + c), abs=1e-9)


def _per_run(effect: list[float], cost: list[float]) -> pd.DataFrame:
    n = len(effect)
    rows = []
    for r in range(n):
        rows.append({"arm": "ref", "point": 0, "replication": r, "draw": r // 2,
                     "student_growth_sd": 0.0, "cost_per_school": 1000.0})
        rows.append({"arm": "new", "point": 0, "replication": r, "draw": r // 2,
                     "student_growth_sd": effect[r], "cost_per_school": 1000.0 + cost[r]})
    return pd.DataFrame(rows)


def test_acceptability_rises_with_willingness_to_pay_for_a_policy_that_helps() -> None:
    rng = np.random.default_rng(1)
    per_run = _per_run(list(rng.normal(0.02, 0.005, 40)), list(rng.normal(500, 50, 40)))
    curve = stats.acceptability(per_run, "ref", "student_growth_sd",
                                np.array([0.0, 10_000, 25_000, 50_000, 200_000]))
    p = curve["p_cost_effective"].to_numpy()
    assert p[0] < 0.01  # it costs money and nothing is paid for growth
    assert np.all(np.diff(p) >= -1e-9) and p[-1] > 0.99
    # at $25,000 per SD the expected net benefit is 0.02 * 25,000 - 500 = 0
    assert p[2] == pytest.approx(0.5, abs=0.2)


def test_probability_statements_name_the_direction_and_the_split() -> None:
    per_run = _per_run([0.01, 0.02, 0.03, 0.05], [0.0] * 4)
    row = stats.uncertain_differences(per_run, "student_growth_sd", "ref").iloc[0]
    assert row["p_better"] > 0.9
    text = stats.probability_sentence(row)
    assert text.startswith("Probability that new raises student growth")
    assert "parameter uncertainty" in text and "2 parameter set(s), 4 paired runs" in text


def test_indices_over_the_posterior_find_what_matters_above_their_noise_floor() -> None:
    from teachsim.analysis.sensitivity import indices_with_floor

    rng = np.random.default_rng(2)
    n, d = 400, 40
    x = rng.beta(2, 5, size=(n, d))  # skewed inputs, as PERT priors often are
    y = 3 * x[:, 0] + 2 * x[:, 1] + rng.normal(0, 0.3, n)  # S1 about 0.6 and 0.25
    table = indices_with_floor(x, y, [f"p{i}" for i in range(d)], n_boot=50)
    above = set(table.loc[table["above_noise"], "parameter"])
    assert {"p0", "p1"} <= above
    assert len(above - {"p0", "p1"}) <= 3  # a few false marks among 38 inert inputs
    assert table.iloc[0]["parameter"] == "p0"
    inert = table[~table["parameter"].isin(["p0", "p1"])]
    assert (inert["noise_floor"] > 0).all()


def test_given_data_sobol_intervals_are_reproducible() -> None:
    """SALib skips seeding when given 0; the wrapper seeds every value, so the bootstrap
    intervals repeat, and numpy's global stream is left as it was."""
    from teachsim.analysis.stats import given_data_sobol

    rng = np.random.default_rng(5)
    x = rng.uniform(size=(300, 2))
    y = 3 * x[:, 0] + rng.normal(0, 0.3, 300)
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    np.random.seed(11)
    before = np.random.get_state()[1].copy()
    first = given_data_sobol(problem, x, y, n_boot=50, seed=0)
    assert np.array_equal(np.random.get_state()[1], before)
    np.random.seed(12)  # whatever state the global stream is in
    again = given_data_sobol(problem, x, y, n_boot=50, seed=0)
    assert first["S1_conf"].tolist() == again["S1_conf"].tolist()
    assert first["parameter"].iloc[0] == "a"
