"""Searches while builds commit: never an error, never a half-written index.

Threads search through one shared `Archive` and through the Flask app while
real `newsindex build` processes (incremental commits and --full swaps, the
last ones pruning old generations) change the index under them. Every total a
search reports must be the article count of some committed state, and within
one answer the facet counts must add up to the total.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

from tests.system.faultkit import FaultCorpus, check_index, run_killed_build

SEARCH_THREADS = 3
WEB_THREADS = 2


class SearchLoad:
    """Searcher threads that record every total they see and every exception."""

    def __init__(self, index_dir: Path) -> None:
        from indexer import Archive
        from webui import create_app

        self.archive = Archive(index_dir)
        self.app = create_app(index_dir)
        self.stop = threading.Event()
        self.totals: Counter[int] = Counter()
        self.errors: list[str] = []
        self.requests = 0
        self._lock = threading.Lock()
        self.threads = [threading.Thread(target=self._engine, daemon=True) for _ in range(SEARCH_THREADS)]
        self.threads += [threading.Thread(target=self._web, daemon=True) for _ in range(WEB_THREADS)]

    def _record(self, total: int, facet_sum: int, where: str, *, whole: bool = True) -> None:
        with self._lock:
            self.requests += 1
            if whole:   # a search over every article: its total is a committed state's count
                self.totals[total] += 1
            if facet_sum != total:
                self.errors.append(f"{where}: facets add up to {facet_sum}, total is {total}")

    def _fail(self, where: str) -> None:
        with self._lock:
            self.errors.append(f"{where}: {traceback.format_exc()}")

    def _engine(self) -> None:
        from indexer import SearchRequest

        requests = [SearchRequest(query="*"), SearchRequest(query="*", sort="newest", page=2),
                    SearchRequest(query="", publications=("Reuters",)), SearchRequest(query="*", sort="newest")]
        n = 0
        while not self.stop.is_set():
            request = requests[n % len(requests)]
            n += 1
            try:
                results = self.archive.search(request)
                self._record(results.total, sum(results.facets["publication"].values()), "engine",
                             whole=not request.publications)
                self.archive.search(SearchRequest(query="oil prices", per_page=20))
                for hit in results.hits[:2]:
                    self.archive.get_article(hit.id)   # may be gone by now (None), must not raise
            except Exception:  # noqa: BLE001 - any exception is the failure being tested for
                self._fail("engine")

    def _web(self) -> None:
        client = self.app.test_client()
        n = 0
        while not self.stop.is_set():
            n += 1
            try:
                r = client.get("/api/search?q=*&per_page=5" if n % 2 else "/search?q=oil+OR+cocoa")
                if r.status_code != 200:
                    with self._lock:
                        self.errors.append(f"web: {r.status_code} {r.get_data(as_text=True)[:300]}")
                    continue
                if r.mimetype == "application/json":
                    data = r.get_json()
                    self._record(data["total"], sum(data["facets"]["publication"].values()), "web")
            except Exception:  # noqa: BLE001
                self._fail("web")

    def __enter__(self) -> "SearchLoad":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)


def _build(corpus: FaultCorpus, *extra: str) -> int:
    proc = run_killed_build(corpus.argv("--json", "--jobs", "1", *extra), "none")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)["articles"]["total"]


def test_searches_never_fail_or_see_half_an_index_while_builds_commit(tmp_path):
    corpus = FaultCorpus(tmp_path, files=6, per_file=20)
    corpus.write_old()
    states = {_build(corpus)}
    with SearchLoad(corpus.index) as load:
        time.sleep(0.5)
        # added articles bring a new publication and new years: new facet values and sort keys
        new_files = [[dict(r, publication=f"Harbour Gazette {i}", date=f"199{i}-05-0{n % 9 + 1}")
                      for n, r in enumerate(corpus._chunk(corpus.files + i))] for i in range(2)]
        for i, records in enumerate(new_files):          # incremental: a file added each time
            corpus._write(f"extra-{i}.jsonl", records)
            states.add(_build(corpus))
        states.add(_build(corpus, "--full"))               # swap
        (corpus.src / "wire-00.jsonl").unlink()            # incremental delete
        states.add(_build(corpus))
        for _ in range(2):                                 # swaps that prune the older generations
            states.add(_build(corpus, "--full"))
        time.sleep(0.5)
    assert not load.errors, "\n".join(load.errors[:5])
    assert load.requests > 20, load.requests
    assert set(load.totals) <= states, (load.totals, states)
    assert len(set(load.totals)) >= 2, "the searches never saw a rebuild: the test proved nothing"
    expected = corpus.old_ids() - {r["id"] for r in corpus._chunk(0)}
    expected |= {r["id"] for chunk in new_files for r in chunk}
    check_index(corpus.index, expected)
