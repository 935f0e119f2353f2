"""The index directory on disk, and the build lock.

    DIR/current -> gen-...     a symlink to the live generation (a Whoosh index + manifest.json)
    DIR/previous -> gen-...    the generation that was live before the last swap (the fallback)
    DIR/gen-.../               generations; only the live one and the previous one are kept
    DIR/last-build.json        the report of the last build
    DIR/build.lock             held (flock) by the running build

A full build writes a new generation beside the live one and swaps the symlink
with one atomic rename, so a search never sees a half-built index and a killed
build leaves the previous index whole. The lock is an flock: the kernel drops
it when its process dies, so a killed build never blocks the next one, and a
lock held by a live build is never taken over.

Everything that deletes (pruning, clearing half-built generations) runs under
the build lock, so it never touches a generation a live build is writing; a
server still reading a pruned generation keeps its open files (POSIX).
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

from indexer.errors import BuildLocked, IndexMissing

CURRENT = "current"
PREVIOUS = "previous"
LOCK_NAME = "build.lock"
REPORT_NAME = "last-build.json"
GEN_PREFIX = "gen-"


def default_index_dir() -> Path:
    return Path(os.environ.get("NEWSINDEX_INDEX") or "var/index")


def live_generation(index_dir: Path) -> Path | None:
    """The folder of the live index, or None when nothing was built yet."""
    return _link_target(Path(index_dir), CURRENT)


def _link_target(index_dir: Path, name: str) -> Path | None:
    """The generation folder a symlink in the index directory names, if it exists."""
    try:
        target = os.readlink(index_dir / name)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        if exc.errno == errno.EINVAL:  # not a symlink
            return None
        raise
    path = index_dir / target
    return path if path.is_dir() else None


def require_live_generation(index_dir: Path) -> Path:
    gen = live_generation(index_dir)
    if gen is None:
        raise IndexMissing(f"no index in {index_dir}: run `newsindex build` first")
    return gen


def new_generation(index_dir: Path) -> Path:
    """A fresh, empty generation folder (not live until `swap_in`).

    Called under the build lock: half-built generations that killed or failed
    full builds left behind are cleared first, so repeated failures (a full
    disk) do not pile up copies of the index."""
    index_dir.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(index_dir)
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
    """Make `generation` live with one atomic rename of a symlink.

    The generation's files are flushed to disk first, so the switch can never
    be durable before the index it points to. The generation being replaced
    is recorded as `previous` before the switch, so a crash at any point
    leaves both the live and the fallback generation named."""
    _fsync_tree(generation)
    live = live_generation(index_dir)
    if live is not None and live.resolve() != generation.resolve():
        _point(index_dir, PREVIOUS, live.name)
    _point(index_dir, CURRENT, generation.name)


def _point(index_dir: Path, name: str, target: str) -> None:
    """Atomically (re)point the symlink `index_dir/name` at `target`."""
    tmp = index_dir / f".{name}.{os.getpid()}.tmp"
    try:
        tmp.unlink()
    except FileNotFoundError:
        pass
    os.symlink(target, tmp)
    os.replace(tmp, index_dir / name)
    _fsync_dir(index_dir)


def prune_generations(index_dir: Path, keep: int = 2) -> None:
    """Delete every generation but the live one and the previous one, and the
    temp files of killed builds. Only called under the build lock, so no build
    is writing them; a searcher still holding an old one keeps its open files.

    Without a `previous` link (an index made before it existed) the newest
    complete generations are kept instead (`keep` in all)."""
    live = live_generation(index_dir)
    previous = _link_target(index_dir, PREVIOUS)
    wanted = {p.resolve() for p in (live, previous) if p is not None}
    gens = sorted((p for p in index_dir.glob(GEN_PREFIX + "*") if p.is_dir()),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    kept = len(wanted)
    for gen in gens:
        if gen.resolve() in wanted:
            continue
        if previous is None and kept < keep and (gen / "manifest.json").exists():
            kept += 1
            continue
        shutil.rmtree(gen, ignore_errors=True)
    if previous is None and _is_link(index_dir / PREVIOUS):
        (index_dir / PREVIOUS).unlink()  # it named a generation that is gone
    for leftover in index_dir.glob(".*.tmp"):  # symlinks of swaps a kill interrupted
        if _is_link(leftover):
            leftover.unlink()
    stale_report = index_dir / (REPORT_NAME + ".tmp")
    if stale_report.exists():
        stale_report.unlink()


def _remove_abandoned(index_dir: Path) -> None:
    """Half-built generations: no manifest, neither live nor previous. Under the lock only."""
    named = {p.resolve() for p in (live_generation(index_dir), _link_target(index_dir, PREVIOUS))
             if p is not None}
    for gen in index_dir.glob(GEN_PREFIX + "*"):
        if gen.is_dir() and gen.resolve() not in named and not (gen / "manifest.json").exists():
            shutil.rmtree(gen, ignore_errors=True)


def _is_link(path: Path) -> bool:
    return os.path.islink(path)


def write_report(index_dir: Path, report: dict) -> None:
    """Write last-build.json atomically. Paths that are not valid UTF-8 (file
    names in another encoding) are kept as JSON escapes rather than failing a
    build that has already committed."""
    try:
        text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        data = (json.dumps(report, indent=2, ensure_ascii=True) + "\n").encode("ascii")
    tmp = index_dir / (REPORT_NAME + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, index_dir / REPORT_NAME)


def read_report(index_dir: Path) -> dict | None:
    """The last build's report, or None when there is none or it cannot be read."""
    try:
        with open(Path(index_dir) / REPORT_NAME, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):  # missing, unreadable, not UTF-8, not JSON
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


def _fsync_tree(folder: Path) -> None:
    """fsync every file of a generation and the folder itself."""
    for path in folder.iterdir():
        if path.is_file() and not path.is_symlink():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(folder)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
