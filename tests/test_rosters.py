"""District rosters (configs/rosters/, docs/rosters.md): the shipped example loads and
runs with one school per row; schools given by enrolment get staff scaled from the
profile (checked by hand); staff a roster gives are kept; the number of schools comes
from the roster; bad cells are refused with the file, line, column and fix.

Errors the other roster tests already cover (unknown column, a cell that is not a
number, duplicate names, encodings, ragged rows: tests/test_rollout.py,
tests/broken/roster_*.toml) are not repeated here."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from teachsim.cli import app
from teachsim.config.errors import ConfigError
from teachsim.config.scenario import read_scenario
from teachsim.model.district import SCALED, scaled_staff
from teachsim.model.run import run_scenario
from teachsim.model.scenario import LoadedScenario, load_scenario
from tests.conftest import CONFIGS

EXAMPLE = CONFIGS / "district_roster.toml"
ROSTER = CONFIGS / "rosters" / "district_example.csv"
#: School D, the profile every roster row starts from: 3 homerooms in each of 6 grades
#: of 25 students (450 students); 3 specials, 3 special-education, 1 EL teacher, 3
#: interventionists, 4.0 paraprofessional FTE, 2.0 clerks, 810 duty minutes a day
#: (210 of them taken by other staff)
BASE = CONFIGS / "school_d_rotating.toml"


@pytest.fixture(scope="module")
def example() -> LoadedScenario:
    return load_scenario(EXAMPLE)


def roster_scenario(tmp_path: Path, rows: str, district: str = "") -> Path:
    """A scenario on School D (rotating release) whose district is the roster ``rows``."""
    (tmp_path / "r.csv").write_text(rows)
    path = tmp_path / "s.toml"
    path.write_text(f'extends = "{BASE}"\n[district]\nroster = "r.csv"\n{district}')
    return path


def error(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_scenario(path)
    return info.value.render()


# --- the shipped example ---------------------------------------------------------------

def test_example_has_one_school_per_row_without_n_schools(example: LoadedScenario) -> None:
    with ROSTER.open(newline="") as f:
        names = [row["name"] for row in csv.DictReader(f)]
    assert len(names) == 12
    assert [s.name for s in example.schools] == names
    # no file of the scenario's chain sets n_schools: the roster alone says how many
    assert "district.n_schools" not in read_scenario(EXAMPLE)[1]
    assert example.scenario.rollout.strategy == "pilot_then_scale"


def test_example_validates_on_the_command_line() -> None:
    r = CliRunner().invoke(app, ["validate", str(EXAMPLE)], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "12 school(s)" in r.output


def test_example_rows_by_hand(example: LoadedScenario) -> None:
    s = {school.name: school for school in example.schools}
    # Cedar Hill: 900 students, twice School D's: twice its homerooms and staff
    cedar = s["Cedar Hill Elementary"]
    assert (cedar.homerooms_per_grade, cedar.specials_teachers, cedar.sped_teachers,
            cedar.el_teachers, cedar.interventionists, cedar.paraprofessionals,
            cedar.duty_minutes_per_day, cedar.clerks) == (6, 6, 6, 2, 6, 8.0, 1620, 2.0)
    # Douglass: 610 students -> 4 homerooms a grade; EL teachers and paraprofessionals
    # as the roster gives them, the rest scaled (4/3 of School D's)
    douglass = s["Douglass Elementary"]
    assert (douglass.homerooms_per_grade, douglass.el_teachers, douglass.paraprofessionals,
            douglass.sped_teachers) == (4, 3, 7.5, 4)
    # Eastgate: sized in homerooms (2 of 22 students), with 3 specials teachers given
    east = s["Eastgate Elementary"]
    assert (east.homerooms_per_grade, east.class_size, east.students, east.specials_teachers,
            east.sped_teachers) == (2, 22, 264, 3, 2)
    # Kennedy: 450 students in classes of 20 -> 450 / 120 = 3.75 -> 4 homerooms a grade
    assert s["Kennedy Elementary"].homerooms_per_grade == 4
    assert s["Irving Elementary"].clerks == 1.0  # given; clerks never scale


def test_example_runs_as_a_district_of_its_rows(example: LoadedScenario) -> None:
    res = run_scenario(example, years=1, seed=3)
    summary = res.summary()
    assert summary["schools"] == 12
    assert summary["students"] == sum(s.students for s in example.schools) == 6594
    sy = res.tables["school_year"]
    assert sy["teachers"].tolist() == [s.teachers for s in example.schools]
    assert summary["teachers"] == sum(s.teachers for s in example.schools)


# --- staff scale with enrolment unless the roster gives them ---------------------------

def test_scaled_staff_are_the_documented_ones() -> None:
    from teachsim.config.scenario import SchoolProfile

    assert set(scaled_staff(SchoolProfile(), 3)) == set(SCALED)


def test_enrolment_only_rows_get_scaled_staff(tmp_path: Path) -> None:
    path = roster_scenario(tmp_path, "name,enrolment\nDouble,900\nSame,450\nSmall,300\n"
                                     "Half-down,375\nHalf-up,525\n")
    got = {s.name: s for s in load_scenario(path).schools}
    staff = ("homerooms_per_grade", "specials_teachers", "sped_teachers", "el_teachers",
             "interventionists", "paraprofessionals", "duty_minutes_per_day",
             "other_staff_duty_minutes_per_day", "clerks")

    def row(name: str) -> tuple[float, ...]:
        return tuple(getattr(got[name], k) for k in staff)

    # twice School D's enrolment: twice everything that scales; clerks stay
    assert row("Double") == (6, 6, 6, 2, 6, 8.0, 1620, 420, 2.0)
    assert row("Same") == (3, 3, 3, 1, 3, 4.0, 810, 210, 2.0)
    # two thirds: 1 EL teacher (2/3 rounds to 1), paraprofessional FTE to two decimals
    assert row("Small") == (2, 2, 2, 1, 2, 2.67, 540, 140, 2.0)
    # 375 / 150 = 2.5 and 525 / 150 = 3.5: an exact half rounds to the even number
    assert got["Half-down"].homerooms_per_grade == 2
    assert got["Half-up"].homerooms_per_grade == 4
    assert got["Double"].students == 900


def test_staff_the_roster_gives_are_kept(tmp_path: Path) -> None:
    path = roster_scenario(tmp_path, "name,enrolment,specials_teachers,paraprofessionals,"
                                     "sped_teachers,clerks,duty_minutes_per_day\n"
                                     "Big,900,8,10.5,4,3.0,1500\nPlain,900,,,,,\n"
                                     "Unsized,,5,,,,\n")
    big, plain, unsized = load_scenario(path).schools
    assert (big.specials_teachers, big.paraprofessionals, big.sped_teachers, big.clerks,
            big.duty_minutes_per_day) == (8, 10.5, 4, 3.0, 1500)
    # what Big's row leaves empty still scales with its size
    assert (big.el_teachers, big.interventionists) == (plain.el_teachers,
                                                        plain.interventionists) == (2, 6)
    # a row with no size keeps the profile's size and staff, except what it gives
    assert (unsized.homerooms_per_grade, unsized.specials_teachers,
            unsized.sped_teachers) == (3, 5, 3)


# --- the number of schools comes from the roster ---------------------------------------

def test_n_schools_may_be_left_out_or_match(tmp_path: Path) -> None:
    rows = "name,enrolment\nA,300\nB,450\nC,600\n"
    assert len(load_scenario(roster_scenario(tmp_path, rows)).schools) == 3
    assert len(load_scenario(roster_scenario(tmp_path, rows, "n_schools = 3\n")).schools
               ) == 3


def test_n_schools_that_differs_from_the_roster_is_refused(tmp_path: Path) -> None:
    msg = error(roster_scenario(tmp_path, "name\nA\nB\nC\n", "n_schools = 5\n"))
    assert "s.toml: key 'district.n_schools'" in msg
    assert "is 5 but the roster has 3 schools" in msg
    assert "fix: remove district.n_schools or make it match the roster" in msg


# --- bad cells the other roster tests do not cover ------------------------------------

@pytest.mark.parametrize(("rows", "expected"), [
    ("name,enrolment\nA,450\nB,-300\n",
     ["r.csv, line 3, column 'enrolment': is -300; a school has at least one student",
      "fix: give the school's number of students"]),
    ("name,enrolment\nA,0\n", ["line 2, column 'enrolment': is 0"]),
    ("name,enrolment\nA,45000\n",
     ["line 2, column 'enrolment': 45,000 students make 300 homerooms per grade",
      "at most 20", "fix: give the school's students (not the district's)"]),
    # too many digits for a float: refused, not an overflow
    ("name,enrolment\nA," + "9" * 400 + "\n",
     ["line 2, column 'enrolment': 9,999,999", "a school has at most 20"]),
    # a spreadsheet's percentage in a share column
    ("name,enrolment,poverty_share\nA,450,81%\n",
     ["line 2, column 'poverty_share': '81%' is not a number",
      "fix: write poverty_share as a fraction without the % sign (0.81 for 81%)"]),
    # a bad class size is named as such, not divided by
    ("name,enrolment,class_size\nA,450,0\n",
     ["line 2, column 'class_size'", "(got 0)", "fix: correct class_size on line 2"]),
    ("name,enrolment,homerooms_per_grade\nA,450,3\n",
     ["line 2: gives both enrolment and homerooms_per_grade", "fix: give one of them"]),
])
def test_bad_cell_names_file_column_and_fix(tmp_path: Path, rows: str,
                                            expected: list[str]) -> None:
    msg = error(roster_scenario(tmp_path, rows))
    for text in expected:
        assert text in msg
