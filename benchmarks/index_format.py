"""What the index format costs: compressors for stored fields and posting
blocks on a build's real data, and searching indexes of two formats.

    .venv/bin/python benchmarks/index_format.py compressors [SOURCE ...]   # default: corpus/
    .venv/bin/python benchmarks/index_format.py search INDEX INDEX ...

`compressors` runs the build's tasks in this process (as `task_stages.py`),
keeps every document's stored fields and every part A the codec compresses,
then times each candidate (CPU, best of 3): the bytes it makes and the time
`zlib.decompress` (the readers') takes to inflate them all. `search` opens
the indexes in one process and, round by round in alternating order, runs
`speed_queries.query_set()` through `Archive.search` and reads the stored
fields of every document: the reading code is the same for every index, so
what differs is the format (build the indexes with the checkouts to compare).
"""

from __future__ import annotations

import pickle
import shutil
import statistics
import sys
import tempfile
import time
import zlib
from functools import partial
from pathlib import Path

from harness import REPO

ROUNDS = 6


def _best(function, items: list, repeats: int = 3) -> tuple[float, list]:
    best, out = float("inf"), []
    for _ in range(repeats):
        started = time.process_time()
        out = [function(item) for item in items]
        best = min(best, time.process_time() - started)
    return best, out


def _captured(roots: list[str]) -> tuple[list[dict], list[bytes]]:
    """Every stored-fields dict and every part A compressed by a build of `roots`."""
    from isal import isal_zlib
    from whoosh import index as whoosh_index

    from indexer import whoosh_internals
    from indexer.index import codec, segment, tasks
    from indexer.index.schema import make_schema
    from indexer.index.sources import walk_sources

    stored: list[dict] = []
    parts: list[bytes] = []
    encoder = whoosh_internals.stored_fields_encoder

    def keeping_encoder(compress):
        encode = encoder(compress)
        return lambda fields: (stored.append(fields), encode(fields))[1]

    class KeepingCompressor:
        def __getattr__(self, name):
            return getattr(isal_zlib, name)

        def compress(self, data, level):
            parts.append(bytes(data))
            return isal_zlib.compress(data, level)

    whoosh_internals.stored_fields_encoder = keeping_encoder
    codec.isal_zlib = KeepingCompressor()
    segment.compress_stored_fields = lambda data: isal_zlib.compress(data, codec.STORED_FIELDS_LEVEL)
    folder = Path(tempfile.mkdtemp())
    try:
        whoosh_index.create_in(str(folder), make_schema())
        for task in tasks.plan_tasks(walk_sources(roots).files, folder, "format", None):
            tasks.run_task(task)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return stored, parts


def compressors(roots: list[str]) -> None:
    from isal import isal_zlib

    stored, parts = _captured(roots)
    print(f"{len(stored):,} documents' stored fields, {len(parts):,} parts A\n")
    print("| stored fields | pickle | compress | compressed | zlib.decompress, all |\n| --- | --- | --- | --- | --- |")
    for protocol in (2, 5):
        dumped_in, pickled = _best(partial(pickle.dumps, protocol=protocol), stored)
        for name, level, compress in [("zlib", 3, zlib.compress), ("zlib", 1, zlib.compress),
                                      ("zlib", 0, zlib.compress), ("ISA-L", 1, isal_zlib.compress),
                                      ("ISA-L", 0, isal_zlib.compress)]:
            took, packed = _best(partial(compress, level=level), pickled)
            inflated_in, inflated = _best(zlib.decompress, packed)
            assert inflated == pickled
            print(f"| protocol {protocol}, {name} {level} | {dumped_in * 1000:.0f} ms | {took * 1000:.0f} ms "
                  f"| {sum(map(len, packed)) / 1e6:.2f} MB | {inflated_in * 1000:.0f} ms |")
    print(f"\n| part A ({sum(map(len, parts)) / 1e6:.2f} MB) | compress | kept bytes | zlib.decompress, all |")
    print("| --- | --- | --- | --- |")
    for name, level, compress in [("zlib", 3, zlib.compress), ("ISA-L", 0, isal_zlib.compress),
                                  ("ISA-L", 1, isal_zlib.compress)]:
        took, packed = _best(partial(compress, level=level), parts)
        inflated_in, _ = _best(zlib.decompress, packed)
        kept = sum(min(len(p), len(raw)) for p, raw in zip(packed, parts))  # the codec keeps the smaller
        print(f"| {name} {level} | {took * 1000:.0f} ms | {kept / 1e6:.2f} MB | {inflated_in * 1000:.0f} ms |")


def search(indexes: list[str]) -> None:
    from speed_queries import _day, query_set
    from whoosh import index as whoosh_index

    from indexer import Archive, SearchRequest
    from indexer.index import store

    requests = [SearchRequest(query=q["q"], publications=tuple(q.get("publication", [])),
                              date_from=_day(q.get("from")), date_to=_day(q.get("to"), end=True),
                              sort=q.get("sort", "relevance")) for q in query_set()]
    archives = {name: Archive(name) for name in indexes}
    for archive in archives.values():  # warm, as a running server would be
        for request in requests:
            archive.search(request)
    query_ms = {name: [] for name in indexes}
    stored_us = {name: [] for name in indexes}
    for round_ in range(ROUNDS):
        for name in indexes if round_ % 2 == 0 else indexes[::-1]:
            started = time.process_time()
            for request in requests:
                archives[name].search(request)
            query_ms[name].append((time.process_time() - started) / len(requests) * 1000)
            ix = whoosh_index.open_dir(str(store.live_generation(Path(name))))
            with ix.searcher() as searcher:
                count = searcher.doc_count_all()
                started = time.process_time()
                for docnum in range(count):
                    searcher.stored_fields(docnum)
                stored_us[name].append((time.process_time() - started) / count * 1e6)
    print(f"{len(requests)} queries, {ROUNDS} rounds (CPU)\n")
    print("| index | query CPU, median (rounds) | stored fields of every document, median (rounds) |")
    print("| --- | --- | --- |")
    for name in indexes:
        rounds_q = ", ".join(f"{x:.2f}" for x in query_ms[name])
        rounds_s = ", ".join(f"{x:.1f}" for x in stored_us[name])
        print(f"| {name} | {statistics.median(query_ms[name]):.2f} ms ({rounds_q}) "
              f"| {statistics.median(stored_us[name]):.1f} us a document ({rounds_s}) |")


def main() -> None:
    what, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("compressors", [])
    if what == "compressors":
        compressors(args or [str(REPO / "corpus")])
    elif what == "search" and args:
        search(args)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
