"""What every benchmark shares: percentiles, a free port, a server on 127.0.0.1
started and stopped by pid, and wall/CPU/RSS measurement of a block or a process.

The scripts import it as a sibling module (`python benchmarks/NAME.py` puts this
folder on the path).
"""

from __future__ import annotations

import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# `newsindex` of this interpreter's environment (or the module, from a checkout)
NEWSINDEX = [str(BIN / "newsindex")] if (BIN / "newsindex").exists() else [sys.executable, "-m", "indexer"]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile, linearly interpolated between ranks (numpy's default)."""
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server subprocess on 127.0.0.1, in its own session, stopped by pid.

    Ready when `probe` (a path) answers over HTTP, or, without one, when the
    port accepts a connection. Its output goes to `log` (or is dropped): an
    unread pipe would fill up under load and freeze the server."""

    def __init__(self, cmd: list[str], port: int, probe: str | None = None, log: Path | None = None,
                 timeout: float = 60.0, cwd: Path | None = None) -> None:
        self.port = port
        self.log = log
        out = open(log, "w") if log else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                         start_new_session=True)
        finally:
            if log:
                out.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}): {self.log_tail()}")
            try:
                if probe:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=5).read()
                else:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"server on port {port} did not answer in {timeout:.0f} s") from None
                time.sleep(0.1)

    def log_tail(self, chars: int = 2000) -> str:
        if self.log and self.log.exists():
            return self.log.read_text(errors="replace")[-chars:]
        return ""

    def _pids(self) -> list[int]:
        """The server and its worker processes (`serve --workers N` forks them)."""
        pids, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo += [int(c) for c in (task / "children").read_text().split()]
            except FileNotFoundError:
                pass
        return pids

    def cpu(self) -> float:
        """CPU seconds of the server and its workers so far (from /proc)."""
        total = 0
        for pid in self._pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def memory_mb(self) -> tuple[float, float]:
        """(current RSS, peak RSS) in MB, summed over the server and its workers."""
        rss = peak = 0.0
        for pid in self._pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            rss += _status_mb(status, "VmRSS")
            peak += _status_mb(status, "VmHWM")
        return rss, peak

    def stop(self) -> None:
        """SIGTERM (the server stops its workers), then SIGKILL after 10 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


SPEED = Path(__file__).resolve().parent / "speed.py"


def stage(name: str, work: Path, *args: str) -> dict:
    """Run one stage of the speed benchmark in a fresh process (`speed.py --stage`:
    clean CPU and memory accounting); the stage prints one JSON line with the
    figures of its measured part."""
    import json

    out = run_measured([sys.executable, str(SPEED), "--stage", name, "--work", str(work), *args])
    figures = json.loads(out["stdout"].strip().splitlines()[-1])
    figures["rss_mb"] = out["rss_mb"]
    figures["process_wall"] = out["wall"]
    return figures


def _status_mb(status: str, key: str) -> float:
    """A `/proc/PID/status` figure (kB) in MB."""
    return int(re.search(rf"{key}:\s+(\d+)", status).group(1)) / 1024


def run_measured(cmd: list[str], *, env: dict | None = None) -> dict:
    """Run a subprocess to the end: wall, CPU and peak RSS of it and the children it
    waited for (from wait4, so only this command is counted), and its stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024, "stdout": stdout}


def _self_cpu() -> float:
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


class Clock:
    """Wall and CPU (this process and its children) of a block."""

    def __enter__(self) -> "Clock":
        self.t0, self.c0 = time.perf_counter(), _self_cpu()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.t0
        self.cpu = _self_cpu() - self.c0


def median_of(runs: list[dict]) -> dict:
    """The median of each number over runs (with the run count and the walls)."""
    keys = [k for k, v in runs[0].items() if isinstance(v, (int, float))]
    merged = {k: statistics.median(r[k] for r in runs) for k in keys}
    merged["runs"] = len(runs)
    merged["walls"] = [round(r["wall"], 2) for r in runs if "wall" in r]
    return merged


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())
