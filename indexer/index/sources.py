"""Which files are sources, and what changed since the last build.

The manifest maps each indexed source to its size, mtime and article ids. A
source is named by its absolute path as reached from the path the user gave
(`os.path.abspath`: `tree`, `./tree/` and `/data/tree` are the same folder;
symlinks are not resolved), so the same file is the same source whatever the
working directory. Comparing size and mtime from a walk of the tree is what
makes a no-op rebuild cheap: no file is read.

Manifests written before sources were absolute hold paths relative to a
working directory that was not recorded. Such a "legacy" source is retired
(its articles handed over, not duplicated) once a build covers its file, and
that file is read once more under its absolute name; see `plan_build`.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, NamedTuple

from indexer.index.store import MANIFEST_NAME, MARKER_NAME
from indexer.ingest import KINDS, kind_of


class SourceFile(NamedTuple):
    """A file found by the walk: the path to open and its stat signature.
    (A tuple: a no-op rebuild makes one per file, 21,578 for Reuters as files.)"""

    source: str          # absolute, as reached from the path given to `build`, as UTF-8-safe text
    path: str            # what to open (differs from source only for non-UTF-8 names)
    size: int
    mtime_ns: int


@dataclass
class Walk:
    files: list[SourceFile] = field(default_factory=list)
    skipped: int = 0                       # files of kinds we do not read
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def source_roots(paths: list[str]) -> list[str]:
    """The paths given to build as absolute, normalised paths, each once:
    `tree`, `./tree/` and `$PWD/tree` are one root. Symlinks are kept as given
    (`abspath`, not `realpath`): a source is named by the path it was reached by."""
    return list(dict.fromkeys(os.path.abspath(p) for p in paths))


def walk_sources(paths: list[str], index_dir: str | os.PathLike | None = None) -> Walk:
    """Every readable source below `paths`, in a stable order, named by its
    absolute path. Hidden files and folders are skipped; symlinked folders are
    followed once (loops are reported, not followed forever). Index folders
    are never sources: `index_dir` and any folder holding an index marker are
    left out (an index inside the tree it indexes would index itself)."""
    walk = Walk()
    roots = source_roots(paths)
    excluded = {os.path.abspath(index_dir)} if index_dir is not None else set()
    for given in roots:
        try:
            st = os.stat(given)
        except FileNotFoundError:
            walk.problems.append((given, "no such file or folder"))
            continue
        except OSError as exc:
            walk.problems.append((given, exc.strerror or str(exc)))
            continue
        if stat.S_ISDIR(st.st_mode):
            if given in excluded or os.path.exists(os.path.join(given, MARKER_NAME)):
                walk.problems.append((given, "an index folder, not a source"))
                continue
            _walk_dir(given, walk, {(st.st_dev, st.st_ino)}, excluded)
        else:
            _add_file(given, st, walk, explicit=True)
    walk.files.sort(key=lambda f: f.source)
    if len(roots) > 1:
        # one root inside another (`build tree tree/d1`) reaches files twice
        files = walk.files
        walk.files = [f for i, f in enumerate(files) if not i or f.source != files[i - 1].source]
    return walk


def _walk_dir(folder: str, walk: Walk, seen: set[tuple[int, int]], excluded: set[str]) -> None:
    """One folder: its files go straight into `walk` (sorted once at the end),
    its subfolders are walked in name order. A no-op rebuild is mostly this
    loop, once per file, so it avoids per-file function calls where it can.
    `folder` is absolute and normalised (`source_roots`), so every entry.path
    below it already is: no per-file abspath."""
    try:
        entries = list(os.scandir(folder))
    except OSError as exc:
        walk.problems.append((folder, f"cannot list folder: {exc.strerror or exc}"))
        return
    if folder in excluded or any(entry.name == MARKER_NAME for entry in entries):
        return  # an index folder
    files, subfolders = walk.files, []
    kinds = KINDS
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        path = entry.path  # os.path.join(folder, entry.name), already made by scandir
        try:
            st = entry.stat()  # follows symlinks
        except OSError as exc:
            reason = "symlink loop or broken link" if entry.is_symlink() else (exc.strerror or str(exc))
            walk.problems.append((path, reason))
            continue
        mode = st.st_mode
        if stat.S_ISREG(mode):
            dot = name.rfind(".")
            # the common case (a lower-case suffix such as ".json"), else the full rules
            if (dot >= 0 and name[dot:] in kinds) or kind_of(name) is not None:
                files.append(SourceFile(path if path.isascii() else display_path(path), path,
                                        st.st_size, st.st_mtime_ns))
            else:
                walk.skipped += 1
        elif stat.S_ISDIR(mode):
            subfolders.append((name, path, st))
        elif kind_of(path) is not None:
            # Reading a FIFO would block the build; a device is no article.
            walk.problems.append((display_path(path), "not a regular file (a pipe, socket or device)"))
    subfolders.sort()
    for _name, path, st in subfolders:
        key = (st.st_dev, st.st_ino)
        if key in seen:
            walk.problems.append((path, "symlink loop: folder already visited"))
            continue
        _walk_dir(path, walk, seen | {key}, excluded)


def _add_file(path: str, st: os.stat_result, walk: Walk, *, explicit: bool) -> None:
    if kind_of(path) is None:
        walk.skipped += 1
        if explicit:
            walk.problems.append((path, "not a supported file kind"))
        return
    walk.files.append(SourceFile(display_path(path), path, st.st_size, st.st_mtime_ns))


def display_path(path: str) -> str:
    """The path as text that UTF-8 can carry: a file name that is not UTF-8
    (undecodable bytes arrive as surrogate escapes) gets U+FFFD in their place
    for the index and reports; the file itself is still opened by its real name."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def matcher_of_roots(roots: list[str]):
    """A test for "is this absolute source one of `roots` (normalised) or below one"."""
    exact = frozenset(roots)
    prefixes = tuple(root if root.endswith("/") else root + "/" for root in roots)
    return lambda source: source in exact or source.startswith(prefixes)


class _OneShotEncoder(json.JSONEncoder):
    """`json.dump` streams through the pure-Python encoder (140 ms for 21,578
    sources); this encodes in one go with the C encoder (55 ms) and still goes
    through `json.dump`, which tests/system/faultkit.py intercepts for its faults."""

    def iterencode(self, o, _one_shot=False):
        return super().iterencode(o, _one_shot=True)


@dataclass
class Manifest:
    """What the live index holds, source by source."""

    sources: dict[str, dict] = field(default_factory=dict)  # source -> {size, mtime_ns, ids}
    schema: int | None = None  # the schema version the index was built with
    # the number of articles when saved (None for older manifests): a no-op
    # build reports it without counting 21,578 id lists
    saved_articles: int | None = None

    @classmethod
    def load(cls, folder: Path) -> "Manifest":
        try:
            with open(folder / MANIFEST_NAME, encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            return cls()
        return cls(sources=data.get("sources", {}), schema=data.get("schema"),
                   saved_articles=data.get("articles"))

    def save(self, folder: Path) -> None:
        """Write atomically: a crash leaves the old manifest or the new one."""
        tmp = folder / (MANIFEST_NAME + ".tmp")
        self.saved_articles = self.article_count()
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"version": 1, "schema": self.schema, "articles": self.saved_articles,
                       "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                       "sources": self.sources}, fh, separators=(",", ":"), cls=_OneShotEncoder)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, folder / MANIFEST_NAME)

    def record(self, f: SourceFile, ids: list[str]) -> None:
        self.sources[f.source] = {"size": f.size, "mtime_ns": f.mtime_ns, "ids": list(ids)}

    def article_count(self) -> int:
        return sum(len(entry.get("ids", ())) for entry in self.sources.values())

    def ids_by_source(self) -> Iterator[tuple[str, list[str]]]:
        for source, entry in self.sources.items():
            yield source, entry.get("ids", [])


@dataclass
class Plan:
    """What a build must do: read `to_read`, drop articles of `removed`."""

    to_read: list[SourceFile]
    new: int
    changed: int
    unchanged: int
    removed: list[str]


def plan_build(walk: Walk, manifest: Manifest, roots: list[str]) -> Plan:
    """Compare the walk with the manifest. Sources outside the given roots are
    left alone while they exist, so `build new-folder/` adds to the archive
    without dropping what other folders brought.

    A legacy (relative) source of an older manifest is listed in `removed`
    when this build covers its file; the file itself, under its absolute
    name, is then new and read. Removing a source deletes only the ids that
    no source read or kept by this build holds (`_build_incremental`), so the
    articles move to the absolute source without loss or duplicates."""
    seen = set()
    to_read: list[SourceFile] = []
    new = changed = unchanged = 0
    known = manifest.sources
    for f in walk.files:
        seen.add(f.source)
        entry = known.get(f.source)
        if entry is None:
            new += 1
            to_read.append(f)
        elif entry["size"] == f.size and entry["mtime_ns"] == f.mtime_ns:
            unchanged += 1
        else:
            changed += 1
            to_read.append(f)
    # A file that could not be stat'ed keeps its articles; one that is gone loses them.
    unreadable = {path for path, _ in walk.problems}
    in_roots = matcher_of_roots(source_roots(roots))
    removed, legacy = [], []
    for s in known:
        if s in seen or s in unreadable:
            continue
        if s.startswith("/"):
            # a source that no longer exists goes wherever it was (a renamed
            # folder: its records come back under the new name, not as duplicates)
            if in_roots(s) or not (os.path.lexists(s) or "\ufffd" in s):
                removed.append(s)
        else:
            legacy.append(s)
    if legacy:
        removed += _covered_legacy(legacy, known, walk, in_roots, unreadable)
    return Plan(to_read, new, changed, unchanged, removed)


def _covered_legacy(legacy: list[str], known: dict[str, dict], walk: Walk, in_roots,
                    unreadable: set[str]) -> list[str]:
    """The legacy (relative) sources this build covers. The working directory
    they were relative to was not recorded, so a legacy source is covered when
    - read from the current directory, it is below the roots (the usual case:
      the same command run from the same place), or
    - a walked file ends with the same path and has the same size and mtime
      (the same file, reached from another directory).
    Others are left as they are (their articles stay) until a build covers them."""
    tails: dict[int, dict[str, set[tuple[int, int]]]] = {}  # last n parts -> signatures
    covered = []
    for s in legacy:
        absolute = os.path.abspath(s)
        if in_roots(absolute):
            if absolute not in unreadable:
                covered.append(s)
            continue
        parts = [p for p in os.path.normpath(s).split("/") if p not in ("", ".", "..")]
        if not parts:
            continue
        n = len(parts)
        if n not in tails:
            tails[n] = by_tail = {}
            for f in walk.files:
                by_tail.setdefault("/".join(f.source.rsplit("/", n)[-n:]), set()).add((f.size, f.mtime_ns))
        entry = known[s]
        if (entry.get("size"), entry.get("mtime_ns")) in tails[n].get("/".join(parts), ()):
            covered.append(s)
    return covered
