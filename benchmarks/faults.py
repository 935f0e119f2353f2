"""The long crash-safety sweep (`make faults`): SIGKILL builds at every named
kill point, at many call counts, in both modes, plus kills from outside after
random delays, plus disk-full failures; after every fault the index is checked
and the next build must recover.

Each run: build the old state, move the sources to the new state, run the
faulty build, then check that the live index holds exactly the old article ids
(before the commit / swap) or exactly the new ones (after), with no duplicate
and a matching search total; then an ordinary build must succeed, converge to
the sources, and a further build must be a no-op. Sources are checksummed
around every faulty build. The harness is the one the tests use (`tests/system/faultkit.py`).

    .venv/bin/python benchmarks/faults.py                 # the full sweep (several minutes)
    .venv/bin/python benchmarks/faults.py --quick         # one call count per point
    .venv/bin/python benchmarks/faults.py --random 30     # 30 kills at random delays
    .venv/bin/python benchmarks/faults.py --large corpus/reuters21578 --random 0   # the large-corpus kills only
    .venv/bin/python benchmarks/faults.py --no-sweep --ctrl-c 100   # Ctrl-C at 100 random moments

Process kills: a multi-process full build (`--jobs 2`, enough text for writer
processes) is SIGKILLed while its writer processes run and at random moments
from outside; no process of it may outlive it and the next build must not be
refused as locked. `--large PATH` runs the same kills on a copy of a whole
corpus folder, full and incremental builds alike.

Ctrl-C (`--ctrl-c N`): SIGINT to the process group of a 12-file `--jobs 2`
full build at N random moments after it forked its workers, as a terminal
sends it; each must end within 60 s, in one line and exit 130 with the index
as it was, or be done.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer.limits import KEPT_GENERATIONS  # noqa: E402
from tests.conftest import sigint_as_in_a_terminal  # noqa: E402
from tests.system.faultkit import (  # noqa: E402
    A_TASK_PER_FILE,
    BEFORE_SWAP,
    KILLER,
    FaultCorpus,
    _session_pids,
    check_index,
    index_state,
    recover_and_check,
    reuters_files,
    run_killed_build,
    tree_digest,
)

# (point, call counts to try); "after" outcome is decided by BEFORE_* sets
# (an incremental build writes its new articles as one segment: one add_document call)
INCREMENTAL = [("read_source", (1, 2, 3)), ("add_document", (1,)), ("commit", (1,)),
               ("segment_written", (1,)), ("toc_rename", (1,)), ("toc_written", (1,)),
               ("manifest_save", (1,)), ("manifest_partial", (1,)), ("manifest_rename", (1,)),
               ("swap_in", (1,)), ("swap_rename", (1,)), ("swapped", (1,)), ("prune_partial", (1,)),
               ("report", (1,))]
FULL = [("read_source", (1, 3, 6)), ("add_document", (1, 50, 120)), ("commit", (1,)),
        ("segment_written", (1,)), ("toc_rename", (1,)), ("toc_written", (1,)), ("manifest_save", (1,)),
        ("manifest_partial", (1,)), ("manifest_rename", (1,)), ("swap_in", (1,)), ("swap_rename", (1,)),
        ("swapped", (1,)), ("prune_partial", (1,)), ("report", (1,))]
DISK_FULL = [("disk_full", (1, 20, 200, 2000)), ("manifest_disk_full", (1,))]


class Sweep:
    def __init__(self, workdir: Path, files: int, per_file: int) -> None:
        self.workdir, self.files, self.per_file = workdir, files, per_file
        self.outcomes: Counter[str] = Counter()
        self.rows: list[dict] = []
        self.n = 0

    def fresh(self, point: str = "none") -> tuple[FaultCorpus, set[str], set[str], str]:
        self.n += 1
        root = self.workdir / f"run-{self.n}"
        corpus = FaultCorpus(root, files=self.files, per_file=self.per_file)
        old = corpus.write_old()
        first = run_killed_build(corpus.argv("--jobs", "1"), "none")
        assert first.returncode == 0, first.stderr
        generation = check_index(corpus.index, old).generation
        # half the runs start from an index that already swapped once; pruning
        # needs KEPT_GENERATIONS generations before it deletes one
        swaps = KEPT_GENERATIONS - 1 if point == "prune_partial" else int(self.n % 2 == 0)
        for _ in range(swaps):
            assert run_killed_build(corpus.argv("--full", "--jobs", "1"), "none").returncode == 0
            generation = check_index(corpus.index, old).generation
        new = corpus.write_new()
        return corpus, old, new, generation

    def one(self, mode: str, point: str, nth: int, *, jobs: int = 1, delay: float | None = None) -> None:
        label = f"{mode:<11} {point:<18} {'@%.2fs' % delay if delay is not None else nth:>7}"
        started = time.perf_counter()
        row = {"mode": mode, "point": point, "nth": nth, "delay": delay, "jobs": jobs}
        try:
            corpus, old, new, generation = self.fresh(point)
            digest = tree_digest(corpus.src)
            argv = corpus.argv("--jobs", str(jobs), *(("--full",) if mode == "full" else ()))
            result = run_killed_build(argv, point, nth, delay=delay, linger=3.0)
            row["killed"] = result.killed
            row["exit"] = result.returncode
            row["leftover_processes"] = len(result.leftovers)
            state = index_state(corpus.index)
            if delay is not None:       # from outside: either state, whole
                assert set(state.ids) in (old, new), "neither the old nor the new articles"
                assert result.killed or result.returncode == 0, result.stderr[-500:]
                expected = set(state.ids)
                row["saw"] = "new" if expected == new and result.returncode == 0 else (
                    "old" if expected == old else "new")
            elif point.endswith("disk_full"):
                assert result.returncode == 1, (result.returncode, result.stderr[-500:])
                expected = old
            else:
                assert result.killed, f"not killed at {point} (exit {result.returncode}): {result.stderr[-500:]}"
                expected = old if point in BEFORE_SWAP else new
            state = check_index(corpus.index, expected)
            if expected == old:
                assert state.generation == generation, "the live generation moved"
            assert tree_digest(corpus.src) == digest, "a source file changed"
            assert not result.leftovers, f"processes left running: {result.leftovers}"
            recover_and_check(corpus, new)
            row["result"] = "survived"
        except Exception as exc:  # noqa: BLE001 - a failed check is a result to report
            row["result"] = "FAILED"
            row["error"] = f"{type(exc).__name__}: {exc}"[:500]
            traceback.print_exc()
        finally:
            shutil.rmtree(self.workdir / f"run-{self.n}", ignore_errors=True)
        row["seconds"] = round(time.perf_counter() - started, 1)
        self.rows.append(row)
        self.outcomes[row["result"]] += 1
        print(f"{label}  {row['result']:<8} {row['seconds']:>5}s", flush=True)


def process_kills(sweep: Sweep, src: Path, delays: list[float], *, label: str) -> None:
    """SIGKILL a --jobs 2 build of `src` while its writer
    processes run (kill point mp_commit) and after each of `delays` seconds:
    every time no process of it survives, the live index is whole and is the one
    before (or, past the swap, the new one: the same articles here), and the
    next build is not refused as locked."""
    index = sweep.workdir / f"{label}-index"
    argv = ["build", str(src), "--index", str(index), "--jobs", "2"]
    started = time.perf_counter()
    first = run_killed_build(argv, "none", timeout=1800)
    assert first.returncode == 0, first.stderr[-2000:]
    baseline = sorted(index_state(index).ids)
    print(f"{label}: first build of {len(baseline):,} articles in {time.perf_counter() - started:.0f} s", flush=True)
    cases = [("full", "mp_commit", None)] + [(mode, "none", d) for d in delays for mode in ("full", "incremental")]
    for mode, point, delay in cases:
        row = {"mode": f"{label} {mode}", "point": point, "nth": 1, "delay": delay, "jobs": 2}
        began = time.perf_counter()
        try:
            if mode == "incremental":  # something to do: one file touched
                some = sorted(p for p in src.rglob("*") if p.is_file())[0]
                os.utime(some)
            result = run_killed_build([*argv, *(("--full",) if mode == "full" else ())], point, 1,
                                      delay=delay, linger=5.0, timeout=1800)
            row.update(killed=result.killed, exit=result.returncode, leftover_processes=len(result.leftovers))
            assert result.killed or result.returncode == 0, result.stderr[-500:]
            assert not result.leftovers, f"processes left running: {result.leftovers}"
            state = index_state(index)
            assert sorted(state.ids) == baseline, "the live index is not whole"
            assert state.search_total == len(baseline)
            after = run_killed_build(argv, "none", timeout=1800)
            assert after.returncode == 0, f"the next build failed: {after.stderr[-500:]}"
            row["result"] = "survived"
        except Exception as exc:  # noqa: BLE001 - a failed check is a result to report
            row["result"] = "FAILED"
            row["error"] = f"{type(exc).__name__}: {exc}"[:500]
            traceback.print_exc()
        row["seconds"] = round(time.perf_counter() - began, 1)
        sweep.rows.append(row)
        sweep.outcomes[row["result"]] += 1
        when = f"@{delay:.1f}s" if delay is not None else point
        print(f"{label:<11} {mode:<11} {when:>10}  {row['result']:<8} {row['seconds']:>5}s "
              f"(killed: {row.get('killed')}, leftovers: {row.get('leftover_processes')})", flush=True)
    shutil.rmtree(index, ignore_errors=True)


def ctrl_c_runs(workdir: Path, runs: int, rng: random.Random) -> Counter:
    """SIGINT at random moments of a multi-process build: outcomes counted, a hang or a wrong end named."""
    src, ix = reuters_files(workdir / "ctrl-c-src", 12), workdir / "ctrl-c-index"
    argv = ["build", str(src), "--index", str(ix), "--jobs", "2"]
    env = {**os.environ, "PYTHONPATH": str(REPO),
           "NEWSINDEX_KILL": json.dumps({"point": "none", "argv": [*argv, "--full"], **A_TASK_PER_FILE})}
    outcomes: Counter = Counter()
    took = None
    for run in range(runs + 1):
        before = index_state(ix) if took else None
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", KILLER], cwd=REPO, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True,
                                preexec_fn=sigint_as_in_a_terminal)
        if took:  # run 0 builds the index and times a whole build
            time.sleep(rng.uniform(0.0, took))
            while proc.poll() is None and len(_session_pids(proc.pid)) < 2:
                time.sleep(0.01)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
        try:
            _out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            outcomes["HANG"] += 1
            print(f"HANG: run {run} did not end 60 s after Ctrl-C", flush=True)
            continue
        if not took:
            took = time.monotonic() - started
            continue
        state = index_state(ix)
        if proc.returncode == 0 and state.generation != before.generation:
            outcomes["done before the signal"] += 1
        elif (proc.returncode == 130 and sorted(state.ids) == sorted(before.ids)
              and state.generation == before.generation
              and err.strip().splitlines() == ["newsindex: interrupted; the previous index is unchanged"]):
            outcomes["interrupted, one line, index as it was"] += 1
        else:
            outcomes["WRONG"] += 1
            print(f"WRONG: run {run} exit {proc.returncode}: {err.strip()[-300:]}", flush=True)
    print(f"Ctrl-C at {runs} random moments of a {took:.1f} s build: "
          + ", ".join(f"{what} {count}" for what, count in outcomes.items()))
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the first call count of each point")
    parser.add_argument("--random", type=int, default=12, help="kills from outside at random delays")
    parser.add_argument("--seed", type=int, default=1987)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--per-file", type=int, default=25)
    parser.add_argument("--json", type=Path, help="write every run's row here")
    parser.add_argument("--large", type=Path, metavar="PATH",
                        help="also SIGKILL --jobs 2 builds of (a copy of) this whole corpus folder")
    parser.add_argument("--large-kills", type=int, default=4, help="kill delays per mode for --large")
    parser.add_argument("--no-sweep", action="store_true", help="only the process kills (and --large)")
    parser.add_argument("--ctrl-c", type=int, default=0, metavar="N", help="also Ctrl-C N builds at random moments")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="newsindex-faults-"))
    sweep = Sweep(workdir, args.files, args.per_file)
    started = time.perf_counter()
    rng = random.Random(args.seed)
    try:
        if not args.no_sweep:
            for mode, points in (("incremental", INCREMENTAL), ("full", FULL),
                                 ("incremental", DISK_FULL), ("full", DISK_FULL)):
                for point, counts in points:
                    for nth in counts[:1] if args.quick else counts:
                        sweep.one(mode, point, nth)
            # a cleaning worker process (not the build) may also be the one that reads
            sweep.one("full", "read_source", 5, jobs=2)
            # from outside, at random moments of --jobs 2 builds
            for _ in range(args.random):
                mode = rng.choice(("incremental", "full"))
                sweep.one(mode, "none", 1, jobs=2, delay=round(rng.uniform(0.3, 3.0), 2))
        # the process kills: five Reuters files, enough text for writer processes
        five = reuters_files(workdir / "five-files", 5)
        process_kills(sweep, five, [round(rng.uniform(0.5, 6.0), 1) for _ in range(2)], label="5 files")
        if args.large:
            large = workdir / "large"
            shutil.copytree(args.large, large)  # a copy: incremental kills touch a file's mtime
            process_kills(sweep, large,
                          sorted(round(rng.uniform(1.0, 25.0), 1) for _ in range(args.large_kills)), label="large")
        ctrl_c = ctrl_c_runs(workdir, args.ctrl_c, rng) if args.ctrl_c else Counter()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    minutes = (time.perf_counter() - started) / 60
    killed = sum(1 for r in sweep.rows if r.get("killed"))
    print(f"\n{len(sweep.rows)} faulty builds in {minutes:.1f} min: {killed} killed by SIGKILL, "
          f"{sum(1 for r in sweep.rows if r['point'].endswith('disk_full'))} disk-full failures, "
          f"{sweep.outcomes['survived']} survived and recovered, {sweep.outcomes['FAILED']} failed checks")
    if args.json:
        args.json.write_text(json.dumps(sweep.rows, indent=2))
    for row in sweep.rows:
        if row["result"] != "survived":
            print("FAILED", row)
    return 0 if sweep.outcomes["FAILED"] == 0 and not (ctrl_c["HANG"] or ctrl_c["WRONG"]) else 1


if __name__ == "__main__":
    sys.exit(main())
