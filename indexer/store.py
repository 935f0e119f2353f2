"""The index directory on disk, and the build lock.

    DIR/current -> gen-...     a symlink to the live generation (a Whoosh index + manifest.json)
    DIR/gen-.../               generations; the live one and the one before it are kept
    DIR/last-build.json        the report of the last build
    DIR/build.lock             held (flock) by the running build

A full build writes a new generation beside the live one and swaps the symlink
with one atomic rename, so a search never sees a half-built index and a killed
build leaves the previous index whole. The lock is an flock: the kernel drops
it when its process dies, so a killed build never blocks the next one, and a
lock held by a live build is never taken over.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

CURRENT = "current"
LOCK_NAME = "build.lock"
REPORT_NAME = "last-build.json"
GEN_PREFIX = "gen-"


class IndexMissing(Exception):
    """There is no index in the directory (yet)."""


class BuildLocked(Exception):
    """Another build holds the lock."""


def default_index_dir() -> Path:
    return Path(os.environ.get("NEWSINDEX_INDEX") or "var/index")


def live_generation(index_dir: Path) -> Path | None:
    """The folder of the live index, or None when nothing was built yet."""
    link = Path(index_dir) / CURRENT
    try:
        target = os.readlink(link)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        if exc.errno == errno.EINVAL:  # not a symlink
            return None
        raise
    path = Path(index_dir) / target
    return path if path.is_dir() else None


def require_live_generation(index_dir: Path) -> Path:
    gen = live_generation(index_dir)
    if gen is None:
        raise IndexMissing(f"no index in {index_dir}: run `newsindex build` first")
    return gen


def new_generation(index_dir: Path) -> Path:
    """A fresh, empty generation folder (not live until `swap_in`)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    for n in range(1000):
        path = index_dir / f"{GEN_PREFIX}{stamp}-{os.getpid()}-{n}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise RuntimeError("could not create a new index generation folder")


def swap_in(index_dir: Path, generation: Path) -> None:
    """Make `generation` live with one atomic rename of a symlink."""
    tmp = index_dir / f".{CURRENT}.{os.getpid()}.tmp"
    try:
        tmp.unlink()
    except FileNotFoundError:
        pass
    os.symlink(generation.name, tmp)
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)


def prune_generations(index_dir: Path, keep: int = 2) -> None:
    """Delete generations other than the live one and the newest previous ones
    (`keep` in all). Only called under the build lock, so no build is writing
    them; a searcher still holding an old one keeps its open files (POSIX)."""
    live = live_generation(index_dir)
    gens = sorted((p for p in index_dir.glob(GEN_PREFIX + "*") if p.is_dir()),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    kept = 1 if live else 0
    for gen in gens:
        if live and gen.resolve() == live.resolve():
            continue
        if kept < keep and (gen / "manifest.json").exists():
            kept += 1
            continue
        shutil.rmtree(gen, ignore_errors=True)


def write_report(index_dir: Path, report: dict) -> None:
    tmp = index_dir / (REPORT_NAME + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    os.replace(tmp, index_dir / REPORT_NAME)


def read_report(index_dir: Path) -> dict | None:
    try:
        with open(Path(index_dir) / REPORT_NAME, encoding="utf-8") as fh:
            return json.load(fh)
    except (FileNotFoundError, json.JSONDecodeError):
        return None


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Hold the build lock for the duration of a build, or raise BuildLocked."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            raise BuildLocked(f"index {index_dir} is locked by a running build ({holder})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def index_bytes(generation: Path) -> int:
    return sum(p.stat().st_size for p in generation.iterdir() if p.is_file())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
