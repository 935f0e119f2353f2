"""Crash safety: a build killed with SIGKILL at any moment leaves the previous
index whole and searchable, and the next build completes normally.

After the kill (`tests/system/faultkit.py`) the test checks the index from
outside: the live generation is whole, has exactly the old (or, past the
commit, exactly the new) set of article ids, no duplicates, and a plain
`newsindex build` afterwards succeeds and converges to the sources on disk.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.limits import KEPT_GENERATIONS
from tests.conftest import REPO, sigint_as_in_a_terminal
from tests.system.faultkit import (
    A_TASK_PER_FILE,
    BEFORE_SWAP,
    KILLER,
    FaultCorpus,
    IndexState,
    _session_pids,
    check_index,
    index_state,
    recover_and_check,
    reuters_files,
    run_killed_build,
    tree_digest,
)


@pytest.fixture()
def built(tmp_path) -> tuple[FaultCorpus, set[str], set[str], IndexState]:
    """An index of the old state; the sources then moved to the new state."""
    corpus = FaultCorpus(tmp_path)
    old = corpus.write_old()
    first = run_killed_build(corpus.argv("--jobs", "1"), "none")
    assert first.returncode == 0, first.stderr
    before = check_index(corpus.index, old)
    new = corpus.write_new()
    assert old != new and len(new) > 0
    return corpus, old, new, before


# A handful of points per mode here; benchmarks/faults.py sweeps every point and many call counts.
INCREMENTAL_POINTS = [("read_source", 3), ("add_document", 1), ("segment_written", 1),
                      ("toc_written", 1), ("manifest_partial", 1), ("swap_rename", 1), ("report", 1)]


@pytest.mark.parametrize("point, nth", INCREMENTAL_POINTS, ids=[p for p, _ in INCREMENTAL_POINTS])
def test_incremental_build_killed(built, point, nth):
    corpus, old, new, before = built
    digest = tree_digest(corpus.src)
    killed = run_killed_build(corpus.argv("--jobs", "1"), point, nth)
    assert killed.killed, f"the build was not killed at {point}: {killed.returncode} {killed.stderr}"
    state = check_index(corpus.index, old if point in BEFORE_SWAP else new)
    # incremental builds commit into a new generation: the live one is never changed
    assert (state.generation == before.generation) == (point in BEFORE_SWAP)
    assert tree_digest(corpus.src) == digest
    recover_and_check(corpus, new)
    assert index_state(corpus.index).zanzibar == len(corpus._chunk(1)) - 1


FULL_POINTS = [("read_source", 4), ("commit", 1), ("manifest_rename", 1), ("swap_rename", 1),
               ("swapped", 1), ("prune_partial", 1)]


@pytest.mark.parametrize("point, nth", FULL_POINTS, ids=[p for p, _ in FULL_POINTS])
def test_full_build_killed(built, point, nth):
    corpus, old, new, before = built
    if point == "prune_partial":
        # pruning only deletes a generation once KEPT_GENERATIONS are kept
        for _ in range(KEPT_GENERATIONS - 1):
            assert run_killed_build(corpus.argv("--full", "--jobs", "1"), "none").returncode == 0
        before = check_index(corpus.index, new)
        old = new
    killed = run_killed_build(corpus.argv("--full", "--jobs", "1"), point, nth)
    assert killed.killed, f"the build was not killed at {point}: {killed.returncode} {killed.stderr}"
    state = check_index(corpus.index, old if point in BEFORE_SWAP else new)
    assert (state.generation == before.generation) == (point in BEFORE_SWAP)
    recover_and_check(corpus, new)


def test_full_build_with_worker_processes_killed_from_outside(tmp_path):
    """SIGKILL from outside at a few moments of a --jobs 2 build: the same
    guarantees, and no worker process of the killed build is left running."""
    corpus = FaultCorpus(tmp_path, files=8, per_file=25)
    old = corpus.write_old()
    assert run_killed_build(corpus.argv("--jobs", "2"), "none").returncode == 0
    before = check_index(corpus.index, old)
    new = corpus.write_new()
    outcomes = []
    for delay in (0.4, 1.0, 1.8):
        killed = run_killed_build(corpus.argv("--full", "--jobs", "2"), delay=delay, linger=3.0)
        state = index_state(corpus.index)
        assert set(state.ids) in (old, new) and len(state.ids) == len(set(state.ids))
        assert state.search_total == len(state.ids)
        if killed.returncode == 0:
            break   # the build outran the kill: it completed
        assert killed.killed
        if state.generation == before.generation:
            assert set(state.ids) == old      # killed before the swap: the old index, whole
        else:
            assert set(state.ids) == new      # killed after the swap: the new index, whole
        outcomes.append((delay, killed.leftovers))
    recover_and_check(corpus, new)


def test_no_worker_process_outlives_a_killed_build(tmp_path):
    corpus = FaultCorpus(tmp_path, files=8, per_file=25)
    corpus.write_old()
    assert run_killed_build(corpus.argv("--jobs", "2"), "none").returncode == 0
    corpus.write_new()
    killed = run_killed_build(corpus.argv("--full", "--jobs", "2"), "read_source", 3, linger=3.0)
    assert killed.killed
    assert not killed.leftovers, f"processes of the killed build still running: {killed.leftovers}"


def test_lock_of_a_killed_build_is_cleared_but_a_live_one_is_respected(tmp_path):
    """The build lock: a build killed mid-way never blocks the next one, while a build
    that is alive (stalled mid-clean) keeps the lock against a second build."""
    corpus = FaultCorpus(tmp_path, files=4, per_file=10)
    old = corpus.write_old()
    assert run_killed_build(corpus.argv("--jobs", "1"), "none").returncode == 0
    corpus.write_new()
    env = {**os.environ, "PYTHONPATH": str(REPO),
           "NEWSINDEX_KILL": json.dumps({"point": "stall", "nth": 1, "seconds": 120,
                                         "argv": corpus.argv("--jobs", "1")})}
    stalled = subprocess.Popen([sys.executable, "-c", KILLER], env=env, cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lock_file = corpus.index / "build.lock"
        deadline = time.monotonic() + 60
        while f"pid {stalled.pid} " not in (lock_file.read_text() if lock_file.exists() else ""):
            assert stalled.poll() is None, stalled.communicate()
            assert time.monotonic() < deadline, "the build never took the lock"
            time.sleep(0.02)
        for argv in (corpus.argv(), corpus.argv("--full")):
            second = run_killed_build(argv, "none")
            assert second.returncode == 2, second.stderr
            assert "locked by a running build" in second.stderr and f"pid {stalled.pid}" in second.stderr
            assert len(second.stderr.strip().splitlines()) == 1 and "Traceback" not in second.stderr
        check_index(corpus.index, old)           # the live build changed nothing visible yet
        stalled.send_signal(signal.SIGKILL)
        stalled.wait()
    finally:
        if stalled.poll() is None:
            stalled.kill()
        stalled.communicate()
    # the dead build's lock file is still there, with its pid in it, and does not block
    assert f"pid {stalled.pid} " in (corpus.index / "build.lock").read_text()
    recover_and_check(corpus, corpus.new_ids())


def test_a_dead_cleaning_worker_does_not_hang_the_build(tmp_path):
    """A reader process killed mid-build must end the build (failed, or with that
    source reported), never leave it waiting forever with the lock held."""
    corpus = FaultCorpus(tmp_path, files=8, per_file=5)
    old = corpus.write_old()
    assert run_killed_build(corpus.argv("--jobs", "1"), "none").returncode == 0
    corpus.write_new()
    finished = run_killed_build(corpus.argv("--full", "--jobs", "2"), "worker_dies", 2, timeout=15)
    assert not finished.killed
    state = index_state(corpus.index)
    assert set(state.ids) in (old, corpus.new_ids())
    recover_and_check(corpus, corpus.new_ids())


@pytest.mark.parametrize("mode, point, nth", [("--full", "disk_full", 50), ("--full", "manifest_disk_full", 1),
                                              ("incremental", "disk_full", 50),
                                              ("incremental", "manifest_disk_full", 1)])
def test_disk_full_never_leaves_the_user_without_an_index(built, mode, point, nth):
    """ENOSPC while writing the index or the manifest: the build fails, the
    live index stays exactly as it was, sources are untouched, and the next
    build recovers."""
    corpus, old, new, before = built
    digest = tree_digest(corpus.src)
    argv = corpus.argv("--jobs", "1", *(("--full",) if mode == "--full" else ()))
    failed = run_killed_build(argv, point, nth)
    assert failed.returncode not in (0, -signal.SIGKILL), failed.stderr[-2000:]
    assert "No space left on device" in failed.stderr
    state = check_index(corpus.index, old)  # incremental builds too: nothing is live before the swap
    assert state.generation == before.generation
    assert tree_digest(corpus.src) == digest
    recover_and_check(corpus, new)


def test_failed_full_builds_do_not_pile_up_and_the_fallback_is_the_previous_live_index(built):
    """Repeated failures (a full disk) leave at most one half-built generation;
    a full build killed just before its swap does not displace the previous
    live generation as the kept fallback."""
    from indexer.index import store

    corpus, old, new, before = built
    for _ in range(3):
        assert run_killed_build(corpus.argv("--full", "--jobs", "1"), "disk_full", 50).returncode == 1
    generations = sorted(p.name for p in corpus.index.glob("gen-*"))
    assert len(generations) <= 2, generations          # the live one and at most one half-built
    assert run_killed_build(corpus.argv("--full", "--jobs", "1"), "swap_in").killed
    assert run_killed_build(corpus.argv("--full", "--jobs", "1"), "none").returncode == 0
    live = store.live_generation(corpus.index).resolve()
    kept = {p.resolve() for p in corpus.index.glob("gen-*")}
    assert kept == {live, Path(before.generation)}, kept
    assert (corpus.index / "previous").resolve() == Path(before.generation)
    assert not list(corpus.index.glob(".*.tmp"))
    check_index(corpus.index, new)


def test_full_build_of_a_missing_folder_keeps_the_index(built):
    corpus, old, new, before = built
    missing = corpus.src.parent / "unmounted-archive"
    proc = run_killed_build(["build", str(missing), "--index", str(corpus.index), "--full"], "none")
    assert proc.returncode != 0
    check_index(corpus.index, old)


def test_a_killed_multiprocess_build_takes_its_writer_processes_with_it(tmp_path):
    """SIGKILL (or the OOM killer) on the build while its sub-writer processes
    run: none of them outlives it, and the next build is not refused as locked."""
    src, ix = reuters_files(tmp_path / "src", 5), tmp_path / "ix"
    argv = ["build", str(src), "--index", str(ix), "--jobs", "2"]
    first = run_killed_build(argv, "none", extra=A_TASK_PER_FILE)
    assert first.returncode == 0, first.stderr
    before = index_state(ix)
    killed = run_killed_build([*argv, "--full"], "mp_commit", linger=5.0, extra=A_TASK_PER_FILE)
    assert killed.killed, killed.stderr[-2000:]
    assert not killed.leftovers, f"processes of the killed build still running: {killed.leftovers}"
    after = run_killed_build([*argv, "--full"], "none", extra=A_TASK_PER_FILE)
    assert after.returncode == 0, after.stderr
    state = index_state(ix)
    assert sorted(state.ids) == sorted(before.ids) and state.generation != before.generation


# the plain progress line a build longer than a few seconds prints (a loaded machine's is)
PROGRESS_LINE = re.compile(r"indexing: \d+/\d+ sources \(\d+%\)")


def _until_the_build_forks(proc: subprocess.Popen) -> None:
    """Wait (at most 30 s) for the build's first child process: a SIGINT before it,
    while Python still imports on a loaded machine, is Python's own exit (-2), not the CLI's."""
    deadline = time.monotonic() + 30
    while proc.poll() is None and len(_session_pids(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)


def test_ctrl_c_during_a_multiprocess_build_is_one_quiet_line(tmp_path):
    """SIGINT to the build's whole process group, as a terminal sends it: one
    line, exit 130, no child traceback, no process left, the index as it was."""
    src, ix = reuters_files(tmp_path / "src", 12), tmp_path / "ix"
    argv = ["build", str(src), "--index", str(ix), "--jobs", "2"]
    started = time.monotonic()
    assert run_killed_build(argv, "none", extra=A_TASK_PER_FILE).returncode == 0
    took = time.monotonic() - started
    before = index_state(ix)
    # the CLI, by faultkit's KILLER with no kill point (so that it plans a task per file)
    env = {**os.environ, "PYTHONPATH": str(REPO),
           "NEWSINDEX_KILL": json.dumps({"point": "none", "argv": [*argv, "--full"], **A_TASK_PER_FILE})}
    interrupted = 0
    # while cleaning, then while the sub-writers write: shares of a whole build's time on this machine
    for delay in (0.35 * took, 0.75 * took):
        proc = subprocess.Popen([sys.executable, "-c", KILLER], cwd=REPO, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True, preexec_fn=sigint_as_in_a_terminal)
        time.sleep(delay)
        _until_the_build_forks(proc)
        try:
            os.killpg(proc.pid, signal.SIGINT)
        except ProcessLookupError:
            pass  # the build was done and reaped before the signal: the check below takes it as such
        try:
            _out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        leftovers = _session_pids(proc.pid)
        if leftovers:
            os.killpg(proc.pid, signal.SIGKILL)
        state = index_state(ix)
        if proc.returncode in (0, -signal.SIGINT) and state.generation != before.generation:
            # the build was done before the signal (or it came as the interpreter exited): a new "before"
            before = state
            continue
        assert proc.returncode == 130, err
        lines = [line for line in err.strip().splitlines() if not PROGRESS_LINE.fullmatch(line)]
        assert lines == ["newsindex: interrupted; the previous index is unchanged"], err
        assert not leftovers
        assert state.generation == before.generation and sorted(state.ids) == sorted(before.ids)
        interrupted += 1
    assert interrupted, "every signal came after the build was done"
    assert run_killed_build(argv, "none", extra=A_TASK_PER_FILE).returncode == 0
