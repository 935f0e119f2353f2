"""Where a build task's CPU goes: the build's tasks run one after another in
this process, with a timer (CPU time, no profiler) around each stage.

    .venv/bin/python benchmarks/task_stages.py [SOURCE ...]     # default: corpus/
    PYTHONPATH=CHECKOUT .venv/bin/python benchmarks/task_stages.py   # another checkout, same venv

Stages (a stage's time includes the stages inside it): reading and cleaning
(`stream_source`), MinHash signatures, the segment writer (`write_segment`)
and inside it the batch text analysis (of it, learning new words: stemming
and numbering, timed per batch of new words), grouping tokens into postings, the posting blocks and term
table, the other indexed fields, stored fields/lengths/columns, and the
vocabulary counts. A timer costs ~1 us a call (most stages are called a few
times per task). Stages a checkout does not
have are left out.
"""

from __future__ import annotations

import functools
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SPENT: Counter = Counter()
RUNNING: Counter = Counter()  # stages being timed now
ORDER = []  # stages in the order they were set up


def _timed(owner, name: str, stage: str, generator: bool = False) -> None:
    function = getattr(owner, name, None)
    if function is None:
        return
    if generator:
        @functools.wraps(function)
        def timed(*args, **kwargs):
            items = function(*args, **kwargs)
            while True:
                started = time.process_time()
                try:
                    item = next(items)
                except StopIteration:
                    SPENT[stage] += time.process_time() - started
                    return
                SPENT[stage] += time.process_time() - started
                yield item
    else:
        @functools.wraps(function)
        def timed(*args, **kwargs):
            if RUNNING[stage]:  # called inside another function of its stage: counted there
                return function(*args, **kwargs)
            RUNNING[stage] += 1
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                SPENT[stage] += time.process_time() - started
                RUNNING[stage] -= 1
    setattr(owner, name, timed)
    if stage not in ORDER:
        ORDER.append(stage)


def main() -> None:
    from whoosh import index as whoosh_index

    from indexer import whoosh_internals
    from indexer.index import analysis, codec, segment, signatures, tasks
    from indexer.index.schema import make_schema
    from indexer.index.sources import walk_sources

    _timed(tasks, "stream_source", "read and clean", generator=True)
    _timed(signatures, "signatures", "signatures")        # batched (session 6)
    _timed(signatures, "signature", "signatures")         # one at a time (before)
    _timed(signatures, "signatures_of_words", "signatures")  # from the analysed words (session 8)
    _timed(tasks, "article_words", "vocabulary words")    # before: a second pass per article
    _timed(segment, "_count_words", "vocabulary words")   # session 6: from the analysis
    _timed(tasks, "write_segment", "write_segment (all)")
    _timed(analysis.BatchAnalyzer, "analyse", "  text analysis")
    _timed(analysis.BatchAnalyzer, "_add_words", "    learning new words (stemming, numbering)")
    _timed(segment, "_group", "  tokens grouped into postings")
    _timed(codec.ArrayFieldWriter, "add_term_arrays", "  posting blocks and term table")
    _timed(whoosh_internals, "_write_hash_tables", "  the term table's hash tables (at its close)")
    _timed(segment, "_value_postings", "  other indexed fields (ids, dates, names)")
    _timed(segment, "_write_documents", "  stored fields, lengths, columns")
    roots = sys.argv[1:] or [str(REPO / "corpus")]
    folder = Path(tempfile.mkdtemp())
    try:
        whoosh_index.create_in(str(folder), make_schema())
        planned = tasks.plan_tasks(walk_sources(roots).files, folder, "stages", None)
        started = time.process_time()
        articles = sum(len(outcome.ids) for task in planned for outcome in tasks.run_task(task).sources)
        total = time.process_time() - started
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{len(planned)} tasks, {articles:,} articles, {total:.2f} s CPU in the tasks\n")
    print("| stage | CPU | share |\n| --- | --- | --- |")
    for stage in ORDER:
        spent = SPENT[stage]
        if spent:
            print(f"| {stage} | {spent:.2f} s | {spent / total:.0%} |")


if __name__ == "__main__":
    main()
