"""Compiled loops: the days of a school year, and movers choosing their new posts.

Days: one call runs all 364 days of a school year for every teacher.

A day's work is a few arithmetic operations per teacher (an absence draw, a step of
burnout, some sums), so calling numpy once per day costs far more than the work itself
(the daily step was about 40 numpy calls on arrays of a few dozen teachers). Here the
loop over days and teachers is compiled with numba; the model's Mesa step is one school
year of days (model.py). The formulas are the mechanisms' own functions (absence.py,
burnout.py), compiled as they are, so the numpy and the compiled paths cannot drift
apart.

The kernel reproduces the day-by-day process exactly: each day is handled in calendar
order, each teacher's absences come from the same stream of uniform numbers (drawn for
the year before the call, row by row in student-day order), and sums accumulate in the
same order. A draw above the highest absence probability a teacher can reach in the year
decides nothing, so the probability (an ``exp``) is computed only for draws below it (in
the shipped district about one draw in ten: the reach averages 0.105, the probability
itself 0.04). On student days a teacher is absent (or not), rests or works a day; on
in-service days every teacher works; on other days every teacher rests. Sessions beyond
the contract day (outside-day PD) count for teachers present on the last student day.

Movers: those who look for a post in the district choose one after another, each taking
an open post that the next no longer finds, so the loop is sequential. The kernel makes
each choice exactly as ``numpy.random.Generator.choice(n, p=...)`` does (the cumulative
sum of the probabilities, normalised by its last entry, searched with one uniform draw),
with the uniform numbers drawn beforehand from the same stream.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from teachsim.mechanisms import absence, burnout
from teachsim.model.calendar import DayKind

_probability = njit(cache=True, error_model="numpy")(absence.daily_probability)
_split = njit(cache=True, error_model="numpy")(absence.split_draw)
_logistic = njit(cache=True, error_model="numpy")(burnout.logistic)
_work_day = njit(cache=True, error_model="numpy")(burnout.work_day)
_rest_days = njit(cache=True, error_model="numpy")(burnout.rest_days)

STUDENT = int(DayKind.STUDENT)
TEACHER_ONLY = int(DayKind.TEACHER_ONLY)


def distinct_by_column(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A (day x class) table as codes and values: ``values[f, code[d, f]] == table[d, f]``,
    ``values`` padded with zeros to the class with most distinct values. The days loop
    takes strain logits in this form."""
    codes, uniques = [], []
    for f in range(table.shape[1]):
        uniq, inv = np.unique(table[:, f], return_inverse=True)
        codes.append(inv)
        uniques.append(uniq)
    values = np.zeros((len(uniques), max(len(v) for v in uniques)))
    for f, v in enumerate(uniques):
        values[f, :len(v)] = v
    return np.stack(codes, axis=1).astype(np.int64), values


@njit(cache=True, error_model="numpy")
def school_year_days(
    kind: np.ndarray, survey_day: int, outside: np.ndarray,
    z_code: np.ndarray, z_values: np.ndarray, t_minutes: np.ndarray, t_spill: np.ndarray,
    t_cq: np.ndarray,
    t_beyond: np.ndarray, fi: np.ndarray, k: np.ndarray,
    propensity: np.ndarray, movable: np.ndarray, u: np.ndarray,
    base_rate: float, burnout_effect: float, moved_share: float,
    rate_work: float, rate_rest: float,
    b: np.ndarray, burnout_sum: np.ndarray, burnout_survey: np.ndarray,
    absent_days: np.ndarray, appointments_moved: np.ndarray, missed: np.ndarray,
    missed_after_hours: np.ndarray, missed_cq: np.ndarray, beyond: np.ndarray,
) -> None:
    """Run the 364 days of a year for ``n = len(b)`` teachers, in place.

    Inputs per day and flat teacher class (model.py's class tables): the strain logit
    of the day's schedule, as ``z_values[f, z_code[d, f]]`` (a class has only a few
    distinct days, so each teacher's strain target is computed once per distinct day
    rather than every day), ``t_minutes`` its minutes per activity, ``t_spill`` its
    after-hours minutes, ``t_cq`` its quality-weighted collaboration minutes, ``t_beyond``
    its scheduled minutes beyond the contract day. Per teacher: ``fi`` the flat class,
    ``k`` the teacher's own strain terms for the year, ``propensity``, ``movable`` (has
    release blocks). ``u`` holds the absence draws, one row per student day. ``kind``
    is the calendar's day kind, ``survey_day`` the day of the burnout survey (-1: none)
    and ``outside`` marks days with sessions beyond the contract day.

    Updated in place: burnout ``b`` and this year's accumulators.
    """
    n = b.shape[0]
    n_act = t_minutes.shape[2]
    n_cq = t_cq.shape[2]
    absent = np.zeros(n, dtype=np.bool_)
    # Each teacher's strain target on each of their class's distinct days.
    target = np.empty((n, z_values.shape[1]))
    for i in range(n):
        for j in range(z_values.shape[1]):
            target[i, j] = _logistic(z_values[fi[i], j] + k[i])
    # A draw at or above the highest probability a teacher's absence can reach this year
    # decides nothing: the probability itself (an exp) is computed only below it. Burnout
    # stays within [min(b, 0), max(b, 1)] of its value now (steps toward a target in
    # [0, 1], decay toward 0); the bound is widened far beyond rounding.
    reach = np.empty(n)
    for i in range(n):
        b_top = max(b[i], 1.0) if burnout_effect >= 0 else min(b[i], 0.0)
        reach[i] = _probability(propensity[i], b_top, base_rate, burnout_effect) * (
            1.0 + 1e-9)
    sd = 0
    for d in range(kind.shape[0]):
        kd = kind[d]
        if kd == STUDENT:
            for i in range(n):
                f = fi[i]
                if u[sd, i] >= reach[i]:
                    out, moved = False, False
                else:
                    prob = _probability(propensity[i], b[i], base_rate, burnout_effect)
                    out, moved = _split(u[sd, i], prob, movable[i], moved_share)
                absent[i] = out
                if out:
                    for a in range(n_act):
                        missed[i, a] += t_minutes[d, f, a]
                    missed_after_hours[i] += t_spill[d, f]
                    for c in range(n_cq):
                        missed_cq[i, c] += t_cq[d, f, c]
                    absent_days[i] += 1
                    b[i] = _rest_days(b[i], rate_rest, 1)
                else:
                    b[i] = _work_day(b[i], target[i, z_code[d, f]], rate_work)
                burnout_sum[i] += b[i]
                if moved:
                    appointments_moved[i] += 1
                if d == survey_day:
                    burnout_survey[i] = b[i]
            sd += 1
        elif kd == TEACHER_ONLY:
            for i in range(n):
                b[i] = _work_day(b[i], target[i, z_code[d, fi[i]]], rate_work)
        else:
            for i in range(n):
                b[i] = _rest_days(b[i], rate_rest, 1)
        if outside[d]:
            for i in range(n):
                if not absent[i]:
                    for a in range(n_act):
                        beyond[i, a] += t_beyond[d, fi[i], a]


@njit(cache=True, error_model="numpy")
def place_movers(order: np.ndarray, homeroom: np.ndarray, post: np.ndarray,
                 school: np.ndarray, open_posts: np.ndarray, pull: np.ndarray,
                 u: np.ndarray, n_grades: int, dest: np.ndarray, dest_post: np.ndarray
                 ) -> None:
    """Movers ``order`` (staff rows, in turn) take open posts of another school.

    A homeroom teacher may take a homeroom post of any grade, anyone else a post of
    their own kind (``post``); a post's chance is proportional to the open posts of its
    kind at a school times the school's ``pull``. ``open_posts`` (schools x posts) is
    decremented as posts are taken; ``dest`` and ``dest_post`` receive each mover's new
    school and post (left as they are for a mover who finds nothing). ``u`` holds one
    uniform draw per mover who finds an open post, used in turn.
    """
    n_sch = open_posts.shape[0]
    used = 0
    for r in order:
        if homeroom[r]:
            cols = np.arange(n_grades, dtype=np.int64)
        else:
            cols = np.full(1, post[r], dtype=np.int64)
        nc = cols.shape[0]
        flat = np.zeros(n_sch * nc)
        for sc in range(n_sch):
            if sc == school[r]:
                continue  # a move is to another school
            for j in range(nc):
                flat[sc * nc + j] = float(open_posts[sc, cols[j]]) * pull[sc]
        total = flat.sum()
        if total == 0:
            continue
        cdf = np.cumsum(flat / total)
        cdf /= cdf[-1]
        cell = np.searchsorted(cdf, u[used], side="right")
        used += 1
        ds, dp = cell // nc, cell % nc
        open_posts[ds, cols[dp]] -= 1
        dest[r] = ds
        dest_post[r] = cols[dp]


def warm_up() -> None:
    """Compile (or load from numba's cache) both loops for the argument types the model
    passes, on a tiny input. A process that forks workers calls this once so that they
    start with the machine code in memory instead of each loading it (about 1 s)."""
    def ro(a: np.ndarray) -> np.ndarray:
        a.flags.writeable = False  # the model's class tables are shared read-only
        return a

    n, days, cls, acts = 2, 7, 2, 6
    kind = np.full(days, STUDENT, dtype=np.int64)
    kind[5:] = TEACHER_ONLY
    school_year_days(
        ro(kind), 0, ro(np.ones(days, dtype=np.bool_)),
        ro(np.zeros((days, cls), dtype=np.int64)), ro(np.zeros((cls, 2))),
        ro(np.zeros((days, cls, acts))), ro(np.zeros((days, cls))),
        ro(np.zeros((days, cls, 4))), ro(np.zeros((days, cls, acts))),
        np.zeros(n, dtype=np.int64), np.zeros(n), np.ones(n), np.zeros(n, dtype=np.bool_),
        np.full((days, n), 0.5), 0.05, 1.0, 0.1, 0.1, 0.1,
        np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n, dtype=np.int32),
        np.zeros(n, dtype=np.int32), np.zeros((n, acts)), np.zeros(n), np.zeros((n, 4)),
        np.zeros((n, acts)))
    seed_words(np.zeros((1, 5), dtype=np.uint64))
    place_movers(np.zeros(1, dtype=np.int64), np.ones(n, dtype=np.bool_),
                 np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int32),
                 np.ones((2, 3), dtype=np.int64), np.ones(2), np.full(1, 0.5), 3,
                 np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64))


# --- random streams: numpy's SeedSequence for many roots at once ----------------------
_M32 = np.uint64(0xFFFFFFFF)
_S16 = np.uint64(16)


@njit(cache=True)
def _hashmix(value: np.uint64, hc: np.uint64) -> tuple[np.uint64, np.uint64]:
    value = value ^ hc
    hc = (hc * np.uint64(0x931E8875)) & _M32
    value = (value * hc) & _M32
    return value ^ (value >> _S16), hc


@njit(cache=True)
def _mix(x: np.uint64, y: np.uint64) -> np.uint64:
    r = (np.uint64(0xCA01F9DD) * x - np.uint64(0x4973F715) * y) & _M32
    return r ^ (r >> _S16)


@njit(cache=True)
def seed_words(entropy: np.ndarray) -> np.ndarray:
    """For each row of ``entropy`` (32-bit words held in uint64), the four uint64 words
    ``numpy.random.SeedSequence`` with that assembled entropy gives PCG64
    (``generate_state(4, uint64)``): the same pool mixing (O'Neill's seed_seq, 4 words)
    and output hashing, in 32-bit arithmetic (streams.py)."""
    n, m = entropy.shape
    out = np.empty((n, 4), dtype=np.uint64)
    pool = np.empty(4, dtype=np.uint64)
    for r in range(n):
        hc = np.uint64(0x43B0D7E5)
        for i in range(4):
            pool[i], hc = _hashmix(entropy[r, i] if i < m else np.uint64(0), hc)
        for src in range(4):
            for dst in range(4):
                if src != dst:
                    h, hc = _hashmix(pool[src], hc)
                    pool[dst] = _mix(pool[dst], h)
        for src in range(4, m):
            for dst in range(4):
                h, hc = _hashmix(entropy[r, src], hc)
                pool[dst] = _mix(pool[dst], h)
        hb = np.uint64(0x8B51F9DD)
        for j in range(4):
            words = np.empty(2, dtype=np.uint64)
            for k in range(2):
                v = pool[(2 * j + k) % 4] ^ hb
                hb = (hb * np.uint64(0x58F38DED)) & _M32
                v = (v * hb) & _M32
                words[k] = v ^ (v >> _S16)
            out[r, j] = words[0] | (words[1] << np.uint64(32))
    return out
