"""``teachsim budget``: what a policy costs, year by year, and the grant it needs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from teachsim.cli.app import err, fail, load, out
from teachsim.config.limits import MAX_SEED, MAX_YEARS


def budget(
    target: Annotated[Path, typer.Argument(help="scenario TOML file, or an experiment's "
                                           "results directory", show_default=False)],
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="write the budget: .xlsx (grant budget with formulas, neutrality, "
        "assumptions, notes; prints landscape) or .csv (one file per sheet)")] = None,
    arm: Annotated[str | None, typer.Option(help="results directory: only this arm")] = None,
    seed: Annotated[int | None, typer.Option(help="scenario: root seed", min=0,
                                             max=MAX_SEED)] = None,
    years: Annotated[int | None, typer.Option(help="scenario: school years", min=1,
                                              max=MAX_YEARS)] = None,
) -> None:
    """What a policy costs each school and the district, year by year, and what a
    start-up grant must cover."""
    from teachsim.config.errors import ConfigError

    if out_file is not None and out_file.suffix not in (".xlsx", ".csv"):
        fail(ConfigError(out_file, None, "is neither .xlsx nor .csv",
                          "name the output file budget.xlsx or budget.csv"))
    if out_file is not None:
        from teachsim.experiments.atomic import check_file_target

        check_file_target(out_file)  # before the runs, not after them
    from teachsim.cli.display import budget_tables
    from teachsim.money.budget import budget_for_results, budget_for_scenario

    try:
        if target.is_dir():
            budgets = budget_for_results(target, arm)
        elif arm is not None:
            raise ConfigError(target, "--arm", "applies to an experiment's results "
                              "directory, not to a scenario file",
                              "leave out --arm, or give a results directory")
        else:
            loaded = load(target)
            with err.status("running the scenario"):
                budgets = [budget_for_scenario(loaded, seed=seed, years=years)]
    except ConfigError as exc:
        fail(exc)
    written: list[Path] = []
    if out_file is not None:  # written before anything is printed, so a refusal is short
        from teachsim.money.spreadsheet import write_csv, write_xlsx

        if out_file.suffix == ".xlsx":
            written = [write_xlsx(budgets, out_file)]
        else:
            written = write_csv(budgets, out_file)
    for b in budgets:
        out.print(budget_tables(b))
    if written:
        out.print("wrote " + ", ".join(str(p) for p in written), highlight=False)
