"""Property-based fuzzing of every config key: whatever value a user writes, loading a
scenario, an experiment, a roster or a schedule policy either succeeds or ends in one clean
ConfigError (naming the fix, not echoing the value whole); no other exception may escape.

The keys are not listed by hand: they are found by walking the pydantic models
(:class:`Scenario`, :class:`ExperimentFile`, :class:`Policy`), so a key added later is
fuzzed too. Values are drawn from two strategies: a wild one (any TOML value: huge and
negative integers, nan/inf/-0.0, unicode and quote-laden text, dates, nested mixed lists,
small tables, raw TOML such as hex integers or multi-line strings) and a typed one near
each field's type and bounds, so that values which pass the schema reach the domain
checks too. Values that must never be left to chance (long text, long lists, -0.0, ...)
are tried on every key (``NASTY``), and TOML that trips the parser whatever the key
(``PARSER_BOMBS``) once per kind of file. Policies are also fuzzed as a whole: random
numbers of day types, assignments, special days and outside-day sessions.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import math
import time
import tomllib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from typer.testing import CliRunner

from teachsim.cli import app
from teachsim.config.errors import ConfigError
from teachsim.config.policy import ACTIVITIES, ROLES, Policy, builtin_policies
from teachsim.config.scenario import Scenario
from teachsim.config.tomlio import load_with_extends
from teachsim.experiments.design import ExperimentFile, load_experiment
from teachsim.model.district import ROSTER_COLUMNS
from teachsim.model.run import TABLES
from teachsim.model.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCHOOL_D = str(ROOT / "configs" / "school_d.toml")
#: longest acceptable rendered error: a bad value is named, not echoed back whole
MAX_MESSAGE = 2000
POLICY_DIR = ROOT / "configs" / "policies"
#: the built-in schedule policies, parsed: the valid starting points for policy files
#: (merged over their ``extends`` bases, so each stands alone)
POLICY_DOCS: dict[str, dict[str, Any]] = {
    p.stem: load_with_extends(p)[0] for p in sorted(POLICY_DIR.glob("*.toml"))}
#: names a policy refers to: day types, School D's grades, slots
DAY_NAMES = sorted({name for doc in POLICY_DOCS.values() for role in doc["roles"].values()
                    for name in role["days"]})
POLICY_WORDS = [*DAY_NAMES, "K", "1", "2", "3", "4", "5", "6", "k", "all", "morning",
                "afternoon"]

FUZZ = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example,
                           HealthCheck.function_scoped_fixture],
)


# --- the keys, found by walking the models ------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One config key: its dotted path, its parts, which parts are lists of tables
    (``[[costs.startup]]``: the value goes into the first element) and its field."""

    dotted: str
    parts: tuple[str, ...]
    list_parts: frozenset[int]
    field: FieldInfo
    is_table: bool


#: the part of a key that stands for any name in a table of named tables
#: (``roles.homeroom.days.*.teaching``): the first name found is used
ANY = "*"


def _submodels(annotation: Any, in_list: bool = False, in_dict: bool = False
               ) -> list[tuple[type[BaseModel], bool, bool]]:
    """The BaseModel classes inside ``annotation`` (through ``list[...]``,
    ``dict[str, ...]`` and ``X | None``), each with whether it sits inside a list and
    whether it is the value of a table of named tables."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, in_list, in_dict)]
    origin = typing.get_origin(annotation)
    found: list[tuple[type[BaseModel], bool, bool]] = []
    for arg in typing.get_args(annotation):
        found += _submodels(arg, in_list or origin is list, in_dict or origin is dict)
    return found


def walk(model: type[BaseModel], prefix: tuple[str, ...] = (),
         list_parts: frozenset[int] = frozenset()) -> list[Key]:
    """Every key of ``model``, tables and leaves, depth first."""
    keys: list[Key] = []
    for name, field in model.model_fields.items():
        parts = (*prefix, name)
        subs = _submodels(field.annotation)
        keys.append(Key(".".join(parts), parts, list_parts, field, bool(subs)))
        for sub, in_list, in_dict in subs:
            inner = list_parts | {len(parts) - 1} if in_list else list_parts
            if in_dict:  # one named table, then its keys
                named = (*parts, ANY)
                keys.append(Key(".".join(named), named, inner,
                                FieldInfo.from_annotation(sub), True))
                keys.extend(walk(sub, named, inner))
            else:
                keys.extend(walk(sub, parts, inner))
    return keys


SCENARIO_KEYS = walk(Scenario)
SCENARIO_LEAVES = [k for k in SCENARIO_KEYS if not k.is_table]
SCENARIO_TABLES = [k for k in SCENARIO_KEYS if k.is_table]
EXPERIMENT_KEYS = walk(ExperimentFile)
SCENARIO_DEFAULTS = Scenario().model_dump()


def test_the_walk_finds_every_key() -> None:
    dotted = {k.dotted for k in SCENARIO_KEYS}
    for key in ("school.poverty_share", "behaviour.retention.move_rates",
                "calendar.teacher_only_day.pd", "district.generate.seed",
                "costs.startup.amount", "rollout.cap_per_year"):
        assert key in dotted
    assert len(SCENARIO_LEAVES) >= 150
    assert {"arm.set", "sweep.parameter.low", "chunk_size"} <= {k.dotted for k in
                                                                EXPERIMENT_KEYS}


# --- writing TOML ------------------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """TOML text written verbatim (what no Python value round-trips to)."""

    text: str

    def __repr__(self) -> str:
        shown = self.text if len(self.text) <= 60 else f"{self.text[:40]}...({len(self.text)})"
        return f"Raw({shown!r})"


@dataclass(frozen=True)
class Repeat:
    """``text`` repeated ``n`` times (shown short when a test fails)."""

    text: str
    n: int

    def __str__(self) -> str:
        return self.text * self.n


def _string(text: str) -> str:
    """A TOML basic string."""
    escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n",
               "\f": "\\f", "\r": "\\r"}
    out = []
    for ch in text:
        if ch in escapes:
            out.append(escapes[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key(name: str) -> str:
    bare = name and all(c.isascii() and (c.isalnum() or c in "_-") for c in name)
    return name if bare else _string(name)


def inline(value: Any) -> str:
    """``value`` as an inline TOML value (None is left out of tables and lists)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Repeat):
        return _string(str(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(inline(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        items = [f"{_key(k)} = {inline(v)}" for k, v in value.items() if v is not None]
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def dumps(doc: dict[str, Any]) -> str:
    """A TOML document: one ``key = inline value`` line per top-level key."""
    return "".join(f"{_key(k)} = {inline(v)}\n" for k, v in doc.items() if v is not None)


def with_value(doc: dict[str, Any], key: Key, value: Any, defaults: dict[str, Any]
               ) -> dict[str, Any]:
    """A copy of ``doc`` with ``key`` set to ``value``. Tables on the way are created; a
    list of tables on the way gets (or keeps) a valid first element, from ``doc`` or from
    ``defaults``, whose key is replaced; :data:`ANY` in the key is the first name of its
    table of named tables."""
    out = copy.deepcopy(doc)
    node, dnode = out, defaults
    for i, part in enumerate(key.parts[:-1]):
        part = _entry_name(node, dnode) if part == ANY else part
        dnode = dnode.get(part) if isinstance(dnode, dict) else None
        if i in key.list_parts:
            if not (isinstance(node.get(part), list) and node[part]):
                first = dnode[0] if isinstance(dnode, list) and dnode else {}
                node[part] = [copy.deepcopy(first)]
            node = node[part][0]
            dnode = dnode[0] if isinstance(dnode, list) and dnode else None
        else:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
    last = _entry_name(node, dnode) if key.parts[-1] == ANY else key.parts[-1]
    node[last] = value
    return out


def _entry_name(node: Any, dnode: Any) -> str:
    """The first name in a table of named tables (in the document, else the defaults)."""
    for table in (node, dnode):
        if isinstance(table, dict) and table:
            return next(iter(table))
    return "fuzzed"


# --- values ------------------------------------------------------------------------------

_ODD_TEXT = ["", " ", '"', "'", "\\", '\\"', "\n", "\t", "\x00", "\x7f", "é", "💥", "Ω≈ç√",
             ".", "..", "/", "./", "~", "nan", "inf", "1e400", "-0", "0x10", "true", "None",
             "null", "{}", "[]", "a.b", "x.toml", "../x.toml", "/dev/null", "C:\\x.toml",
             "\u202e", "\ufeff", "traditional ", "TRADITIONAL", "' OR 1=1 --"]
_ODD_NUMBERS = [0, -1, 1, 2, 2**31, 2**31 - 1, 2**53 + 1, 2**63 - 1, 2**63, -(2**63),
                -(2**63) - 1, 2**64, 10**30, -(10**30), 10**300,
                math.nan, -math.nan, math.inf, -math.inf, -0.0, 0.0, 1e308, -1e308,
                5e-324, 1e-300, 0.5, 1.0000000000000002, 1e16]
_RAW = [Raw("0x" + "f" * 40), Raw("0o777"),
        Raw("0b101"), Raw("1_000"), Raw("1e400"), Raw("-1e400"), Raw("+nan"), Raw("-nan"),
        Raw("+inf"), Raw("[" * 200 + "]" * 200),
        Raw("{a = {b = {c = {d = 1}}}}"), Raw("1979-05-27T07:32:00Z"),
        Raw("1979-05-27T00:32:00.999999-07:00"), Raw("07:32:00"), Raw("1979-05-27"),
        Raw('"""multi\nline"""'), Raw("'literal \\ string'"), Raw("'''x\n'''"),
        Raw("[[1, 2], [\"a\"], [{x = 1}]]"), Raw("[]"), Raw("{}")]


_scalars = st.one_of(
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**256), max_value=2**256),
    st.floats(),
    st.floats(width=32),
    st.sampled_from(_ODD_NUMBERS),
    st.text(max_size=20),
    st.text(min_size=100, max_size=500),
    # long text with spaces: no single run long enough to be clipped as "one value"
    st.builds(Repeat, st.text(alphabet="ab'\"é x/.", min_size=1, max_size=6).map(
        lambda w: w + " "), st.integers(min_value=200, max_value=3000)),
    st.sampled_from(_ODD_TEXT),
    st.datetimes(timezones=st.sampled_from([None, dt.UTC])),
    st.dates(),
    st.times(),
    st.sampled_from(_RAW),
)

#: any TOML value: scalars, nested mixed lists, small tables
wild = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)


def _bounds(field: FieldInfo) -> tuple[float | None, float | None]:
    low = high = None
    for meta in field.metadata:
        for name in ("ge", "gt"):
            if getattr(meta, name, None) is not None:
                low = getattr(meta, name)
        for name in ("le", "lt"):
            if getattr(meta, name, None) is not None:
                high = getattr(meta, name)
    return low, high


def typed(annotation: Any, field: FieldInfo | None = None) -> st.SearchStrategy[Any]:
    """Values of about the right type, in and just outside the field's range."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*[typed(a, field) for a in args])
    low, high = _bounds(field) if field is not None else (None, None)
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        lo = int(low) - 3 if low is not None else -1000
        hi = int(high) + 3 if high is not None else 1000
        return st.one_of(st.integers(lo, hi), st.sampled_from([lo + 3, hi - 3]))
    if annotation is float:
        lo = float(low) - 1 if low is not None else -1e6
        hi = float(high) + 1 if high is not None else 1e6
        return st.one_of(st.floats(lo, hi), st.integers(int(lo), int(hi)),
                         st.sampled_from([lo + 1, hi - 1]))
    if annotation is str:
        return st.one_of(st.text(max_size=30), st.sampled_from(builtin_policies()),
                         st.sampled_from([*TABLES, *ROSTER_COLUMNS, "x.toml"]),
                         st.sampled_from(POLICY_WORDS))
    if origin is typing.Literal:
        return st.one_of(st.sampled_from(typing.get_args(annotation)), st.text(max_size=12))
    if origin is list:
        return st.lists(typed(args[0]), max_size=6)
    if origin is dict and isinstance(args[-1], type) and issubclass(args[-1], BaseModel):
        # a table of named tables (day types): known names and odd ones
        return st.dictionaries(st.one_of(st.sampled_from(POLICY_WORDS), st.text(max_size=12)),
                               typed(args[-1]), max_size=3)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = annotation.model_fields
        return st.dictionaries(st.sampled_from(sorted(fields)),
                               st.one_of(wild, *[typed(f.annotation, f)
                                                 for f in fields.values()]), max_size=3)
    return wild


def values_for(key: Key) -> st.SearchStrategy[Any]:
    return st.one_of(wild, typed(key.field.annotation, key.field))


# --- checks ------------------------------------------------------------------------------


def assert_clean(exc: ConfigError) -> None:
    text = exc.render()
    assert "fix:" in text, text
    assert len(text) < MAX_MESSAGE, f"{len(text)}-character message: {text[:300]}..."
    assert exc.problem and exc.fix


def load_clean(path: Path) -> None:
    """Load a scenario: success or a clean ConfigError; anything else propagates."""
    try:
        load_scenario(path)
    except ConfigError as exc:
        assert_clean(exc)


def load_experiment_clean(path: Path) -> None:
    try:
        load_experiment(path)
    except ConfigError as exc:
        assert_clean(exc)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# --- 1. every scenario key ---------------------------------------------------------------


@pytest.mark.parametrize("key", SCENARIO_LEAVES + SCENARIO_TABLES, ids=lambda k: k.dotted)
@FUZZ
@given(data=st.data())
def test_any_value_of_any_scenario_key(key: Key, data: st.DataObject, workdir: Path) -> None:
    drawn = data.draw(values_for(key), label=key.dotted)
    doc = with_value({"extends": SCHOOL_D}, key, drawn, SCENARIO_DEFAULTS)
    path = workdir / "scenario.toml"
    path.write_text(dumps(doc), encoding="utf-8")
    load_clean(path)


#: values every key gets, not left to chance: the long ones must be named, not echoed
NASTY: dict[str, Any] = {
    "spaced_text": Repeat("ab ", 3000),
    "unbroken_text": Repeat("x", 20_000),
    "many_spaced_items": ["a b c d e f"] * 500,
    "long_list": list(range(5000)),
    "long_spaced_table_key": {"k " * 300: 1},
    "huge_int": 10**300,
    "nan": math.nan,
    "minus_zero": -0.0,
    "datetime": dt.datetime(2000, 1, 1, 12, 30),
}


def _failures(write: typing.Callable[[Any], Path],
              load: typing.Callable[[Path], None]) -> list[str]:
    """Load every NASTY value; the ones that did not end cleanly, with what happened."""
    failures = []
    for label, value in NASTY.items():
        path = write(value)
        try:
            load(path)
        except Exception as exc:
            failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:300]}")
    return failures


@pytest.mark.parametrize("key", SCENARIO_LEAVES + SCENARIO_TABLES, ids=lambda k: k.dotted)
def test_nasty_values_of_every_scenario_key(key: Key, workdir: Path) -> None:
    def write(value: Any) -> Path:
        path = workdir / "nasty.toml"
        doc = with_value({"extends": SCHOOL_D}, key, value, SCENARIO_DEFAULTS)
        path.write_text(dumps(doc), encoding="utf-8")
        return path

    failures = _failures(write, load_clean)
    assert not failures, "\n".join(failures)


#: TOML that trips the parser itself, whatever the key
PARSER_BOMBS = {
    "5000_digit_int": Raw("1" * 5000),
    "4400_digit_negative_int": Raw("-" + "9" * 4400),
    "deep_array": Raw("[" * 3000 + "]" * 3000),
    "deep_inline_table": Raw("{a = " * 3000 + "1" + "}" * 3000),
}


@pytest.mark.parametrize("bomb", PARSER_BOMBS)
@pytest.mark.parametrize("where", ["scenario", "policy", "experiment"])
def test_parser_bombs(where: str, bomb: str, workdir: Path) -> None:
    value = PARSER_BOMBS[bomb]
    path = workdir / f"bomb_{where}.toml"
    if where == "scenario":
        path.write_text(dumps({"extends": SCHOOL_D, "school": {"class_size": value}}))
        load_clean(path)
    elif where == "policy":
        (workdir / "bomb_policy_file.toml").write_text(dumps({"cycle_days": value}))
        path.write_text(dumps({"extends": SCHOOL_D,
                               "schedule": {"policy": "bomb_policy_file.toml"}}))
        load_clean(path)
    else:
        path.write_text(dumps({**EXPERIMENT_LHS, "replications": value}))
        load_experiment_clean(path)


@FUZZ
@given(value=wild)
@example(value="")
@example(value=".")
@example(value="scenario.toml")
@example(value=NASTY["spaced_text"])
def test_any_value_of_extends(value: Any, workdir: Path) -> None:
    path = workdir / "scenario.toml"
    path.write_text(dumps({"extends": value}), encoding="utf-8")
    load_clean(path)


@settings(FUZZ, max_examples=60)
@given(key=st.text(min_size=1, max_size=40), value=wild)
@example(key=Repeat("ab ", 800), value=1)
def test_unknown_keys(key: str | Repeat, value: Any, workdir: Path) -> None:
    path = workdir / "scenario.toml"
    path.write_text(f'extends = {_string(SCHOOL_D)}\n{_string(str(key))} = {inline(value)}\n',
                    encoding="utf-8")
    load_clean(path)


def test_the_toml_writer_round_trips() -> None:

    doc = {"a": [1, -0.0, "x\"\\\n\x7f💥", [True, {"k.y": dt.date(2020, 1, 2)}]],
           "b": {"": 2**63}, "c b": 1e-300}
    assert tomllib.loads(dumps(doc)) == doc


# --- 2. experiments ----------------------------------------------------------------------

EXPERIMENT_LHS: dict[str, Any] = {
    "name": "fuzz",
    "description": "fuzzed",
    "base": SCHOOL_D,
    "replications": 2,
    "seed": 1,
    "years": 3,
    "tables": ["run_summary"],
    "chunk_size": 1,
    "arm": [{"name": "a", "set": {"school.poverty_share": 0.4}}],
    "sweep": {"method": "lhs", "samples": 2, "levels": 4, "seed": 0,
              "parameter": [{"name": "behaviour.burnout.centre", "low": 0.0, "high": 0.5,
                             "integer": False}]},
}
EXPERIMENT_GRID: dict[str, Any] = {
    **EXPERIMENT_LHS,
    "sweep": {"method": "grid", "parameter": [{"name": "rollout.first_year",
                                               "values": [1.0, 2.0], "integer": True}]},
}
EXPERIMENT_CASES = ([("lhs", k) for k in EXPERIMENT_KEYS]
                    + [("grid", k) for k in EXPERIMENT_KEYS if k.parts[0] == "sweep"])


def test_the_experiment_fixtures_load(workdir: Path) -> None:
    for doc in (EXPERIMENT_LHS, EXPERIMENT_GRID):
        path = workdir / "experiment.toml"
        path.write_text(dumps(doc), encoding="utf-8")
        load_experiment(path)


@pytest.mark.parametrize(("design", "key"), EXPERIMENT_CASES,
                         ids=[f"{d}-{k.dotted}" for d, k in EXPERIMENT_CASES])
@FUZZ
@given(data=st.data())
def test_any_value_of_any_experiment_key(design: str, key: Key, data: st.DataObject,
                                         workdir: Path) -> None:
    base = EXPERIMENT_LHS if design == "lhs" else EXPERIMENT_GRID
    drawn = data.draw(values_for(key), label=key.dotted)
    path = workdir / "experiment.toml"
    path.write_text(dumps(with_value(base, key, drawn, base)), encoding="utf-8")
    load_experiment_clean(path)


@pytest.mark.parametrize(("design", "key"), EXPERIMENT_CASES,
                         ids=[f"{d}-{k.dotted}" for d, k in EXPERIMENT_CASES])
def test_nasty_values_of_every_experiment_key(design: str, key: Key, workdir: Path) -> None:
    base = EXPERIMENT_LHS if design == "lhs" else EXPERIMENT_GRID

    def write(value: Any) -> Path:
        path = workdir / "nasty_experiment.toml"
        path.write_text(dumps(with_value(base, key, value, base)), encoding="utf-8")
        return path

    failures = _failures(write, load_experiment_clean)
    assert not failures, "\n".join(failures)


def test_long_text_set_by_an_arm_is_not_echoed(workdir: Path) -> None:
    """Every scenario key, set by an arm to a long text with spaces."""
    failures = []
    for key in SCENARIO_KEYS:
        doc = {**EXPERIMENT_LHS, "arm": [{"name": "a", "set": {key.dotted: NASTY[
            "spaced_text"]}}]}
        path = workdir / "arm_text.toml"
        path.write_text(dumps(doc), encoding="utf-8")
        try:
            load_experiment_clean(path)
        except Exception as exc:
            failures.append(f"{key.dotted}: {type(exc).__name__}: {str(exc)[:200]}")
    assert not failures, "\n".join(failures)


_arm_keys = st.one_of(st.sampled_from([k.dotted for k in SCENARIO_KEYS]),
                      st.text(max_size=30),
                      st.sampled_from(["", ".", "school.", ".school", "school..name",
                                       "school.name.x", "school.grades.x", "costs.startup.x",
                                       "run.years.y.z"]))


@st.composite
def arm_settings(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(min_value=1, max_value=3))
    out: dict[str, Any] = {}
    for _ in range(n):
        dotted = draw(_arm_keys)
        key = next((k for k in SCENARIO_KEYS if k.dotted == dotted), None)
        out[dotted] = draw(values_for(key) if key is not None else wild)
    return out


@settings(FUZZ, max_examples=150)
@given(changes=arm_settings())
def test_any_arm_set(changes: dict[str, Any], workdir: Path) -> None:
    doc = {**EXPERIMENT_LHS, "arm": [{"name": "a", "set": changes}]}
    path = workdir / "experiment.toml"
    path.write_text(dumps(doc), encoding="utf-8")
    load_experiment_clean(path)


_numeric_leaves = [k.dotted for k in SCENARIO_LEAVES
                   if k.field.annotation in (int, float) and not k.list_parts]


@settings(FUZZ, max_examples=40)
@given(method=st.sampled_from(["grid", "lhs", "sobol", "morris"]),
       name=st.sampled_from(_numeric_leaves),
       bounds=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=2,
                       max_size=2, unique=True).map(sorted),
       integer=st.booleans(), samples=st.integers(min_value=1, max_value=2),
       levels=st.sampled_from([2, 4]))
def test_any_sweep_range(method: str, name: str, bounds: list[float], integer: bool,
                         samples: int, levels: int, workdir: Path) -> None:
    low, high = bounds
    parameter = {"name": name, "integer": integer}
    parameter.update({"values": [low, high]} if method == "grid" else {"low": low,
                                                                         "high": high})
    doc = {**EXPERIMENT_LHS, "sweep": {"method": method, "samples": samples,
                                       "levels": levels, "parameter": [parameter]}}
    path = workdir / "experiment.toml"
    path.write_text(dumps(doc), encoding="utf-8")
    load_experiment_clean(path)


# --- 2b. roster cells --------------------------------------------------------------------

_cells = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "0", "-1", "1.5", "1e400", "nan", "inf", "-0.0", "1_000", "0x10",
                     "３", "٣", "½", "1,5", '"', "\x00", "\r", "\n", "a\r\nb", "\ufeff",
                     "True", "3 ", " 3", "25.0", "9" * 5000, "1" * 4301]),
    st.integers().map(str),
    st.floats().map(str),
    st.builds(Repeat, st.sampled_from(["7", "ab ", '"']),
              st.integers(min_value=1000, max_value=140_000)),
)


@st.composite
def rosters(draw: st.DrawFn) -> tuple[list[str], list[list[str | Repeat]], bool]:
    """A header (name plus some columns), rows of cells, and whether to write the rows
    as proper CSV (quoted) or cells joined with bare commas."""
    extra = draw(st.lists(st.sampled_from(ROSTER_COLUMNS[1:]), max_size=3, unique=True))
    header = ["name", *extra]
    n_rows = draw(st.integers(min_value=1, max_value=3))
    rows: list[list[str | Repeat]] = [[f"School {i}", *["" for _ in extra]]
                                      for i in range(n_rows)]
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        row = draw(st.integers(min_value=0, max_value=n_rows - 1))
        col = draw(st.integers(min_value=0, max_value=len(header) - 1))
        rows[row][col] = draw(_cells)
    return header, rows, draw(st.booleans())


@settings(FUZZ, max_examples=80)
@given(roster=rosters())
@example(roster=(["name", "class_size"], [["A", Repeat("9", 5000)]], True))
@example(roster=(["name", "clerks"], [["A", Repeat("7", 140_000)]], True))
def test_any_roster_cell(roster: tuple[list[str], list[list[str | Repeat]], bool],
                         workdir: Path) -> None:
    header, rows, quoted = roster
    table = [header, *[[str(c) for c in r] for r in rows]]
    if quoted:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(table)
        text = buf.getvalue()
    else:
        text = "".join(",".join(r) + "\n" for r in table)
    (workdir / "r.csv").write_text(text, encoding="utf-8", newline="")
    path = workdir / "roster_scenario.toml"
    path.write_text(dumps({"extends": SCHOOL_D, "district": {"roster": "r.csv"}}),
                    encoding="utf-8")
    load_clean(path)


# --- 3. the command line -----------------------------------------------------------------


@st.composite
def bad_files(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["key", "text", "bytes"]))
    if kind == "key":
        key = draw(st.sampled_from(SCENARIO_KEYS))
        doc = with_value({"extends": SCHOOL_D}, key, draw(values_for(key)), SCENARIO_DEFAULTS)
        return dumps(doc).encode("utf-8")
    if kind == "text":
        return draw(st.text(max_size=200)).encode("utf-8")
    return draw(st.binary(max_size=200))


@settings(FUZZ, max_examples=40)
@given(content=bad_files())
@example(content=b"x = " + b"1" * 5000)
@example(content=f'extends = "{SCHOOL_D}"\nschedule.policy = "{"ab " * 800}"'.encode())
def test_validate_never_shows_a_traceback(content: bytes, workdir: Path) -> None:
    path = workdir / "cli.toml"
    path.write_bytes(content)
    result = CliRunner().invoke(app, ["validate", str(path)])
    text = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{result.exception!r}\n{text[:2000]}")
    assert result.exit_code in (0, 2), text[:2000]
    assert "Traceback" not in text
    if result.exit_code == 2:
        assert text.lstrip().startswith("error:"), text[:2000]
        assert "fix:" in text, text[:2000]
        assert len(text) < MAX_MESSAGE, text[:300]


# --- 4. schedule policy files ------------------------------------------------------------
#
# A policy file is read when a scenario names it (``schedule.policy = "p.toml"``), and is
# then validated whole and compiled against the school (fit to the day, specials
# coverage). Every policy key is fuzzed starting from a built-in policy that sets it,
# written either whole or as a file that ``extends`` the built-in and sets only that key;
# each file is loaded as a scenario's policy, as its baseline, or as the policy of a
# 60-school district whose schools differ in size and specials staff (drawn; the fixed
# values use a scenario where it is both policy and baseline).

POLICY_KEYS = walk(Policy)
POLICY_LEAVES = [k for k in POLICY_KEYS if not k.is_table]
POLICY_TABLES = [k for k in POLICY_KEYS if k.is_table]
#: School D's day, which every policy has to fit
SCHOOL_D_DAY = load_scenario(SCHOOL_D).scenario.school


def test_the_walk_finds_every_policy_key() -> None:
    dotted = {k.dotted for k in POLICY_KEYS}
    assert {"cycle_days", "roles.homeroom.days.*.teaching",
            "roles.leader.days.*.collaboration_structured", "assign.slot",
            "special_days.days_per_year", "outside_day.sessions_per_week"} <= dotted
    activities = [*ACTIVITIES, "students_with_specials", "collaboration_facilitated",
                  "collaboration_structured", "collaboration_practices"]
    programs = {"coaching": 8, "peer_pairing": 3, "observation": 3,
                "professional_learning": 7, "induction": 7}
    assert {k.dotted.split(".")[0] for k in POLICY_LEAVES} >= set(programs)
    # top-level keys, then the day types of four roles (homeroom, specials, leader,
    # support), assign, special_days, outside_day and the programs
    assert len(POLICY_LEAVES) == (8 + 4 * len(activities) + 4 + 4 + 5
                                  + sum(programs.values()))


def _at(doc: Any, key: Key) -> Any:
    """The value of ``key`` in ``doc`` (first element of a list of tables, first name of a
    table of named tables), or None."""
    node = doc
    for i, part in enumerate(key.parts):
        if not isinstance(node, dict):
            return None
        node = node.get(_entry_name(node, None) if part == ANY else part)
        if i in key.list_parts:
            node = node[0] if isinstance(node, list) and node else None
    return node


def policy_bases(key: Key) -> list[str]:
    """The built-in policies that set ``key`` (where a user would edit it), else those
    that have its table, else rotating_release (the key is added to it)."""
    setting = [n for n, doc in POLICY_DOCS.items() if _at(doc, key) is not None]
    parent = Key(key.dotted, key.parts[:-1], key.list_parts, key.field, True)
    having = [n for n, doc in POLICY_DOCS.items() if isinstance(_at(doc, parent), dict)]
    return setting or having or ["rotating_release"]


def _is_int(annotation: Any) -> bool:
    return annotation is int or int in typing.get_args(annotation)


def policy_edges(key: Key, doc: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Whole numbers where the policy's domain checks turn: the value in ``doc`` and its
    neighbours, the cycle's length, and for the minutes of a day type the slack left in
    School D's contract day and student day."""
    if not _is_int(key.field.annotation):
        return st.nothing()
    current = _at(doc, key)
    edges = {0, 1, doc.get("cycle_days", 1), doc.get("cycle_days", 1) + 1}
    if isinstance(current, int):
        edges |= {current - 1, current, current + 1}
    day = _at(doc, Key(key.dotted, key.parts[:-1], key.list_parts, key.field, True))
    leaf = key.parts[-1]
    if ANY in key.parts and isinstance(day, dict):
        here = current if isinstance(current, int) else 0
        if leaf in ACTIVITIES:
            total = sum(day.get(a, 0) for a in ACTIVITIES)
            slack = SCHOOL_D_DAY.contract_day_minutes - total + here
            edges |= {slack - 1, slack, slack + 1}
        if leaf in ("teaching", "students_with_specials"):
            used = day.get("teaching", 0) + day.get("students_with_specials", 0)
            slack = SCHOOL_D_DAY.student_day_minutes - used + here
            edges |= {slack - 1, slack, slack + 1}
    return st.sampled_from(sorted(edges))


def policy_values(key: Key, doc: dict[str, Any]) -> st.SearchStrategy[Any]:
    return st.one_of(values_for(key), policy_edges(key, doc))


#: scenarios that use ``p.toml`` (a path relative to the scenario) as their policy, as
#: their baseline (against another policy), as both, and as a district's policy
POLICY_USES = {"policy": (SCHOOL_D, {"policy": "p.toml"}),
               "baseline": (SCHOOL_D, {"policy": "rotating_release", "baseline": "p.toml"}),
               "both": (SCHOOL_D, {"policy": "p.toml", "baseline": "p.toml"}),
               "district": (str(ROOT / "configs" / "district_60.toml"), {"policy": "p.toml"})}
DRAWN_USES = ["policy", "baseline", "district"]


@pytest.fixture(scope="module")
def policy_dir(workdir: Path) -> Path:
    """A folder with a scenario for each of :data:`POLICY_USES`."""
    folder = workdir / "policies"
    folder.mkdir()
    for use, (base, schedule) in POLICY_USES.items():
        (folder / f"{use}_scenario.toml").write_text(
            dumps({"extends": base, "schedule": schedule}), encoding="utf-8")
    return folder


def load_policy_clean(folder: Path, text: str, uses: tuple[str, ...] = ("policy", "baseline")
                      ) -> None:
    """Write ``p.toml`` and load the scenarios that use it (by default: as a policy, then
    as a baseline): success or a clean ConfigError; anything else propagates."""
    (folder / "p.toml").write_text(text, encoding="utf-8")
    for use in uses:
        load_clean(folder / f"{use}_scenario.toml")


def policy_text(key: Key, value: Any, base: str, via_extends: bool) -> str:
    """The policy ``base`` with ``key`` set to ``value``: written whole, or as a file that
    extends the built-in and sets only that key."""
    doc = POLICY_DOCS[base]
    start = {"extends": str(POLICY_DIR / f"{base}.toml")} if via_extends else doc
    return dumps(with_value(start, key, value, doc))


def test_the_policy_fixtures_load(policy_dir: Path) -> None:
    for base in POLICY_DOCS:
        for via_extends in (False, True):
            text = policy_text(POLICY_KEYS[0], POLICY_DOCS[base]["name"], base, via_extends)
            (policy_dir / "p.toml").write_text(text, encoding="utf-8")
            for use in POLICY_USES:
                loaded = load_scenario(policy_dir / f"{use}_scenario.toml")
                assert loaded.baseline.name == (base if use in ("baseline", "both")
                                                else "traditional")
                assert loaded.policy.name == (base if use != "baseline"
                                              else "rotating_release")


@pytest.mark.parametrize("key", POLICY_LEAVES + POLICY_TABLES, ids=lambda k: k.dotted)
@settings(FUZZ, max_examples=10)
@given(data=st.data())
def test_any_value_of_any_policy_key(key: Key, data: st.DataObject, policy_dir: Path) -> None:
    base = data.draw(st.sampled_from(policy_bases(key)), label="base")
    via_extends = data.draw(st.booleans(), label="via_extends")
    use = data.draw(st.sampled_from(DRAWN_USES), label="use")
    value = data.draw(policy_values(key, POLICY_DOCS[base]), label=key.dotted)
    load_policy_clean(policy_dir, policy_text(key, value, base, via_extends), (use,))


@pytest.mark.parametrize("key", POLICY_LEAVES + POLICY_TABLES, ids=lambda k: k.dotted)
def test_nasty_values_of_every_policy_key(key: Key, policy_dir: Path) -> None:
    base = policy_bases(key)[0]

    def write(value: Any) -> Path:
        (policy_dir / "p.toml").write_text(policy_text(key, value, base, False),
                                           encoding="utf-8")
        return policy_dir

    def load(folder: Path) -> None:
        load_clean(folder / "both_scenario.toml")

    failures = _failures(write, load)
    assert not failures, "\n".join(failures)


@FUZZ
@given(value=wild)
@example(value="")
@example(value=".")
@example(value="p.toml")
@example(value="policy_scenario.toml")
@example(value=str(POLICY_DIR / "weekly_plc.toml"))
@example(value=NASTY["spaced_text"])
def test_any_value_of_a_policy_extends(value: Any, policy_dir: Path) -> None:
    load_policy_clean(policy_dir, dumps({"extends": value, "name": "extended"}))


# --- 4b. the shape of a policy as a whole ------------------------------------------------


def mostly(good: st.SearchStrategy[Any], odd: st.SearchStrategy[Any], flawed: bool = True
           ) -> st.SearchStrategy[Any]:
    """``good`` most of the time and, if ``flawed``, sometimes ``odd`` (about half the
    policies drawn are flawless, so that many reach the compiler)."""
    return st.one_of(good, good, good, odd) if flawed else good


#: day-type names: any text is a valid name, odd ones included
_day_names = mostly(st.sampled_from(DAY_NAMES),
                    st.one_of(st.text(max_size=10),
                              st.sampled_from(["", " ", "off", "teacher_only", "Full", "full ",
                                               "a.b", "💥", '"', "\u202e"])))
_GRADES = ["K", "1", "2", "3", "4", "5"]


@st.composite
def day_templates(draw: st.DrawFn, homeroom: bool = True, flawed: bool = True
                  ) -> dict[str, Any]:
    """A day type: a few activities of a few minutes (most fit the day, some do not);
    if ``flawed``, the odd minute out of range, or students with specials on a specials
    day."""
    fields = [*ACTIVITIES, "students_with_specials"] if homeroom else list(ACTIVITIES)
    chosen = draw(st.lists(st.sampled_from(fields), unique=True, max_size=5))
    minutes = st.one_of(*[st.integers(0, 120)] * 8, st.sampled_from([1440, 1441, -1])
                        ) if flawed else st.integers(0, 120)
    day: dict[str, Any] = {f: draw(minutes) for f in chosen}
    if not homeroom and flawed and draw(st.integers(0, 4)) == 0:
        day["students_with_specials"] = draw(st.integers(0, 60))
    if draw(st.booleans()):
        day["collaboration_facilitated"] = draw(st.booleans())
        day["collaboration_structured"] = draw(st.booleans())
    return day


def _name_in(names: list[str], flawed: bool) -> st.SearchStrategy[str]:
    """One of ``names`` (if ``flawed``, sometimes a name that is not there)."""
    return mostly(st.sampled_from(names), _day_names, flawed) if names else _day_names


@st.composite
def policy_docs(draw: st.DrawFn) -> dict[str, Any]:
    """A policy of random shape: random numbers of day types (sometimes none) and of
    assignments, special days and outside-day sessions (none, one, several, repeated),
    a cycle of random length. About half are flawless (names that match, values in
    range), though the school may still refuse them (days too long, specials not
    covered); the others have some values that are not."""
    flawed = draw(st.booleans())

    def maybe(good: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]
              ) -> st.SearchStrategy[Any]:
        return mostly(good, odd, flawed)

    home = draw(maybe(st.dictionaries(_day_names, day_templates(flawed=flawed), min_size=1,
                                      max_size=5), st.just({})))
    spec = draw(maybe(st.dictionaries(_day_names, day_templates(False, flawed), min_size=1,
                                      max_size=3), st.just({})))
    roles: dict[str, Any] = {"homeroom": {"days": home}, "specials": {"days": spec}}
    if draw(st.booleans()):
        names = list(home)
        if flawed and draw(st.booleans()):  # a day type missing, or one more
            names = draw(st.lists(_name_in(list(home), flawed), max_size=6))
        roles["leader"] = {"days": {n: draw(day_templates(flawed=flawed)) for n in names}}
    follows = draw(maybe(st.just("student_day"), st.just("weekday")))
    cycle = draw(maybe(st.just(5) if follows == "weekday" else st.integers(1, 20),
                       st.sampled_from([0, 3, 21])))
    home_day, spec_day = _name_in(list(home), flawed), _name_in(list(spec), flawed)
    grades = maybe(st.sampled_from(_GRADES), st.sampled_from(["6", "k", "", " K"]))
    assignment = st.fixed_dictionaries(
        {"cycle_day": maybe(st.integers(1, max(cycle, 1)), st.integers(0, cycle + 1)),
         "grades": maybe(st.lists(grades, min_size=1, max_size=3, unique=True),
                         st.one_of(st.just("all"), st.lists(grades, max_size=4))),
         "homeroom_day": home_day},
        optional={"slot": maybe(st.sampled_from(["morning", "afternoon"]),
                                st.one_of(st.sampled_from(["", "Morning"]),
                                          st.text(max_size=8)))})
    special = st.fixed_dictionaries(
        {"name": st.sampled_from(["early_release", "early_release", "late_start", ""]),
         "days_per_year": maybe(st.integers(1, 60), st.sampled_from([0, 61])),
         "homeroom_day": home_day, "specials_day": spec_day})
    frequency = maybe(
        st.one_of(st.fixed_dictionaries({"sessions_per_year": st.integers(1, 200)}),
                  st.fixed_dictionaries({"sessions_per_week": st.integers(1, 7)})),
        st.one_of(st.fixed_dictionaries({"sessions_per_year": st.sampled_from([0, 201]),
                                         "sessions_per_week": st.integers(1, 2)}),
                  st.fixed_dictionaries({"sessions_per_week": st.sampled_from([0, 8])}),
                  st.just({})))
    outside = st.builds(
        lambda fixed, freq: {**fixed, **freq},
        st.fixed_dictionaries(
            {"roles": maybe(st.lists(st.sampled_from(ROLES), min_size=1, max_size=3),
                            st.lists(st.sampled_from([*ROLES, "teacher"]), max_size=4)),
             "activity": maybe(st.sampled_from(ACTIVITIES), st.just("nap")),
             "minutes": maybe(st.integers(1, 600), st.sampled_from([0, 601]))}),
        frequency)
    return {
        "name": draw(st.sampled_from(["fuzzed", "", "traditional"])),
        "cycle_days": cycle,
        "cycle_follows": follows,
        "default_homeroom_day": draw(home_day),
        "default_specials_day": draw(spec_day),
        "roles": roles,
        "assign": draw(st.lists(assignment, max_size=8)),
        "special_days": draw(st.lists(special, max_size=3)),
        "outside_day": draw(st.lists(outside, max_size=3)),
    }


@settings(FUZZ, max_examples=150)
@given(doc=policy_docs(), use=st.sampled_from(DRAWN_USES))
def test_any_policy_shape(doc: dict[str, Any], use: str, policy_dir: Path) -> None:
    load_policy_clean(policy_dir, dumps(doc), (use,))


def _base(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(POLICY_DOCS["rotating_release"]), **changes}


def _with_days(role: str, days: dict[str, Any], **changes: Any) -> dict[str, Any]:
    doc = _base(**changes)
    doc["roles"][role]["days"] = days
    return doc


_FULL = POLICY_DOCS["rotating_release"]["roles"]["homeroom"]["days"]["full"]
_RELEASE = POLICY_DOCS["rotating_release"]["roles"]["homeroom"]["days"]["release"]
_EARLY = {"name": "early_release", "days_per_year": 9, "homeroom_day": "full",
          "specials_day": "extended"}
_MANY_DAYS = {f"day_{i}": dict(_FULL) for i in range(300)}

#: whole policies of odd shape: empty lists and tables, names given twice, huge counts.
#: A dict is written as TOML; a string is the file's text.
POLICY_SHAPES: dict[str, dict[str, Any] | str] = {
    "no_assignments": _base(assign=[]),
    "empty_everything": _base(assign=[], special_days=[], outside_day=[]),
    "no_homeroom_days": _with_days("homeroom", {}),
    "no_specials_days": _with_days("specials", {}),
    "no_leader_days": _with_days("leader", {}),
    "no_roles": _base(roles={}),
    "one_day_cycle": _base(cycle_days=1, assign=[]),
    "twenty_day_cycle": _base(cycle_days=20),
    "weekday_cycle_of_three": _base(cycle_follows="weekday"),
    "empty_grade_list": _base(assign=[{"cycle_day": 1, "grades": [], "homeroom_day":
                                       "release"}]),
    "grade_twice_in_one_assignment": _base(assign=[{"cycle_day": 1, "grades": ["K", "K"],
                                                    "homeroom_day": "release"}]),
    "same_assignment_twice": _base(assign=[POLICY_DOCS["rotating_release"]["assign"][0]] * 2),
    "all_grades_in_one_slot": _base(assign=[{"cycle_day": 1, "grades": "all",
                                             "homeroom_day": "release", "slot": "morning"}]),
    "every_grade_every_day_in_one_slot": _base(cycle_days=20, assign=[
        {"cycle_day": c, "grades": [g], "homeroom_day": "release", "slot": "s"}
        for c in range(1, 21) for g in ["K", "1", "2", "3", "4", "5"]]),
    "1000_assignments": _base(assign=[{"cycle_day": 1, "grades": ["K"],
                                       "homeroom_day": "full"}] * 1000),
    "special_days_named_twice": _base(special_days=[_EARLY, _EARLY]),
    "60_special_days_of_60": _base(special_days=[{**_EARLY, "name": f"s{i}",
                                                  "days_per_year": 60} for i in range(60)]),
    "special_days_releasing_everyone": _base(special_days=[{
        **_EARLY, "homeroom_day": "release"}]),
    "50_weekly_outside_sessions": _base(outside_day=[{
        "roles": ["homeroom", "specials", "leader"], "activity": "pd", "minutes": 600,
        "sessions_per_week": 7}] * 50),
    "outside_day_for_no_roles": _base(outside_day=[{"roles": [], "activity": "pd",
                                                    "minutes": 60, "sessions_per_year": 9}]),
    "300_day_types": _with_days("homeroom", _MANY_DAYS),
    "300_leader_day_types": _with_days("leader", {**_MANY_DAYS, "full": _FULL,
                                                  "release": _RELEASE}),
    "day_names_differing_in_case": _with_days("homeroom", {"full": _FULL, "Full": _FULL,
                                                           "release": _RELEASE}),
    "day_named_off": _with_days("homeroom", {"off": _FULL, "release": _RELEASE},
                                default_homeroom_day="off"),
    "day_named_teacher_only": _with_days("homeroom", {"teacher_only": _FULL,
                                                      "release": _RELEASE},
                                         default_homeroom_day="teacher_only"),
    "day_named_empty": _with_days("homeroom", {"": _FULL, "release": _RELEASE},
                                  default_homeroom_day=""),
    "day_name_with_dot_and_quote": _with_days("homeroom", {'a."b': _FULL,
                                                           "release": _RELEASE},
                                              default_homeroom_day='a."b'),
    "day_name_3000_characters": _with_days("homeroom", {"d " * 1500: _FULL,
                                                        "release": _RELEASE},
                                           default_homeroom_day="d " * 1500),
    "day_template_given_twice": (POLICY_DIR / "rotating_release.toml").read_text(
        encoding="utf-8") + "\n[roles.homeroom.days.full]\nteaching = 1\n",
    "assign_as_a_table": (POLICY_DIR / "traditional.toml").read_text(
        encoding="utf-8").replace("[[assign]]", "[assign]"),
    "days_as_an_array_of_tables": (POLICY_DIR / "traditional.toml").read_text(
        encoding="utf-8").replace("[roles.specials.days.standard]",
                                  "[[roles.specials.days]]"),
    "empty_file": "",
}


@pytest.mark.parametrize("shape", POLICY_SHAPES)
def test_policy_shapes(shape: str, policy_dir: Path) -> None:
    doc = POLICY_SHAPES[shape]
    start = time.perf_counter()
    load_policy_clean(policy_dir, doc if isinstance(doc, str) else dumps(doc))
    assert time.perf_counter() - start < 10, "loading took over 10 s"
