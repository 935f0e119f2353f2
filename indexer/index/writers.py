"""The full build's writer: documents in batches, each batch one segment
written by `indexer.index.segment.write_segment`, in writer processes.

It has the interface `build._build_full` drives (`add_document`, `commit`,
`cancel`, `is_closed`): documents are gathered into batches of about
`batch_text_bytes` of text; each full batch goes to a writer process (or is
written in this process when `procs` is 1) while the build goes on reading;
`commit` waits for every batch and lists their segments, in the order the
documents came, in one new table of contents. A writer process that dies
(killed, out of memory) fails the commit: no segment of a build is ever
left out silently.
"""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool
from typing import Callable

from whoosh.index import FileIndex

from indexer.errors import WriterProcessLost
from indexer.index.segment import commit_segments, write_segment


def _write_batch(ix: FileIndex, documents: list[dict]):
    """In a writer process: one batch -> one segment (returned to the parent, pickled)."""
    return write_segment(ix, documents)


class SegmentBatchWriter:
    """Writes added documents as one segment per batch (see the module docstring)."""

    def __init__(self, ix: FileIndex, procs: int, batch_text_bytes: int,
                 on_fork: Callable[[], None] | None = None) -> None:
        self.ix = ix
        self.procs = procs
        self.batch_text_bytes = batch_text_bytes
        self.is_closed = False
        self._on_fork = on_fork
        self._batch: list[dict] = []
        self._batch_bytes = 0
        self._pending: list = []  # futures (or finished segments), in document order
        self._pool = None
        self.documents_given = 0

    def add_document(self, **fields) -> None:
        self._batch.append(fields)
        self.documents_given += 1
        self._batch_bytes += len(fields.get("body") or "") + len(fields.get("headline") or "")
        if self._batch_bytes >= self.batch_text_bytes:
            self._flush()

    def _flush(self) -> None:
        batch, self._batch, self._batch_bytes = self._batch, [], 0
        if not batch:
            return
        if self.procs <= 1:
            self._pending.append(write_segment(self.ix, batch))
            return
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(self.procs, mp_context=multiprocessing.get_context("fork"),
                                             initializer=self._on_fork)
        try:
            self._pending.append(self._pool.submit(_write_batch, self.ix, batch))
        except BrokenProcessPool:  # a writer process died: `commit` fails
            self._pending.append(None)

    def commit(self) -> None:
        """Write the last batch, wait for all, and list every segment in the index."""
        from concurrent.futures import Future

        try:
            self._flush()
            try:
                segments = [p.result() if isinstance(p, Future) else p for p in self._pending]
            except BrokenProcessPool:
                segments = [None]
            if None in segments:
                raise WriterProcessLost(f"a writer process died: {self.documents_given} articles were "
                                        f"given, not all of them were written")
            commit_segments(self.ix, segments)
        finally:
            self._close()

    def cancel(self) -> None:
        """Stop the writer processes now (Ctrl-C, a failed read); the segments
        written so far are never listed (the build drops its generation)."""
        if self._pool is not None:
            from indexer.index.children import stop_children

            workers = list((self._pool._processes or {}).values())  # no public handle on them
            self._pool.shutdown(wait=False, cancel_futures=True)
            stop_children(workers)
            self._pool = None
        self.is_closed = True

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self.is_closed = True
