"""The schedule designer page: its tables say what ``teachsim schedule`` says, a bad
policy gets ``teachsim validate``'s message, and only a policy that checks out is saved.
The browser tests drive the page in the running dashboard."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from teachsim.analysis import schedule_tables as st
from teachsim.cli import app
from teachsim.config.policy import load_policy
from teachsim.dashboard import schedule as sd
from teachsim.model.schedule import compile_schedule
from tests.browser import open_page, shot
from tests.conftest import CONFIGS

runner = CliRunner()
POLICIES = CONFIGS / "policies"
SCHOOL_D = CONFIGS / "school_d.toml"
ROTATING = CONFIGS / "school_d_rotating.toml"
TRADITIONAL = (POLICIES / "traditional.toml").read_text(encoding="utf-8")
RELEASE = (POLICIES / "rotating_release.toml").read_text(encoding="utf-8")

#: 20 more minutes of teaching than the 460-minute contract day holds
TOO_LONG = TRADITIONAL.replace("teaching = 280", "teaching = 300", 1)
#: a key policies do not have
UNKNOWN_KEY = TRADITIONAL.replace("cycle_days = 5", "cycle_days = 5\nperiods = 7", 1)
#: a value missing: TOML syntax
SYNTAX = TRADITIONAL.replace("cycle_days = 5", "cycle_days =", 1)
#: the first and second grades released in the same morning slot: six homerooms at once
#: for three specials teachers
UNSTAFFED = RELEASE.replace('grades = ["1"]\nhomeroom_day = "release"\nslot = "afternoon"',
                            'grades = ["1"]\nhomeroom_day = "release"\nslot = "morning"', 1)


def validate_message(tmp_path: Path, text: str, name: str, scenario: Path) -> str:
    """What ``teachsim validate`` prints for a scenario extending ``scenario`` whose
    policy is ``text`` saved as ``<name>.toml`` beside it (run in that directory)."""
    (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    (tmp_path / "mine.toml").write_text(f'extends = "{scenario}"\n\n[schedule]\n'
                                        f'policy = "{name}.toml"\n', encoding="utf-8")
    result = runner.invoke(app, ["validate", "mine.toml"], env={"COLUMNS": "400"})
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    return result.stderr.removeprefix("error: ").rstrip("\n")


# --- checking -----------------------------------------------------------------------------
@pytest.mark.parametrize("text, scenario, name, words", [
    (TOO_LONG, SCHOOL_D, "traditional", "480 minutes, more than the 460-minute contract day"),
    (UNKNOWN_KEY, SCHOOL_D, "traditional", "key 'periods': unknown key"),
    (SYNTAX, SCHOOL_D, "traditional", "is not valid TOML"),
    (UNSTAFFED, ROTATING, "rotating_release", "cannot be staffed"),
], ids=["too-long", "unknown-key", "syntax", "unstaffed"])
def test_a_bad_policy_gets_validates_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             text: str, scenario: Path, name: str,
                                             words: str) -> None:
    monkeypatch.chdir(tmp_path)
    expected = validate_message(tmp_path, text, name, scenario)
    check = sd.check_policy(text, scenario, sd.policy_name(text, name))
    assert not check.ok and check.loaded is None
    assert check.error == expected
    assert words in check.error
    # the message names the file as it will be saved, not the scratch directory
    assert "teachsim-designer" not in check.error
    if text is not UNSTAFFED:
        assert check.error.startswith(f"{name}.toml: ")


def test_a_toml_syntax_error_names_the_line_and_column() -> None:
    check = sd.check_policy(SYNTAX, SCHOOL_D, sd.policy_name(SYNTAX, "traditional"))
    line = SYNTAX.splitlines().index("cycle_days =") + 1
    assert check.policy is None
    assert check.error is not None
    assert check.error.startswith("traditional.toml: is not valid TOML (")
    assert f"line {line}, column 13" in check.error
    assert "fix: correct the syntax at the line and column given" in check.error


def test_a_policy_that_does_not_fit_still_shows_its_templates() -> None:
    check = sd.check_policy(TOO_LONG, SCHOOL_D, "traditional")
    assert check.policy is not None
    df = st.policy_day_templates(check.policy)
    total = df.set_index("activity").loc["total"]
    assert total["homeroom planning"] == 480
    assert total["homeroom team"] == 460
    assert total["specials standard"] == 460


def test_choices_include_saved_and_scenario_policies(tmp_path: Path) -> None:
    choices = sd.policy_choices(tmp_path)
    assert choices["traditional"] == POLICIES / "traditional.toml"
    assert sd.label_of(POLICIES / "coaching.toml", choices) == "coaching"
    own = tmp_path / "elsewhere" / "odd.toml"
    assert sd.label_of(own, choices) == str(own)
    assert choices[str(own)] == own


def test_the_name_comes_from_the_text() -> None:
    assert sd.policy_name(TRADITIONAL, "x") == "traditional"
    assert sd.policy_name(TRADITIONAL.replace('name = "traditional"',
                                              'name = "my week!"'), "x") == "my_week"
    assert sd.policy_name(SYNTAX, "fallback") == "fallback"
    assert sd.policy_name("", "fallback") == "fallback"
    assert sd.default_save_path("my_week") == "policies/my_week.toml"


def test_a_district_is_checked_at_every_school() -> None:
    check = sd.check_policy(RELEASE, CONFIGS / "district_60.toml", "rotating_release")
    assert check.ok, check.error
    assert "can be staffed at all 60 schools" in sd.success_text(check)


# --- the compiled week ----------------------------------------------------------------------
def cli_tables(config: Path) -> list[list[list[str]]]:
    """The body rows of every table ``teachsim schedule`` prints, cell by cell (a cell
    written over two lines joined with a space)."""
    result = runner.invoke(app, ["schedule", str(config)], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    tables: list[list[list[str]]] = []
    body = False
    for line in result.output.splitlines():
        if line.startswith("┡"):
            body = True
            tables.append([])
        elif line.startswith("└"):
            body = False
        elif body and line.startswith("│"):
            cells = [c.strip() for c in line.strip("│").split("│")]
            if cells[0] == "" and tables[-1]:  # the second line of a row
                tables[-1][-1] = [f"{a} {b}".strip() for a, b in zip(tables[-1][-1], cells,
                                                                      strict=True)]
            else:
                tables[-1].append(cells)
    return tables


def test_the_tables_say_what_teachsim_schedule_says() -> None:
    check = sd.check_policy(RELEASE, ROTATING, "rotating_release")
    assert check.ok, check.error
    assert check.loaded is not None
    mine = sd.compiled_tables(check.loaded)
    theirs = cli_tables(ROTATING)
    assert len(mine) == len(theirs) == 6
    for (title, df), rows in zip(mine, theirs, strict=True):
        shown = sd.display_frame(df).astype(str).values.tolist()
        assert shown == rows, title


def test_minutes_by_role_of_rotating_release() -> None:
    check = sd.check_policy(RELEASE, ROTATING, "rotating_release")
    assert check.loaded is not None
    df = st.minutes_by_role(compile_schedule(check.loaded.scenario,
                                             check.loaded.policy)).set_index("activity")
    # a 150-minute block every third day: 250 minutes in a five-day week, 60 blocks a year
    assert df.loc["collaboration", "homeroom teacher per week"] == pytest.approx(250)
    assert df.loc["collaboration", "homeroom teacher per year"] == pytest.approx(9000)
    assert df.loc["collaboration", "specials teacher per week"] == 0
    assert df.loc["leadership", "teacher leader per week"] == pytest.approx(75)
    assert df.loc["in contract", "homeroom teacher per week"] == pytest.approx(2300)
    # leaders' weekly hour of planning beyond the day, over the 36 school weeks
    assert df.loc["beyond contract", "teacher leader per year"] == pytest.approx(2220)
    assert df.loc["hours", "specials teacher per year"] == pytest.approx(87400 / 60)


def test_students_minutes_against_the_baseline() -> None:
    check = sd.check_policy(RELEASE, ROTATING, "rotating_release")
    assert check.loaded is not None
    sc = check.loaded.scenario
    df = st.student_minutes(compile_schedule(sc, check.loaded.policy),
                            compile_schedule(sc, check.loaded.baseline))
    assert list(df.columns) == ["grade", "rotating_release", "baseline: traditional",
                                "difference", "difference (%)"]
    assert df["grade"].tolist() == ["K", "1", "2", "3", "4", "5"]
    assert (df["rotating_release"] == 59_700).all()
    assert (df["baseline: traditional"] == 59_400).all()
    assert (df["difference"] == 300).all()
    assert df["difference (%)"].iloc[0] == pytest.approx(100 * 300 / 59_400)
    coverage = st.specials_coverage(compile_schedule(sc, check.loaded.policy))
    assert coverage["verdict"].tolist() == ["OK", "OK", "OK"]
    assert coverage["most homerooms at once"].tolist() == ["3 (morning)"] * 3


# --- quick edits ---------------------------------------------------------------------------
def test_setting_minutes_rewrites_one_line() -> None:
    text = sd.set_minutes(TRADITIONAL, "homeroom planning", "teaching", 300)
    assert text == TOO_LONG
    # a key the table lacks is added under its header; comments stay
    added = sd.set_minutes(RELEASE, "specials extended", "duties", 10)
    assert "[roles.specials.days.extended]\nduties = 10\nteaching = 300" in added
    assert added.count("#") == RELEASE.count("#")
    assert load_policy_text(added).roles.specials.days["extended"].duties == 10
    with pytest.raises(ValueError, match=r"no \[roles.homeroom.days.nope\] table"):
        sd.set_minutes(TRADITIONAL, "homeroom nope", "teaching", 1)
    check = sd.check_policy(TRADITIONAL, SCHOOL_D, "traditional")
    assert check.policy is not None
    assert sd.day_types(check.policy) == ["homeroom planning", "homeroom team",
                                          "specials standard"]
    assert sd.current_minutes(check.policy, "homeroom team", "collaboration") == 45
    assert sd.current_minutes(check.policy, "specials standard", "leadership") == 0


def load_policy_text(text: str) -> Any:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "p.toml"
        p.write_text(text, encoding="utf-8")
        return load_policy(p)


# --- saving -------------------------------------------------------------------------------
def test_save_writes_a_policy_that_reads_back_equal(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = RELEASE.replace('name = "rotating_release"', 'name = "my_release"')
    saved = sd.save_policy(text, ROTATING, sd.default_save_path("my_release"), "x")
    assert saved.ok, saved.message
    assert saved.message == "saved to policies/my_release.toml"
    path = tmp_path / "policies" / "my_release.toml"
    assert path.read_text(encoding="utf-8") == text
    check = sd.check_policy(text, ROTATING, "my_release")
    assert load_policy(path) == check.policy
    # and a scenario naming the saved file validates
    (tmp_path / "mine.toml").write_text(f'extends = "{ROTATING}"\n[schedule]\n'
                                        'policy = "policies/my_release.toml"\n')
    result = runner.invoke(app, ["validate", "mine.toml"])
    assert result.exit_code == 0, result.output
    # saved policies are offered to start from
    assert sd.policy_choices(tmp_path)["policies/my_release.toml"] == path


def test_save_refuses_a_policy_that_does_not_check_out(tmp_path: Path) -> None:
    target = tmp_path / "policies" / "traditional.toml"
    saved = sd.save_policy(TOO_LONG, SCHOOL_D, str(target), "traditional")
    assert not saved.ok
    assert saved.message.startswith("not saved: the policy does not pass the checks\n")
    assert saved.message.endswith(sd.check_policy(TOO_LONG, SCHOOL_D, "traditional").error
                                  or "?")
    assert not target.parent.exists()


def test_save_refuses_bad_targets(tmp_path: Path) -> None:
    (tmp_path / "adir.toml").mkdir()
    saved = sd.save_policy(TRADITIONAL, SCHOOL_D, str(tmp_path / "adir.toml"), "t")
    assert not saved.ok and "is a directory, where a file is wanted" in saved.message
    saved = sd.save_policy(TRADITIONAL, SCHOOL_D, str(tmp_path / "week.txt"), "t")
    assert not saved.ok and "does not end in .toml" in saved.message
    assert not (tmp_path / "week.txt").exists()
    saved = sd.save_policy(TRADITIONAL, SCHOOL_D, "  ", "t")
    assert not saved.ok and "policies/traditional.toml" in saved.message


# --- in the browser -------------------------------------------------------------------------
def cell(page: object, test_id: str, row: str, column: int) -> str:
    """The text of ``column`` (0: the row label) in the row labelled ``row``."""
    tr = page.locator(f'[data-testid="{test_id}"] tbody tr').filter(  # type: ignore[attr-defined]
        has=page.locator("td:first-child", has_text=re.compile(f"^{row}$")))  # type: ignore[attr-defined]
    return str(tr.first.locator("td").nth(column).inner_text())


def test_page_checks_edits_and_saves(dashboard: object, page: object) -> None:
    url = dashboard.url  # type: ignore[attr-defined]
    cwd: Path = dashboard.cwd  # type: ignore[attr-defined]
    open_page(page, url + "schedule", "Schedule designer")
    page.locator('[data-testid="minutes-by-role"]').wait_for()  # type: ignore[attr-defined]
    # school_d on its own traditional week: one 45-minute team block a week
    assert cell(page, "minutes-by-role", "collaboration", 1) == "45"
    assert cell(page, "minutes-by-role", "teaching", 1) == "1,400"
    assert cell(page, "student-minutes", "K", 3) == "+0 (+0.00%)"
    assert page.locator(".ts-ok").inner_text().startswith(  # type: ignore[attr-defined]
        "ok traditional.toml: fits the school day and can be staffed")
    shot(page, "schedule_valid")

    editor = page.locator(".ts-policy-editor textarea").first  # type: ignore[attr-defined]
    assert editor.input_value() == TRADITIONAL
    editor.fill(TOO_LONG)
    page.get_by_role("button", name="Check").click()  # type: ignore[attr-defined]
    error = page.locator(".ts-error").first  # type: ignore[attr-defined]
    error.wait_for()
    expected = sd.check_policy(TOO_LONG, SCHOOL_D, "traditional").error or "?"
    assert " ".join(error.inner_text().split()) == " ".join(expected.split())
    assert cell(page, "policy-templates", "total", 1) == "480"
    assert page.locator('[data-testid="minutes-by-role"]').count() == 0  # type: ignore[attr-defined]
    shot(page, "schedule_error")

    page.get_by_role("button", name="Save").click()  # type: ignore[attr-defined]
    page.get_by_text("not saved: the policy does not pass the checks").wait_for()  # type: ignore[attr-defined]
    assert not (cwd / "policies" / "traditional.toml").exists()

    # the quick edit puts the teaching minutes back (its first day type and activity)
    quick = page.locator(".ts-quick-edit")  # type: ignore[attr-defined]
    assert quick.get_by_label("minutes").input_value() == "300"
    quick.get_by_label("minutes").fill("280")
    quick.get_by_role("button", name="Set").click()
    page.locator(".ts-ok").wait_for()  # type: ignore[attr-defined]
    assert editor.input_value() == TRADITIONAL

    good = (TRADITIONAL.replace('name = "traditional"', 'name = "designed_week"')
            .replace("teaching = 280", "teaching = 270", 1).replace("other = 60", "other = 70", 1))
    editor.fill(good)
    page.get_by_role("button", name="Check").click()  # type: ignore[attr-defined]
    page.get_by_text("ok designed_week.toml: fits").wait_for()  # type: ignore[attr-defined]
    # ten minutes less teaching four days a week: 40 fewer minutes a week, 10 fewer on
    # each of the year's 143 Monday-to-Thursday student days
    assert cell(page, "minutes-by-role", "teaching", 1) == "1,360"
    assert cell(page, "student-minutes", "K", 3) == "-1,430 (-2.41%)"
    page.get_by_role("button", name="Save").click()  # type: ignore[attr-defined]
    page.locator(".ts-saved").wait_for()  # type: ignore[attr-defined]
    assert page.locator(".ts-saved").inner_text() == (  # type: ignore[attr-defined]
        "saved to policies/designed_week.toml")
    saved = cwd / "policies" / "designed_week.toml"
    assert saved.exists()
    assert load_policy(saved).roles.homeroom.days["planning"].teaching == 270
    shot(page, "schedule_saved")
