"""The full build's Whoosh writers, with a posting pool made for them.

Whoosh's `PostingPool` keeps one tuple per posting, works out each one's size
(to know when to spill sorted runs to disk) and sorts all of them at commit:
about a tenth of a writer's CPU on Reuters. A full build writes a new, empty
index, adds documents in order and sizes its pools never to spill, so a
term's postings already arrive in document order. `TermPool` keeps them per
term as they come and sorts only the terms at commit.

Only for writers that add documents to an empty index: a writer that merges
existing segments (Whoosh's `add_reader`) or runs out of memory needs
Whoosh's own pool, which incremental builds keep using.
"""

from __future__ import annotations

from typing import Iterator

from whoosh.index import FileIndex
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import SegmentWriter

from indexer.errors import WriterProcessLost


class TermPool:
    """Postings grouped by field and term, in the order added (Whoosh's pool
    interface: `add`, `iter_postings`, `fieldnames`, `cleanup`)."""

    def __init__(self) -> None:
        self._fields: dict[str, dict[bytes, list[tuple]]] = {}
        self.fieldnames: set[str] = set()

    def add(self, item: tuple) -> None:
        """One posting: (fieldname, term bytes, docnum, weight, value bytes)."""
        terms = self._fields.get(item[0])
        if terms is None:
            terms = self._fields[item[0]] = {}
            self.fieldnames.add(item[0])
        postings = terms.get(item[1])
        if postings is None:
            terms[item[1]] = [item]
        else:
            postings.append(item)

    def iter_postings(self) -> "SortedPostings":
        """Every posting in (field, term, docnum) order, as Whoosh's pool gives
        them; `indexer.index.codec`'s field writer takes them a term at a time."""
        return SortedPostings(self._fields)

    def cleanup(self) -> None:
        self._fields = {}


class SortedPostings:
    """A `TermPool`'s postings in order: one by one (Whoosh's field writers)
    or as (field, [(term, postings), ...]) (`codec.ArrayFieldWriter`)."""

    def __init__(self, fields: dict[str, dict[bytes, list[tuple]]]) -> None:
        self._fields = fields

    def by_term(self) -> Iterator[tuple[str, Iterator[tuple[bytes, list[tuple]]]]]:
        fields = self._fields
        for fieldname in sorted(fields):
            terms = fields[fieldname]
            yield fieldname, ((text, terms[text]) for text in sorted(terms))

    def __iter__(self) -> Iterator[tuple]:
        for _fieldname, terms in self.by_term():
            for _text, postings in terms:
                yield from postings


class _TermPoolTask(SubWriterTask):
    """Whoosh's sub-writer process, writing with a `TermPool`."""

    def _process_file(self, filename, doc_count):
        if not isinstance(self.writer.pool, TermPool):
            self.writer.pool = TermPool()  # before the first document
        super()._process_file(filename, doc_count)


class FullBuildWriter(MpWriter):
    """Whoosh's multi-process writer whose sub-writers use a `TermPool`, and
    which checks that the commit holds every document it was given: Whoosh's
    `MpWriter` commits without the segment of a sub-writer process that died
    (killed, out of memory), silently leaving its documents out."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.documents_given = 0

    def add_document(self, **fields) -> None:
        super().add_document(**fields)
        self.documents_given += 1

    def commit(self, *args, **kwargs) -> None:
        super().commit(*args, **kwargs)
        committed = FileIndex(self.storage, self.schema, self.indexname).doc_count_all()
        if committed != self.documents_given:
            raise WriterProcessLost(
                f"a writer process died: the new index holds {committed} of the "
                f"{self.documents_given} articles written")

    def _new_task(self):
        if self.start_method is not None:  # a spawned process: Whoosh's own task
            return super()._new_task()
        task = _TermPoolTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                             self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task


def empty_index_writer(ix, procs: int, limit_mb: int, codec) -> SegmentWriter:
    """A writer for documents added to the empty index `ix`: `procs` sub-writer
    processes, one segment each (no final merge), or one writer in-process."""
    if procs > 1:
        return FullBuildWriter(ix, procs=procs, multisegment=True, limitmb=limit_mb, codec=codec)
    writer = SegmentWriter(ix, limitmb=limit_mb, codec=codec)
    writer.pool = TermPool()
    return writer
