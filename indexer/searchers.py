"""Whoosh searchers shared across requests, and cached filter results.

Opening a searcher costs far more than a query, so each thread keeps one and
only reopens it when a build committed (a new Whoosh generation) or a full
build swapped the live folder. Filters (publications, date ranges) repeat from
page to page, so their document sets are cached per index version.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.idsets import BitSet
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from indexer import store

FILTER_CACHE_SIZE = 64


class SearcherPool:
    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        store.require_live_generation(self.index_dir)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._filters: OrderedDict[tuple, BitSet] = OrderedDict()

    def get(self) -> Searcher:
        """This thread's searcher on the newest committed index."""
        generation = store.require_live_generation(self.index_dir).resolve()
        cached = getattr(self._local, "state", None)
        if cached is not None and cached[0] == generation:
            searcher = cached[1]
            if searcher.up_to_date():
                return searcher
            searcher = searcher.refresh()
        else:
            with self._lock:
                searcher = _open_index(generation).searcher(weighting=BM25F())
        _reuse_column_readers(searcher)
        self._local.state = (generation, searcher)
        return searcher

    def version(self, searcher: Searcher) -> tuple[str, int | None]:
        """Which index version a searcher reads: live folder and Whoosh generation."""
        for gen, cached in [getattr(self._local, "state", (None, None))]:
            if cached is searcher:
                return str(gen), searcher.reader().generation()
        return str(store.require_live_generation(self.index_dir).resolve()), searcher.reader().generation()

    def filter_docs(self, searcher: Searcher, key: tuple, q) -> BitSet:
        """The document numbers matching filter query `q`, cached under `key`
        for this exact index version (a rebuild never serves stale sets)."""
        full_key = (self.version(searcher), key)
        with self._lock:
            found = self._filters.get(full_key)
            if found is not None:
                self._filters.move_to_end(full_key)
                return found
        found = BitSet(searcher.docs_for_query(q), size=searcher.doc_count_all())
        with self._lock:
            self._filters[full_key] = found
            while len(self._filters) > FILTER_CACHE_SIZE:
                self._filters.popitem(last=False)
        return found


def _reuse_column_readers(searcher: Searcher) -> None:
    """Keep each segment's column readers for the searcher's life.

    Whoosh builds a new column reader on every call, and a variable-width
    column (the publication, year and month facets) reads its whole offset
    table each time: ~5% of a query's CPU on Reuters, three times per search.
    A segment never changes once written, and each thread has its own
    searcher, so the readers can be kept per segment reader; a refreshed
    searcher keeps the readers of the segments it reuses."""
    for leaf, _offset in searcher.reader().leaf_readers():
        if getattr(leaf, "_kept_columns", None) is not None:
            continue
        kept: dict = {}
        make = leaf.column_reader

        def column_reader(fieldname, column=None, reverse=False, translate=True,
                          _make=make, _kept=kept):
            key = (fieldname, column, reverse, translate)
            found = _kept.get(key)
            if found is None:
                found = _kept[key] = _make(fieldname, column, reverse, translate)
            return found

        leaf.column_reader = column_reader
        leaf._kept_columns = kept


def _open_index(generation: Path):
    """Open without mmap: Whoosh copies each file of an mmapped compound segment
    into a BytesIO, about 170 MB per searcher on Reuters, once per thread (8
    threads: over 1 GB). Plain file reads share the OS page cache instead."""
    return FileStorage(str(generation), supports_mmap=False, readonly=True).open_index()
