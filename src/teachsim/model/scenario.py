"""The scenario loader: a scenario file checked against the domain, ready to run.

The config layer checks a scenario as data. Here it meets the domain: its policies are
read, the district's schools are built (copied, generated or read from a roster), and the
scenario is refused if the calendar does not fit the year, a policy does not fit the
school's day, or some school's specials teachers cannot cover a policy. A scenario that
loads is one the model can run. The CLI, the experiment runner and the public API all load
scenarios through :func:`load_scenario` (or :func:`scenario_from_mapping` for data that
did not come straight from one file, such as an experiment arm's overrides).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from teachsim.config.errors import ConfigError
from teachsim.config.policy import Policy, load_policy, resolve_policy_path
from teachsim.config.scenario import Scenario, SchoolProfile, read_scenario, validate_scenario
from teachsim.model.calendar import build_calendar
from teachsim.model.district import build_schools
from teachsim.model.schedule import CompiledSchedule, check_fits, compile_schedule


class LoadedScenario:
    """A validated scenario with its policies, ready to compile and run."""

    def __init__(self, scenario: Scenario, policy: Policy, baseline: Policy, path: Path,
                 policy_path: Path, schools: list[SchoolProfile] | None = None) -> None:
        self.scenario = scenario
        self.policy = policy
        self.baseline = baseline
        self.path = path
        self.policy_path = policy_path
        #: every school of the district, one profile each
        self.schools = build_schools(scenario, path) if schools is None else schools

    def with_overrides(self, **run: Any) -> LoadedScenario:
        """A copy with run settings (years, seed) replaced."""
        new_run = self.scenario.run.model_copy(update={k: v for k, v in run.items()
                                                       if v is not None})
        scen = self.scenario.model_copy(update={"run": new_run})
        return LoadedScenario(scen, self.policy, self.baseline, self.path, self.policy_path,
                              self.schools)

    def replace(self, **tables: Any) -> LoadedScenario:
        """A copy with whole scenario tables replaced (``district=...``, ``school=...``);
        the district's schools are rebuilt."""
        scen = self.scenario.model_copy(update=tables)
        return LoadedScenario(scen, self.policy, self.baseline, self.path, self.policy_path)


def load_scenario(path: str | Path) -> LoadedScenario:
    """Read, merge (``extends``) and validate a scenario file and check it against the
    domain; raise ConfigError naming the file, key and fix if it is bad."""
    path = Path(path)
    scenario, origins = read_scenario(path)
    return _assemble(scenario, origins, path)


def scenario_from_mapping(data: dict[str, Any], origins: dict[str, Path], path: Path
                          ) -> LoadedScenario:
    """Like :func:`load_scenario`, for merged scenario data and the file that set each
    key."""
    return _assemble(validate_scenario(data, origins, path), origins, path)


def _assemble(scenario: Scenario, origins: dict[str, Path], path: Path) -> LoadedScenario:
    pol_file = origins.get("schedule.policy", path)
    schools = build_schools(scenario, origins.get("district.roster", path))
    policy_path = resolve_policy_path(scenario.schedule.policy, pol_file.parent,
                                      referrer=pol_file, key="schedule.policy")
    base_file = origins.get("schedule.baseline", path)
    baseline_path = resolve_policy_path(scenario.schedule.baseline, base_file.parent,
                                        referrer=base_file, key="schedule.baseline")
    policy = load_policy(policy_path)
    baseline = load_policy(baseline_path)
    loaded = LoadedScenario(scenario, policy, baseline, path, policy_path, schools)
    _check_calendar(scenario, origins, path)
    # Compiling checks that the policy fits this school's day and can be staffed.
    check_fits(scenario, policy, policy_path)
    check_fits(scenario, baseline, baseline_path)
    _check_staffing(loaded, origins)
    _check_district(loaded, origins)
    return loaded


def _check_district(loaded: LoadedScenario, origins: dict[str, Path]) -> None:
    """Refuse settings that contradict some school of the district: more leaders per
    grade than homerooms, support cuts beyond the staff a school has, more pilots than
    schools."""
    scen = loaded.scenario
    st = scen.staffing
    where = "" if len(loaded.schools) == 1 else " at "
    for school in loaded.schools:
        at = f"{where}'{school.name}'" if where else ""
        if st.leaders_per_grade > school.homerooms_per_grade:
            raise ConfigError(origins.get("staffing.leaders_per_grade", loaded.path),
                              "staffing.leaders_per_grade",
                              f"is {st.leaders_per_grade}, more than the "
                              f"{school.homerooms_per_grade} homerooms per grade{at}",
                              "give each grade at most one leader per homeroom teacher")
        for key, have, what in (("clerk_fte_change", school.clerks, "clerk"),
                                ("para_fte_change", school.paraprofessionals,
                                 "paraprofessional")):
            change = getattr(st, key)
            if have + change < -1e-9:
                raise ConfigError(origins.get(f"staffing.{key}", loaded.path),
                                  f"staffing.{key}", f"cuts {-change:g} {what} FTE but "
                                  f"the school has {have:g}{at}",
                                  f"cut at most {have:g} FTE, or give the school more "
                                  f"{what}s")
    r = scen.rollout
    n = len(loaded.schools)
    if r.strategy == "pilot_then_scale" and r.pilots > n:
        raise ConfigError(origins.get("rollout.pilots", loaded.path), "rollout.pilots",
                          f"is {r.pilots}, more than the district's {n} school(s)",
                          "pilot in fewer schools, or use strategy = \"all_at_once\"")


def _check_calendar(scenario: Scenario, origins: dict[str, Path], path: Path) -> None:
    try:
        build_calendar(scenario.calendar)
    except ValueError as exc:
        file = origins.get("calendar", path)
        raise ConfigError(file, "calendar", str(exc),
                          "use fewer student or teacher-only days, or fewer break weeks") from None


def _check_staffing(loaded: LoadedScenario, origins: dict[str, Path]) -> None:
    """Refuse a district where some school cannot staff the policy or the baseline."""
    d = loaded.scenario.district
    key = "district.roster" if d.roster else (
        "district.generate" if d.generate else "school.specials_teachers")
    file = origins.get(key, loaded.path)
    fix = ("add specials teachers (school.specials_teachers), or choose a policy that "
           "releases fewer homerooms in the same slot") if key == "school.specials_teachers" \
        else "give that school more specials teachers"
    for pol in (loaded.policy, loaded.baseline):
        comp = compile_schedule(loaded.scenario, pol)
        for school in loaded.schools:
            problems = [c.problem for c in comp.coverage_for(school) if c.problem]
            if problems:
                raise ConfigError(file, key, f"policy '{pol.name}' cannot be staffed at "
                                  f"'{school.name}': {problems[0]}", fix)
            _check_duties(comp, school, pol.name, origins, loaded.path)


def _check_duties(comp: CompiledSchedule, school: SchoolProfile, policy: str,
                  origins: dict[str, Path], path: Path) -> None:
    """Refuse duties that could not be done: the minutes no paraprofessional or other
    staff cover fall on the teachers, and they have no more than the part of the contract
    day without students to do them in."""
    teachers = school.homerooms + school.specials_teachers
    per_teacher = comp.duty_minutes_uncovered(school) / max(teachers, 1)
    room = school.contract_day_minutes - school.student_day_minutes
    if per_teacher > room:
        raise ConfigError(origins.get("school.duty_minutes_per_day", path),
                          "school.duty_minutes_per_day",
                          f"leaves {per_teacher:.0f} minutes of duties a day for each "
                          f"teacher at '{school.name}' under policy '{policy}', more than "
                          f"the {room} minutes of the contract day without students",
                          "lower duty_minutes_per_day, or add paraprofessionals or other "
                          "staff who take duties")
