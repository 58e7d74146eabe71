"""A results directory can be trusted like a database: copied, moved or archived it reads
its own data; names with quotes are safe in SQL; a resume after any input changed is
refused; counts come from the data; failed runs and dead workers are visible to scripts."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from teachsim.cli import app
from teachsim.config.errors import ConfigError
from teachsim.experiments.api import run_experiment
from teachsim.experiments.design import load_experiment
from teachsim.experiments.results import open_results
from teachsim.experiments.runner import Engine, sweep
from tests import crashy
from tests.conftest import CONFIGS, fail_runs_with_seed


def experiment(tmp: Path, reps: int = 2, base: str | None = None, extra: str = "") -> Path:
    """Two arms, one named with a quote; one school year per run."""
    path = tmp / "exp.toml"
    path.write_text(f"""
name = "quoted"
base = "{base or CONFIGS / 'school_d.toml'}"
replications = {reps}
seed = 11
years = 1
chunk_size = 1
tables = ["school_year", "district_year", "run_summary"]
[[arm]]
name = "traditional"
[[arm]]
name = "o'brien \\"[1]\\""
set = {{ "schedule.policy" = "rotating_release", "staffing.leaders_per_grade" = 1 }}
{extra}""")
    return path


def plain_duckdb(db: Path, query: str) -> list[tuple]:  # type: ignore[type-arg]
    """What someone with DuckDB and nothing else reads from a results.duckdb."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def done(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished experiment in a directory whose name has a quote and brackets."""
    tmp = tmp_path_factory.mktemp("res")
    out = tmp / "it's [results]"
    run_experiment(experiment(tmp), out=out, serial=True)
    return out


def test_copied_moved_and_original_deleted_reads_own_data(done: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    count = "SELECT arm, count(*) FROM school_year GROUP BY arm ORDER BY arm"
    original = plain_duckdb(done / "results.duckdb", count)
    assert [a for a, _ in original] == ["o'brien \"[1]\"", "traditional"]
    copy = tmp_path / "copy"
    shutil.copytree(done, copy)
    # grow the copy's data (a fake extra chunk): the original must not see it, and the
    # copy's catalogue, rebuilt, must
    chunk = next((copy / "parts").glob("chunk-*"))
    shutil.copytree(chunk, chunk.with_name(chunk.name + "-dup"))
    from teachsim.experiments.store import ResultsStore

    ResultsStore(copy).build_catalogue()
    assert plain_duckdb(done / "results.duckdb", count) == original
    grown = plain_duckdb(copy / "results.duckdb", "SELECT count(*) FROM school_year")[0][0]
    assert grown > sum(n for _, n in original)
    # move the copy, delete its old place, read it from another working directory
    moved = tmp_path / "elsewhere" / "moved"
    moved.parent.mkdir()
    shutil.move(copy, moved)
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert plain_duckdb(moved / "results.duckdb", "SELECT count(*) FROM school_year"
                        )[0][0] == grown
    assert len(open_results("moved").table("school_year")) == grown
    # an archive of the original, unpacked elsewhere, after the original is gone
    archive = shutil.make_archive(str(tmp_path / "archive"), "gztar", done.parent,
                                  done.name)
    unpacked = tmp_path / "unpacked"
    shutil.unpack_archive(archive, unpacked, filter="data")
    backup = tmp_path / "backup"
    shutil.copytree(done, backup)
    shutil.rmtree(done)
    try:
        again = unpacked / done.name
        assert plain_duckdb(again / "results.duckdb", count) == original
        assert open_results(again).sql(count.replace("count(*)", "count(*) AS n")
                                       ).values.tolist() == [list(r) for r in original]
    finally:
        shutil.copytree(backup, done)  # the fixture is shared


def test_reading_writes_nothing(done: Path) -> None:
    """open_results only reads, so it works on read-only media."""
    before = tree(done)
    res = open_results(done)
    res.table("runs")
    res.sql("SELECT * FROM district_year")
    res.tables()
    res.replications()
    assert tree(done) == before


def test_arm_names_with_quotes_are_safe_in_every_query(done: Path, tmp_path: Path) -> None:
    from teachsim.analysis.stats import cost_per_school
    from teachsim.money.budget import budget_for_results

    arm = "o'brien \"[1]\""
    res = open_results(done)
    one = res.sql("SELECT count(*) AS n FROM school_year WHERE arm = ?", [arm])
    assert one["n"][0] > 0
    budgets = budget_for_results(done, arm)
    assert [b.arm for b in budgets] == [arm]
    assert set(cost_per_school(res)["run_id"]) == set(res.table("runs")["run_id"])
    r = CliRunner().invoke(app, ["budget", str(done), "--out", str(tmp_path / "b's.xlsx")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "b's.xlsx").stat().st_size > 0
    r = CliRunner().invoke(app, ["report", str(done), "--out", str(tmp_path / "r'x.html")])
    assert r.exit_code == 0, r.output
    html = (tmp_path / "r'x.html").read_text()
    assert "o&#x27;brien" in html
    r = CliRunner().invoke(app, ["budget", str(done), "--arm", "x' OR '1'='1"])
    assert r.exit_code == 2 and "no arm" in r.output


def test_resume_refused_when_base_scenario_or_policy_or_roster_changed(tmp_path: Path
                                                                       ) -> None:
    base = tmp_path / "base.toml"
    policy = tmp_path / "pol.toml"
    shutil.copy(CONFIGS / "policies" / "rotating_release.toml", policy)
    roster = tmp_path / "r.csv"
    roster.write_text("name,poverty_share\nA,0.4\nB,0.6\n")
    base.write_text(f'extends = "{CONFIGS / "school_d.toml"}"\n'
                    '[district]\nroster = "r.csv"\n')
    exp = tmp_path / "exp.toml"
    exp.write_text(f"""
name = "prov"
base = "base.toml"
replications = 1
years = 1
[[arm]]
name = "a"
set = {{ "schedule.policy" = "{policy}", "staffing.leaders_per_grade" = 1 }}
""")
    out = tmp_path / "res"
    run_experiment(exp, out=out, serial=True)
    assert run_experiment(exp, out=out, serial=True).report.skipped == 1  # type: ignore[union-attr]
    for path, old, new in ((roster, "A,0.4", "A,0.5"),
                           (base, "[district]", "[school]\nclass_size = 24\n[district]"),
                           (policy, "rotating", "rotating ")):
        text = path.read_text()
        path.write_text(text.replace(old, new, 1))
        with pytest.raises(ConfigError, match="resolved scenario of arm 'a' changed"):
            run_experiment(exp, out=out, serial=True)
        path.write_text(text)  # back as it was: resuming is allowed again
        assert run_experiment(exp, out=out, serial=True).report.skipped == 1  # type: ignore[union-attr]
    roster.write_text("name,poverty_share\nA,0.5\nB,0.6\n")
    r = CliRunner().invoke(app, ["sweep", str(exp), "--serial", "--out", str(out)])
    assert r.exit_code == 2 and "--new" in r.output
    res = run_experiment(exp, out=out, serial=True, new=True)
    assert res.report is not None and res.report.skipped == 0
    assert len(list(tmp_path.glob("res.old-*"))) == 1


def test_replication_counts_come_from_the_data(tmp_path: Path) -> None:
    exp = experiment(tmp_path, reps=3)
    out = tmp_path / "res"
    run_experiment(exp, out=out, serial=True, replications=2)
    m = json.loads((out / "manifest.json").read_text())
    assert m["replications"] == 2 and len(m["replication_seeds"]) == 2
    run_experiment(exp, out=out, serial=True, replications=1)  # asks for fewer
    m = json.loads((out / "manifest.json").read_text())
    assert m["replications"] == 2  # the data hold two
    assert m["sessions"][-1]["replications_asked"] == 1
    assert open_results(out).replications() == {"traditional": 2, "o'brien \"[1]\"": 2}
    from teachsim.analysis.report import build_report

    rep = build_report(out)
    assert "2 replications per arm" in rep.html.read_text()


def test_failed_runs_give_exit_code_three(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    import teachsim.model.run as simulate

    exp = experiment(tmp_path, reps=2)
    bad_seed = load_experiment(exp).replication_seeds(2)[1]
    real = fail_runs_with_seed(monkeypatch, bad_seed)
    out = tmp_path / "res"
    r = CliRunner().invoke(app, ["sweep", str(exp), "--serial", "--out", str(out)])
    assert r.exit_code == 3, r.output
    assert "2 run(s) failed" in r.output
    monkeypatch.setattr(simulate, "run_scenario", real)
    r = CliRunner().invoke(app, ["sweep", str(exp), "--serial", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert json.loads((out / "manifest.json").read_text())["runs_failed"] == 0


def test_a_worker_that_dies_is_retried_then_its_run_failed(tmp_path: Path) -> None:
    """A run that kills its worker process (as the OOM killer would) is retried alone,
    then recorded as failed; every other run, including those in flight when the pool
    broke, finishes."""
    exp = load_experiment(experiment(tmp_path, reps=4))
    report = sweep(exp, tmp_path / "res", Engine("processes", 2), task=crashy.run_chunk)
    assert report.total == 8 and report.failed == 2  # one replication of both arms
    runs = open_results(tmp_path / "res").table("runs")
    failed = runs[runs["status"] == "failed"]
    assert sorted(failed["replication"]) == [crashy.CRASH_REPLICATION] * 2
    assert all("died twice" in e for e in failed["error"])
    assert (runs["status"] == "ok").sum() == 6


def test_corrupt_manifest_is_refused_then_replaced_with_new(tmp_path: Path) -> None:
    exp = experiment(tmp_path, reps=1)
    out = tmp_path / "res"
    run_experiment(exp, out=out, serial=True)
    (out / "manifest.json").write_text("{ truncated")
    with pytest.raises(ConfigError, match=r"manifest\.json"):
        open_results(out)
    with pytest.raises(ConfigError, match="not valid JSON"):
        run_experiment(exp, out=out, serial=True)
    res = run_experiment(exp, out=out, serial=True, new=True)
    assert res.report is not None and res.report.done == 2
    assert len(list(tmp_path.glob("res.old-*"))) == 1


def test_default_results_directory_stays_under_results(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    monkeypatch.chdir(tmp_path)
    exp = experiment(tmp_path, reps=1).read_text().replace('name = "quoted"',
                                                            'name = "../../escape"')
    (tmp_path / "e.toml").write_text(exp)
    res = run_experiment(tmp_path / "e.toml", serial=True)
    assert res.path == Path("results") / "escape"
    assert (tmp_path / "results" / "escape" / "manifest.json").exists()


@pytest.mark.parametrize("damage", ["truncated_table", "junk_runs", "arms_a_list"])
def test_damaged_results_are_named_not_a_traceback(damage: str, done: Path, tmp_path: Path
                                                   ) -> None:
    res = tmp_path / "res"
    shutil.copytree(done, res)
    chunk = sorted((res / "parts").glob("chunk-*"))[0]
    if damage == "truncated_table":
        table = chunk / "school_year.parquet"
        table.write_bytes(table.read_bytes()[:100])
    elif damage == "junk_runs":
        (chunk / "runs.parquet").write_text("junk")
    else:
        m = json.loads((res / "manifest.json").read_text())
        m["arms"] = [1, 2]
        (res / "manifest.json").write_text(json.dumps(m))
    for command in (["report", str(res)], ["budget", str(res)],
                    ["sweep", str(tmp_path / "exp.toml"), "--serial", "--out", str(res)]):
        if command[0] == "sweep":
            shutil.copy(res / "experiment.toml", tmp_path / "exp.toml")
        r = CliRunner().invoke(app, command)
        assert r.exit_code == 2 and isinstance(r.exception, SystemExit), r.output
        assert ("damaged" in r.output and chunk.name in r.output) or \
            "wrong structure" in r.output, r.output
