"""Whoosh searchers shared across requests, cached filter results, and
per-segment arrays of the columns a search page needs.

Opening a searcher costs far more than a query, so each thread keeps one and
only reopens it when a build committed (a new Whoosh generation) or a full
build swapped the live folder. Filters (publications, date ranges) repeat from
page to page, so their document sets are cached per index version.

Whoosh reads a column value (a facet key, a date, a field length for BM25F)
from the segment file on every call: profiled over the benchmark queries this
was ~25% of a search's CPU. A segment never changes once written, so its
facet columns, dates and field lengths are read once into arrays (about 12
bytes per article) shared by every thread, keyed by segment id.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from whoosh.filedb.filestore import FileStorage
from whoosh.idsets import BitSet
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from indexer import whoosh_internals
from indexer.index import store
from indexer.search import collect

FILTER_CACHE_SIZE = 64
LENGTH_OF_BYTE = [byte_to_length(b) for b in range(256)]


class SearcherPool:
    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        store.require_live_generation(self.index_dir)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._filters: OrderedDict[tuple, tuple[BitSet, np.ndarray]] = OrderedDict()
        # per segment (and per index version, once assembled): facet codes,
        # sort keys, field lengths; small (about 12 bytes per article)
        self._arrays: dict[tuple, object] = {}

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
        self._preload_lengths(searcher, str(generation))
        self._drop_other_versions(searcher, str(generation))
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
        return self._filter_entry(searcher, key, q)[0]

    def filter_mask(self, searcher: Searcher, key: tuple, q) -> np.ndarray:
        """The same filter as a bool array over all document numbers."""
        return self._filter_entry(searcher, key, q)[1]

    def _filter_entry(self, searcher: Searcher, key: tuple, q) -> tuple[BitSet, np.ndarray]:
        full_key = (self.version(searcher), key)
        with self._lock:
            found = self._filters.get(full_key)
            if found is not None:
                self._filters.move_to_end(full_key)
                return found
        # the array evaluation: Whoosh's docs_for_query steps a date range's union
        # of terms one posting at a time (5 s for one filter at 216k articles)
        docs = collect.scan(searcher, q, None, scored=False).docnums
        mask = np.zeros(searcher.doc_count_all(), dtype=bool)
        mask[docs] = True
        found = (BitSet(docs.tolist(), size=searcher.doc_count_all()), mask)
        with self._lock:
            self._filters[full_key] = found
            while len(self._filters) > FILTER_CACHE_SIZE:
                self._filters.popitem(last=False)
        return found

    # -- column arrays -------------------------------------------------------
    def _drop_other_versions(self, searcher: Searcher, folder: str) -> None:
        """Forget the arrays of index versions and segments the newest searcher
        does not read (a long-running server sees many rebuilds). A thread still
        on an older version just makes its arrays again."""
        version = self.version(searcher)
        segments = {(folder, _segment_id(leaf)) for leaf, _ in searcher.reader().leaf_readers()}
        with self._lock:
            for key in list(self._arrays):
                kind = key[0]
                if kind in ("facet", "sort", "lengths"):
                    stale = (key[1], key[2]) not in segments if kind != "lengths" else key[1] not in segments
                else:
                    stale = key[1] != version
                if stale:
                    del self._arrays[key]


    def _cached(self, key: tuple, make):
        """A value shared by all threads, made once (a race only makes it twice)."""
        found = self._arrays.get(key)
        if found is None:
            found = make()
            with self._lock:
                self._arrays[key] = found
        return found

    def facet_codes(self, searcher: Searcher, fieldname: str) -> tuple[np.ndarray, list[str]]:
        """(code of every document's value, names by code) for a sortable
        field, as Whoosh's FieldFacet names them (a missing value is "")."""
        folder = self.version(searcher)[0]

        def assemble():
            parts, names, index = [], [], {}
            for leaf, _offset in searcher.reader().leaf_readers():
                seg_codes, seg_names = self._cached(
                    ("facet", folder, _segment_id(leaf), fieldname), lambda leaf=leaf: _segment_facet(leaf, fieldname))
                remap = np.array([index.setdefault(n, len(index)) for n in seg_names] or [0],
                                 dtype=np.int32)
                parts.append(remap[seg_codes] if len(seg_codes) else seg_codes)
            names = list(index)
            codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
            return codes, names
        return self._cached(("facets", self.version(searcher), fieldname), assemble)

    def period_totals(self, searcher: Searcher, interval: str, make) -> dict:
        """Articles per period (the share view's denominators), made by
        `make()` once per index version and interval."""
        return self._cached(("periods", self.version(searcher), interval), make)

    def sort_keys(self, searcher: Searcher, fieldname: str, reverse: bool) -> np.ndarray:
        """Every document's sort key for `sortedby=FieldFacet(fieldname,
        reverse=reverse)`, as an array that orders exactly as Whoosh's keys."""
        folder = self.version(searcher)[0]

        def assemble():
            parts = [self._cached(("sort", folder, _segment_id(leaf), fieldname),
                                  lambda leaf=leaf: _segment_numbers(leaf, fieldname))
                     for leaf, _offset in searcher.reader().leaf_readers()]
            values = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
            if not reverse:
                return values
            # Whoosh's reversed key is 0 - value; a decreasing map keeps that order
            if values.dtype == np.uint64:
                return np.iinfo(np.uint64).max - values
            return -values
        return self._cached(("sortkeys", self.version(searcher), fieldname, reverse), assemble)

    def _preload_lengths(self, searcher: Searcher, folder: str) -> None:
        """Serve BM25F's per-document field lengths from bytes read once per
        segment instead of one file read per scored posting (~10% of a
        search's CPU in the profile), shared by every thread."""
        for leaf, _offset in searcher.reader().leaf_readers():
            segment = (folder, _segment_id(leaf))
            whoosh_internals.preload_lengths(
                leaf, lambda fieldname, read, _segment=segment: self._cached(("lengths", _segment, fieldname), read),
                LENGTH_OF_BYTE)


def _reuse_column_readers(searcher: Searcher) -> None:
    """Keep each segment's column readers for the searcher's life.

    Whoosh builds a new column reader on every call, and a variable-width
    column (the publication, year and month facets) reads its whole offset
    table each time: ~5% of a query's CPU on Reuters, three times per search.
    A segment never changes once written, and each thread has its own
    searcher, so the readers can be kept per segment reader; a refreshed
    searcher keeps the readers of the segments it reuses."""
    for leaf, _offset in searcher.reader().leaf_readers():
        whoosh_internals.keep_column_readers(leaf)


def _segment_id(leaf) -> str:
    """A segment's id (unique within an index folder; a segment never changes)."""
    segment = leaf.segment()
    return segment.segment_id() if segment is not None else f"reader-{id(leaf)}"


def _segment_facet(leaf, fieldname: str) -> tuple[np.ndarray, list[str]]:
    """Codes of a segment's values of a sortable field, and the names by code
    (the field's `from_column_value`, as FieldFacet's categorizer gives them)."""
    fieldobj = leaf.schema[fieldname]
    n = leaf.doc_count_all()
    reader = leaf.column_reader(fieldname, translate=False)
    raw = whoosh_internals.varbytes_column_values(reader, n)
    if raw is None:
        raw = [reader.sort_key(i) for i in range(n)]
    index: dict = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in raw), dtype=np.int32, count=n)
    names = [fieldobj.from_column_value(v) for v in index]
    return codes, names


def _segment_numbers(leaf, fieldname: str) -> np.ndarray:
    """A numeric column's values for every document of a segment (missing
    values are the column's default, as Whoosh reads them)."""
    n = leaf.doc_count_all()
    reader = leaf.column_reader(fieldname, translate=False)
    values = whoosh_internals.numeric_column_array(reader, n)
    return values if values is not None else np.array([reader[i] for i in range(n)])


def _open_index(generation: Path):
    """Open without mmap: Whoosh copies each file of an mmapped compound segment
    into a BytesIO, about 170 MB per searcher on Reuters, once per thread (8
    threads: over 1 GB). Plain file reads share the OS page cache instead."""
    return FileStorage(str(generation), supports_mmap=False, readonly=True).open_index()
