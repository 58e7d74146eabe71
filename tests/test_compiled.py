"""The compiled loops (model/compiled.py) do exactly what the numpy code they replace did:
the days of a year against a day-by-day numpy reference built from the mechanisms'
functions, and movers' choices against ``numpy.random.Generator.choice``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from teachsim.config.parameters import Absence, Burnout
from teachsim.mechanisms import absence, burnout
from teachsim.model import compiled
from teachsim.model.calendar import DayKind


def _case(seed: int, n: int = 7, days: int = 40, cls: int = 3, acts: int = 6) -> dict:
    rng = np.random.default_rng(seed)
    kind = rng.choice([DayKind.STUDENT, DayKind.TEACHER_ONLY, DayKind.WEEKEND,
                       DayKind.HOLIDAY], size=days, p=[0.6, 0.1, 0.2, 0.1]).astype(np.int64)
    n_sd = int((kind == DayKind.STUDENT).sum())
    t_z = rng.choice([-1.5, -0.4, 0.3], size=(days, cls))
    return dict(
        kind=kind, survey=int(np.flatnonzero(kind == DayKind.STUDENT)[n_sd // 2]),
        outside=rng.random(days) < 0.2, t_z=t_z,
        t_minutes=rng.integers(0, 200, (days, cls, acts)).astype(float),
        t_spill=rng.random((days, cls)) * 30, t_cq=rng.random((days, cls, 4)) * 50,
        t_beyond=rng.integers(0, 90, (days, cls, acts)).astype(float),
        fi=rng.integers(0, cls, n).astype(np.int64), k=rng.normal(0, 0.5, n),
        propensity=rng.gamma(2.0, 0.5, n), movable=rng.random(n) < 0.5,
        u=rng.random((n_sd, n)), b=rng.random(n) * 0.6)


def _numpy_days(c: dict, ap: Absence, bp: Burnout) -> dict[str, np.ndarray]:
    """The day-by-day numpy step the kernel replaced (model.py before the kernel)."""
    n, acts = len(c["b"]), c["t_minutes"].shape[2]
    b = c["b"].copy()
    out = dict(burnout_sum=np.zeros(n), burnout_survey=np.zeros(n),
               absent_days=np.zeros(n, np.int32), moved=np.zeros(n, np.int32),
               missed=np.zeros((n, acts)), missed_after_hours=np.zeros(n),
               missed_cq=np.zeros((n, 4)), beyond=np.zeros((n, acts)))
    absent_today = np.zeros(n, dtype=bool)
    fi, sd = c["fi"], 0
    for d, kd in enumerate(c["kind"]):
        if kd == DayKind.STUDENT:
            prob = absence.probability(c["propensity"], b, ap)
            absent, moved = absence.draw(c["u"][sd], prob, c["movable"], ap)
            idx = np.flatnonzero(absent)
            rested = burnout.rest_days(b[idx], bp.rate_rest)
            out["missed"][idx] += c["t_minutes"][d][fi[idx]]
            out["missed_after_hours"][idx] += c["t_spill"][d][fi[idx]]
            out["missed_cq"][idx] += c["t_cq"][d][fi[idx]]
            out["absent_days"][idx] += 1
            b[:] = burnout.work_day(b, burnout.logistic(c["t_z"][d][fi] + c["k"]),
                                    bp.rate_work)
            b[idx] = rested
            out["burnout_sum"] += b
            out["moved"] += moved
            absent_today = absent
            if d == c["survey"]:
                out["burnout_survey"][:] = b
            sd += 1
        elif kd == DayKind.TEACHER_ONLY:
            b[:] = burnout.work_day(b, burnout.logistic(c["t_z"][d][fi] + c["k"]),
                                    bp.rate_work)
        else:
            b *= 1.0 - bp.rate_rest
        if c["outside"][d]:
            out["beyond"] += c["t_beyond"][d][fi] * ~absent_today[:, None]
    out["b"] = b
    return out


def _kernel_days(c: dict, ap: Absence, bp: Burnout) -> dict[str, np.ndarray]:
    n, acts = len(c["b"]), c["t_minutes"].shape[2]
    codes, values = compiled.distinct_by_column(c["t_z"])
    out = dict(b=c["b"].copy(), burnout_sum=np.zeros(n), burnout_survey=np.zeros(n),
               absent_days=np.zeros(n, np.int32), moved=np.zeros(n, np.int32),
               missed=np.zeros((n, acts)), missed_after_hours=np.zeros(n),
               missed_cq=np.zeros((n, 4)), beyond=np.zeros((n, acts)))
    compiled.school_year_days(
        c["kind"], c["survey"], c["outside"], codes, values, c["t_minutes"], c["t_spill"],
        c["t_cq"], c["t_beyond"], c["fi"], c["k"],
        c["propensity"], c["movable"], c["u"], ap.base_rate, ap.burnout_effect,
        ap.appointment_share * ap.appointment_move_share, bp.rate_work, bp.rate_rest,
        out["b"], out["burnout_sum"], out["burnout_survey"], out["absent_days"],
        out["moved"], out["missed"], out["missed_after_hours"], out["missed_cq"],
        out["beyond"])
    return out


#: high absence rates, so that absences and moved appointments occur in a short calendar
AP = Absence(base_rate=0.15, burnout_effect=2.0, appointment_share=0.5,
             appointment_move_share=0.9)
BP = Burnout()


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_compiled_days_equal_the_day_by_day_numpy_step(seed: int) -> None:
    c = _case(seed)
    want, got = _numpy_days(c, AP, BP), _kernel_days(c, AP, BP)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-13, atol=0, err_msg=key)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(-3.0, 3.0), st.floats(0.01, 0.6),
       st.floats(-0.5, 1.5), st.floats(0.0, 1.5))
def test_compiled_days_skip_only_draws_that_decide_nothing(
        seed: int, effect: float, base: float, b_low: float, b_span: float) -> None:
    """The kernel skips the absence probability for draws above the highest it can reach
    this year; with burnout's effect of either sign, starting burnout outside [0, 1] and
    rates that hit the 0.9 cap, every absence and moved appointment is still the numpy
    step's."""
    c = _case(seed, n=9, days=60)
    c["b"] = np.random.default_rng(seed).uniform(b_low, b_low + b_span, 9)
    # (a negative effect is refused in a parameter file; the kernel allows it all the same)
    ap = Absence.model_construct(**{**Absence().model_dump(), "base_rate": base,
                                    "burnout_effect": effect, "appointment_share": 0.5,
                                    "appointment_move_share": 0.9})
    want, got = _numpy_days(c, ap, BP), _kernel_days(c, ap, BP)
    assert got["absent_days"].tolist() == want["absent_days"].tolist()
    assert got["moved"].tolist() == want["moved"].tolist()
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-13, atol=0, err_msg=key)


def test_the_cases_exercise_absences_moves_and_missed_sessions() -> None:
    out = [_numpy_days(_case(seed), AP, BP) for seed in range(5)]
    assert sum(o["absent_days"].sum() for o in out) > 20
    assert sum(o["moved"].sum() for o in out) > 5
    assert sum(o["beyond"].sum() for o in out) > 0


def test_distinct_by_column_recovers_the_table() -> None:
    table = np.array([[0.5, -1.0], [0.25, -1.0], [0.5, 2.0]])
    codes, values = compiled.distinct_by_column(table)
    assert values.shape == (2, 2)
    assert np.array_equal(np.take_along_axis(values.T, codes, axis=0), table)


def test_compiled_days_hand_checked() -> None:
    """One teacher, three days: a work day, a day off, an in-service day."""
    bp = Burnout(rate_work=0.1, rate_rest=0.2)
    ap = Absence(base_rate=0.0)  # never absent
    z = 0.0  # target 0.5
    b = np.array([0.3])
    acc = [np.zeros(1), np.zeros(1), np.zeros(1, np.int32), np.zeros(1, np.int32),
           np.zeros((1, 6)), np.zeros(1), np.zeros((1, 4)), np.zeros((1, 6))]
    compiled.school_year_days(
        np.array([DayKind.STUDENT, DayKind.WEEKEND, DayKind.TEACHER_ONLY], dtype=np.int64),
        0, np.zeros(3, bool), np.zeros((3, 1), np.int64), np.array([[z]]),
        np.zeros((3, 1, 6)), np.zeros((3, 1)), np.zeros((3, 1, 4)), np.zeros((3, 1, 6)),
        np.zeros(1, np.int64), np.zeros(1), np.ones(1), np.zeros(1, bool),
        np.full((1, 1), 0.5), ap.base_rate, ap.burnout_effect, 0.1, bp.rate_work,
        bp.rate_rest, b, *acc)
    b1 = 0.3 + 0.1 * (0.5 - 0.3)  # 0.32 after the work day
    b2 = b1 * 0.8  # a day off
    assert b[0] == pytest.approx(b2 + 0.1 * (0.5 - b2), rel=1e-12)
    # burnout summed over student days and surveyed on the first one
    assert acc[0][0] == pytest.approx(b1, rel=1e-12)
    assert acc[1][0] == pytest.approx(b1, rel=1e-12)


def _choice_loop(order: np.ndarray, home: np.ndarray, post: np.ndarray, school: np.ndarray,
                 open_posts: np.ndarray, pull: np.ndarray, rng: np.random.Generator,
                 n_g: int) -> tuple[np.ndarray, np.ndarray]:
    """The Python loop the kernel replaced (model.py before the kernel)."""
    dest = np.full(len(home), -1)
    dest_post = np.full(len(home), -1)
    for r in order:
        cols = np.arange(n_g) if home[r] else np.array([post[r]])
        avail = open_posts[:, cols].astype(float)
        avail[school[r]] = 0
        flat = (avail * pull[:, None]).ravel()
        total = flat.sum()
        if not total:
            continue
        cell = int(rng.choice(len(flat), p=flat / total))
        ds, dp = divmod(cell, len(cols))
        open_posts[ds, cols[dp]] -= 1
        dest[r], dest_post[r] = ds, cols[dp]
    return dest, dest_post


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(2, 6), st.integers(1, 30))
def test_compiled_movers_choose_as_generator_choice(seed: int, n_sch: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    n_g, n_pos = 3, 5
    home = rng.random(n) < 0.6
    post = np.where(home, rng.integers(0, n_g, n), rng.integers(n_g, n_pos, n))
    school = rng.integers(0, n_sch, n).astype(np.int32)
    open_posts = rng.integers(0, 3, (n_sch, n_pos)).astype(np.int64)
    pull = rng.random(n_sch) + 0.1
    order = rng.permutation(n).astype(np.int64)
    want = _choice_loop(order, home, post, school, open_posts.copy(), pull,
                        np.random.default_rng(seed + 1), n_g)
    dest, dest_post = np.full(n, -1), np.full(n, -1)
    remaining = open_posts.copy()
    compiled.place_movers(order, home, post.astype(np.int64), school, remaining, pull,
                          np.random.default_rng(seed + 1).random(n), n_g, dest, dest_post)
    assert dest.tolist() == want[0].tolist() and dest_post.tolist() == want[1].tolist()
    moved = dest >= 0
    # Accounting: every post taken is one fewer open post; none at the mover's own
    # school; homeroom teachers take homeroom posts, others their own kind of post.
    assert (open_posts - remaining).sum() == moved.sum()
    assert (remaining >= 0).all()
    assert not (dest[moved] == school[moved]).any()
    assert (dest_post[moved & home] < n_g).all()
    assert (dest_post[moved & ~home] == post[moved & ~home]).all()


def test_warm_up_compiles_the_types_the_model_uses() -> None:
    """After a warm-up, a model run adds no new compiled specialisation (a worker forked
    after the warm-up compiles nothing)."""
    from teachsim.config.paths import config_dir
    from teachsim.model.run import run_batch, run_scenario
    from teachsim.model.scenario import load_scenario

    kernels = (compiled.school_year_days, compiled.place_movers, compiled.seed_words)
    compiled.warm_up()
    before = [len(k.signatures) for k in kernels]
    loaded = load_scenario(config_dir() / "district_60.toml")
    run_scenario(loaded, seed=3, years=2)
    run_batch(loaded, [3, 4], years=2)
    assert [len(k.signatures) for k in kernels] == before
