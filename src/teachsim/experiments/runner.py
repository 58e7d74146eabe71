"""Running an experiment's runs on an executor: in-process, local processes (default) or a
Dask cluster, all through the ``concurrent.futures`` interface.

Runs are grouped into chunks; each chunk is one task that runs its runs (replications of
a scenario side by side, model/run.py ``run_batch``) and returns their tables as Arrow
tables. The parent process writes each finished chunk to the
results directory (store.py), so workers need no shared file system. A run that raises
is recorded as failed, with its error, and the sweep goes on. Identical results whatever
the engine: a run depends only on its spec.
"""

from __future__ import annotations

import math
import os
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, Executor, Future, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from teachsim.config.errors import ConfigError
from teachsim.experiments import forkserver
from teachsim.experiments.design import Experiment, RunSpec, split_run_id
from teachsim.experiments.provenance import scenario_sha256, versions
from teachsim.experiments.store import ResultsStore, replication_counts
from teachsim.experiments.tables import to_arrow
from teachsim.model.records import Table

# --- one run ---------------------------------------------------------------------------
#: at most this many schools (replications x the district's schools) run side by side in
#: one model: enough to spread the yearly work, small enough to keep memory flat
BATCH_SCHOOLS = 240
#: the largest chunk chosen by default: a chunk's replications of a scenario run as a
#: batch, and batches of about 50 small runs cost a third of a run each alone
CHUNK_MAX = 50


def _keyed(spec: RunSpec, result: Any) -> dict[str, Table]:
    tables = {}
    for name in spec.tables:
        t = result.tables[name]
        n = len(next(iter(t.values())))
        tables[name] = {"run_id": np.full(n, spec.run_id, dtype=np.int64),
                        "arm": np.full(n, spec.arm, dtype=object),
                        "point": np.full(n, spec.point, dtype=np.int64),
                        "replication": np.full(n, spec.replication, dtype=np.int64),
                        **{k: v for k, v in t.items() if k != "seed"}}
    return tables


def _record(spec: RunSpec) -> dict[str, Any]:
    return {"run_id": spec.run_id, "arm": spec.arm, "point": spec.point,
            "replication": spec.replication, "seed": spec.seed, "draw": spec.draw,
            "ensemble_row": spec.ensemble_row}


def run_one(spec: RunSpec) -> tuple[dict[str, Any], dict[str, Table]]:
    """Run one spec; never raises: a failure comes back as a record with its error."""
    from teachsim.model.run import run_scenario

    started = time.perf_counter()
    record = _record(spec)
    try:
        tables = _keyed(spec, run_scenario(spec.loaded, seed=spec.seed, years=spec.years))
        record.update(status="ok", error="")
    except Exception as exc:  # a failed run is data, not a crash of the sweep
        tables = {}
        tb = traceback.format_exc(limit=5)
        record.update(status="failed", error=f"{type(exc).__name__}: {exc}\n{tb}")
    record["seconds"] = time.perf_counter() - started
    record["finished_at"] = time.time()
    return record, tables


def run_batch(specs: list[RunSpec]) -> list[tuple[dict[str, Any], dict[str, Table]]]:
    """Run specs of one scenario (replications with different seeds) side by side in one
    model (model/run.py ``run_batch``): each run's tables are those it has alone. If the
    batch fails, its runs are run one by one, so that only a failing run is recorded as
    failed. Each run's ``seconds`` is its share of the batch's time."""
    from teachsim.model.run import run_batch as model_batch

    if len(specs) == 1:
        return [run_one(specs[0])]
    started = time.perf_counter()
    try:
        results = model_batch(specs[0].loaded, [s.seed for s in specs], years=specs[0].years)
        outcomes = [(_record(s) | {"status": "ok", "error": ""}, _keyed(s, r))
                    for s, r in zip(specs, results, strict=True)]
    except Exception:
        return [run_one(s) for s in specs]
    share = (time.perf_counter() - started) / len(specs)
    now = time.time()
    for record, _ in outcomes:
        record.update(seconds=share, finished_at=now)
    return outcomes


#: a run's record and tables, for each run of a chunk
Outcomes = list[tuple[dict[str, Any], dict[str, Table]]]


@dataclass
class Packed:
    """A chunk's results as a worker returns them: each run's record, and each table of
    all its runs as one Arrow table. Converting in the worker keeps the work off the
    parent's core, and Arrow's buffers pickle far faster than numpy string columns."""

    records: list[dict[str, Any]]
    tables: dict[str, pa.Table]

    @classmethod
    def of(cls, outcomes: Outcomes) -> Packed:
        tables = {}
        for name in sorted({n for _, t in outcomes for n in t}):
            parts = [t[name] for _, t in outcomes if name in t]
            tables[name] = to_arrow({c: np.concatenate([p[c] for p in parts])
                                     for c in parts[0]})
        return cls([r for r, _ in outcomes], tables)

    @classmethod
    def join(cls, parts: list[Packed]) -> Packed:
        names = sorted({n for p in parts for n in p.tables})
        return cls([r for p in parts for r in p.records],
                   {n: pa.concat_tables([p.tables[n] for p in parts if n in p.tables])
                    for n in names})


def run_chunk(specs: list[RunSpec]) -> Packed:
    """Run a chunk's specs: consecutive replications of the same scenario in batches."""
    out: Outcomes = []
    batch: list[RunSpec] = []
    for spec in specs:
        if batch and (spec.loaded is not batch[0].loaded or spec.years != batch[0].years
                      or (len(batch) + 1) * len(spec.loaded.schools) > BATCH_SCHOOLS):
            out += run_batch(batch)
            batch = []
        batch.append(spec)
    if batch:
        out += run_batch(batch)
    return Packed.of(out)


#: what a worker runs: a chunk of specs in, its results out
Task = Callable[[list[RunSpec]], Packed]
#: how long to wait for a Dask scheduler to answer
DASK_CONNECT_TIMEOUT = "5s"


# --- engines ---------------------------------------------------------------------------
class InProcessExecutor(Executor):
    """Runs each task when submitted, in this process (for debugging and small runs)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        f: Future[Any] = Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            f.set_exception(exc)
        return f


@dataclass(frozen=True)
class Engine:
    kind: str  # "serial", "processes", "dask", "dask-local"
    workers: int
    address: str | None = None

    @property
    def label(self) -> str:
        if self.kind == "dask":
            return f"dask cluster at {self.address}"
        if self.kind == "serial":
            return "in-process"
        return f"{self.kind}, {self.workers} worker(s)"


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def start_early(engine: Engine) -> None:
    """Start the fork server now, so that it loads the model while this process prepares
    the sweep (forkserver.py)."""
    if engine.kind == "processes":
        forkserver.start()


@contextmanager
def executor(engine: Engine) -> Iterator[Executor]:
    if engine.kind == "serial":
        yield InProcessExecutor()
    elif engine.kind == "processes":
        ctx = forkserver.context()
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=engine.workers, mp_context=ctx)
        try:
            yield pool
        finally:
            # The workers exit while the sweep writes its catalogue; the interpreter
            # waits for them at exit.
            pool.shutdown(wait=False, cancel_futures=True)
    elif engine.kind in ("dask", "dask-local"):
        import dask
        from distributed import Client, LocalCluster

        cluster = None
        if engine.kind == "dask-local":
            # Dask's statistical profiler samples every worker thread 100 times a second;
            # on these GIL-bound runs it costs about 40% (measured). Workers inherit this.
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                cluster = LocalCluster(n_workers=engine.workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(engine.address, timeout=DASK_CONNECT_TIMEOUT)
        try:
            yield client.get_executor(pure=False)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    else:
        raise ValueError(f"unknown engine {engine.kind!r}")


# --- the sweep -------------------------------------------------------------------------
@dataclass
class SweepReport:
    results: Path
    total: int
    skipped: int
    done: int
    failed: int
    seconds: float


def _chunks(specs: list[RunSpec], size: int) -> list[list[RunSpec]]:
    return [specs[i:i + size] for i in range(0, len(specs), size)]


def _chunk_tables(packed: Packed, points: list[dict[str, float]],
                  experiment: Experiment | None = None) -> dict[str, pa.Table]:
    records = packed.records
    params = sorted({k for p in points for k in p})
    runs: Table = {k: np.array([r[k] for r in records], dtype=object if k in (
        "arm", "status", "error") else None) for k in records[0]}
    for name in params:
        runs[name] = np.array([points[r["point"]].get(name, np.nan) for r in records],
                              dtype=float)
    out = {"runs": to_arrow(runs), **packed.tables}
    sets = sorted({(r["draw"], r["ensemble_row"]) for r in records if r["draw"] >= 0})
    if experiment is not None and experiment.ensemble is not None and sets:
        # The parameter sets this chunk's runs used, with the values they took (chunks
        # repeat them; readers keep one row per set: store.select).
        rows = [row for _, row in sets]
        draws: Table = {"draw": np.array([d for d, _ in sets], dtype=np.int64),
                        "ensemble_row": np.array(rows, dtype=np.int64),
                        "weight": experiment.ensemble.weights[rows].astype(float)}
        values = [experiment.drawn_values(d) for d, _ in sets]
        for key in experiment.drawn_keys:
            draws[key] = np.array([v[key] for v in values], dtype=float)
        out["draws"] = to_arrow(draws)
    return out


def _failed(spec: RunSpec, error: str) -> Packed:
    return Packed([_record(spec) | {"status": "failed", "error": error, "seconds": 0.0,
                                    "finished_at": time.time()}], {})


def _isolated(engine: Engine, task: Task, chunk: list[RunSpec]) -> Packed:
    """Retry a chunk whose worker process died, alone in a fresh pool; if it dies again,
    run its runs one by one, each in a fresh pool, so that only the run that kills its
    worker is recorded as failed."""
    alone = Engine(engine.kind, 1, engine.address)
    try:
        with executor(alone) as pool:
            return pool.submit(task, chunk).result()
    except BrokenExecutor:
        pass
    out = []
    for spec in chunk:
        try:
            with executor(alone) as pool:
                out.append(pool.submit(task, [spec]).result())
        except BrokenExecutor as exc:
            out.append(_failed(spec, "the worker process died twice running this run "
                               f"(killed, out of memory or crashed): {exc}"))
    return Packed.join(out)


def check_engine(engine: Engine) -> None:
    """Fail fast, with a ConfigError, when a Dask scheduler cannot be reached."""
    if engine.kind != "dask":
        return
    from distributed import Client

    try:
        client = Client(engine.address, timeout=DASK_CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise ConfigError(engine.address, "--dask", "no Dask scheduler answered there "
                          f"within {DASK_CONNECT_TIMEOUT} ({type(exc).__name__}: "
                          f"{str(exc)[:200]})", "start the scheduler and its workers "
                          "(dask scheduler; dask worker ADDRESS), check the address "
                          "(tcp://host:8786), or run without --dask") from None
    client.close()


def sweep(
    experiment: Experiment,
    out: Path,
    engine: Engine,
    replications: int | None = None,
    new: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
    task: Task = run_chunk,
) -> SweepReport:
    """Run every run of ``experiment`` not yet in ``out``; write chunks as they finish.

    ``progress(done, failed, total)`` is called after each chunk. ``task`` runs a chunk
    in a worker (a different one only in tests).
    """
    check_engine(engine)
    start_early(engine)
    store = ResultsStore(out)
    arm_names = [a.name for a in experiment.spec.arm]
    arm_sha = {a: scenario_sha256(experiment.arms[a]) for a in arm_names}
    previous = store.open(experiment.sha256, experiment.text, new, arm_sha,
                          experiment.uncertainty_id)
    specs = experiment.run_specs(replications)
    finished = store.finished_runs()
    # Runs that failed before are tried again; only successful runs are skipped.
    todo = [s for s in specs if finished.get(s.run_id) != "ok"]
    n_rep = replications or experiment.spec.replications
    started_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    manifest = {
        "experiment": experiment.spec.name,
        "experiment_file": str(experiment.path),
        "experiment_sha256": experiment.sha256,
        "base_scenario": str(experiment.base_path),
        "arm_sha256": arm_sha,
        "root_seed": experiment.spec.seed,
        "arms": {a.name: {"set": a.set,
                          "scenario": experiment.arms[a.name].scenario.model_dump(mode="json"),
                          "policy": experiment.arms[a.name].policy.name,
                          "baseline": experiment.arms[a.name].baseline.name}
                 for a in experiment.spec.arm},
        "design": {"method": experiment.spec.sweep.method if experiment.spec.sweep else None,
                   "parameters": [p.model_dump() for p in experiment.spec.sweep.parameter]
                   if experiment.spec.sweep else [],
                   "levels": experiment.spec.sweep.levels if experiment.spec.sweep else None,
                   "points": experiment.points},
        "tables": experiment.spec.tables,
        "uncertainty": _uncertainty(experiment),
        "versions": versions(),
        "created_at": previous.get("created_at", started_at),
        "sessions": previous.get("sessions", []),
    }
    _count(manifest, finished, experiment, specs)
    session: dict[str, Any] = {"started_at": started_at, "engine": engine.label,
                               "replications_asked": n_rep, "runs_to_do": len(todo)}
    manifest["sessions"].append(session)
    store.write_manifest(manifest)

    t0 = time.perf_counter()
    done = failed = 0
    if progress:
        progress(len(specs) - len(todo), 0, len(specs))

    def record(chunk: list[RunSpec], packed: Packed) -> None:
        nonlocal done, failed
        tables = _chunk_tables(packed, experiment.points, experiment)
        ids = [s.run_id for s in chunk]
        store.write_chunk(f"chunk-{min(ids):016x}-{len(ids):04d}-{uuid.uuid4().hex[:8]}",
                          tables)
        failed += sum(1 for r in packed.records if r["status"] != "ok")
        done += len(chunk)
        if progress:
            progress(len(specs) - len(todo) + done, failed, len(specs))

    if todo:
        # The catalogue's library, loaded while the workers start rather than after the
        # last run (store.build_catalogue).
        import duckdb  # noqa: F401

        size = experiment.spec.chunk_size or max(1, min(
            CHUNK_MAX, math.ceil(len(todo) / (max(engine.workers, 1) * 8))))
        queue = deque(_chunks(todo, size))
        # A bounded number of chunks in flight keeps memory flat on long sweeps.
        window = max(2, 2 * max(engine.workers, 1))
        while queue:
            # Normally one pass; another only after a worker died and broke the pool.
            suspects = _drain(engine, task, queue, window, record)
            for chunk in suspects:
                record(chunk, _isolated(engine, task, chunk))
    seconds = time.perf_counter() - t0
    store.build_catalogue()
    session.update(finished_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"), runs_done=done,
                   runs_failed=failed, seconds=round(seconds, 3))
    final = store.finished_runs()
    _count(manifest, final, experiment, specs)
    manifest["updated_at"] = session["finished_at"]
    store.write_manifest(manifest)
    return SweepReport(out, len(specs), len(specs) - len(todo), done, failed, seconds)


def _uncertainty(experiment: Experiment) -> dict[str, Any]:
    """Where the runs' parameter values come from, for the manifest."""
    ens = experiment.ensemble
    u = experiment.spec.uncertainty
    return {"id": experiment.uncertainty_id, "parameters": u.parameters,
            "replications_per_draw": u.replications_per_draw if ens is not None else None,
            "others": u.others if ens is not None else None,
            "ensemble": str(ens.path) if ens is not None and ens.path else None,
            "ensemble_size": len(ens) if ens is not None else 0,
            "ensemble_record": ens.meta if ens is not None else {}}


def _drain(engine: Engine, task: Task, queue: deque[list[RunSpec]], window: int,
           record: Callable[[list[RunSpec], Packed], None]) -> list[list[RunSpec]]:
    """Run chunks from ``queue`` on one pool, ``window`` at a time, recording each as it
    finishes. If a worker dies (killed, out of memory, crashed) it takes the pool with
    it: the chunks then in flight are returned, to be retried in isolation."""
    with executor(engine) as pool:
        pending: dict[Future[Any], list[RunSpec]] = {}
        while True:
            while queue and len(pending) < window:
                nxt = queue.popleft()
                try:
                    pending[pool.submit(task, nxt)] = nxt
                except BrokenExecutor:  # broken before its failure reached us
                    queue.appendleft(nxt)
                    return list(pending.values())
            if not pending:
                return []
            fut = next(as_completed(pending))
            chunk = pending.pop(fut)
            try:
                outcomes = fut.result()
            except BrokenExecutor:
                return [chunk, *pending.values()]
            except Exception as exc:  # the task died (e.g. a Dask worker was lost)
                outcomes = Packed.join([_failed(s, f"task failed: {type(exc).__name__}: "
                                                   f"{exc}") for s in chunk])
            record(chunk, outcomes)


def _count(manifest: dict[str, Any], finished: dict[int, str], experiment: Experiment,
           specs: list[RunSpec]) -> None:
    """Run and replication counts, from the run records on disk (never from the command
    line: a sweep resumed with fewer replications keeps the ones already run)."""
    arms = [a.name for a in experiment.spec.arm]
    by_arm = replication_counts(finished, arms, len(experiment.points))
    complete = min(by_arm.values()) if by_arm else 0
    most = max(split_run_id(rid)[2] + 1 for rid in finished) if finished else 0
    manifest.update(
        replications=complete,
        replications_by_arm=by_arm,
        replication_seeds=experiment.replication_seeds(most),
        runs_total=len(specs),
        runs_finished=sum(1 for st in finished.values() if st == "ok"),
        runs_failed=sum(1 for st in finished.values() if st == "failed"))
