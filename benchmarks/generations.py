"""What keeping generations costs: an incremental build's new generation is made
of hard links to the live one's files (`indexer.index.store.copy_generation`),
so that the live one is never changed and stays restorable.

Builds a copy of SOURCE with --full, then changes one file (a new mtime) and
runs an incremental build `--repeats` times, printing each build's time and the
part spent linking the new generation, then the disk the kept generations take.

    .venv/bin/python benchmarks/generations.py corpus/reuters21578
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer.index import store  # noqa: E402
from indexer.index.build import build_index  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="a folder of sources (copied first: one file's mtime changes)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="newsindex-generations-"))
    try:
        src, ix = work / "src", work / "ix"
        shutil.copytree(args.source, src)
        build_index([src], ix, full=True, jobs=2)
        real, spent = store.copy_generation, []

        def timed(*a, **kw):
            started = time.perf_counter()
            result = real(*a, **kw)
            spent.append(time.perf_counter() - started)
            return result

        store.copy_generation = timed
        victim = sorted(p for p in src.rglob("*") if p.is_file())[0]
        for n in range(args.repeats):
            os.utime(victim, ns=(time.time_ns() + (n + 1) * 10**9,) * 2)
            started = time.perf_counter()
            report = build_index([src], ix, jobs=1)
            total = time.perf_counter() - started
            files = len(list(store.require_live_generation(ix).iterdir()))
            print(f"incremental build {n + 1}: {total:.2f} s, linking the new generation {spent[-1] * 1000:.1f} ms "
                  f"({files} files); {report.articles['updated']:,} articles re-read of {report.articles['total']:,}")
        generations = [p for p in ix.iterdir() if p.name.startswith(store.GEN_PREFIX)]
        apparent = sum(f.stat().st_size for g in generations for f in g.iterdir()) / 2**20
        on_disk = subprocess.run(["du", "-sm", str(ix)], capture_output=True, text=True).stdout.split()[0]
        print(f"{len(generations)} generations kept: {apparent:.0f} MB apparent, {on_disk} MB on disk")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
