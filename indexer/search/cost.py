"""What one query may cost: the words its wildcards, ranges and fuzzy terms
expand to, and the CPU time its evaluation takes.

A pattern is a union of every word it matches: `oil +*e*` matched most of the
vocabulary and took 7 CPU-seconds, `body:{a to z}` 29,000 words, 250 two-letter
prefixes ran for 11 s; six such queries in one request took 46 s and 964 MB.
As Lucene caps the clauses a query rewrites to, `check_expansions` refuses a
query before it runs when a wildcard has fewer than `MIN_WILDCARD_PREFIX`
letters before it, one pattern expands to more than `MAX_TERM_EXPANSION` words
in a field, or the whole query to more than `MAX_QUERY_TERMS`. Whatever gets
past those runs under `budget`: evaluation checks the thread's CPU time
(`check_time`) and stops with a message past `MAX_QUERY_CPU_SECONDS`, and at
most `PATTERN_SEARCHES` searches with patterns run at once (others wait up to
`PATTERN_WAIT_MS` for a turn, then get `SearchBusy`: the server is busy,
the query is fine). Each other refusal is a `QueryTooCostly` (a `QueryError`:
the UI shows its message).
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from whoosh import query

from indexer import whoosh_internals
from indexer.errors import QueryTooCostly, SearchBusy
from indexer.limits import (
    MAX_QUERY_CPU_SECONDS,
    MAX_QUERY_TERMS,
    MAX_TERM_EXPANSION,
    MIN_WILDCARD_PREFIX,
    PATTERN_SEARCHES,
    PATTERN_WAIT_MS,
)

_local = threading.local()
_PATTERN_TURNS = threading.BoundedSemaphore(PATTERN_SEARCHES)
# a request that took at least this much CPU hands its freed memory back to the system
_TRIM_AFTER_SECONDS = 0.5


def check_expansions(q: query.Query, reader) -> query.Query:
    """`q` with each pattern's words expanded once (they are read again when the
    query runs), or QueryTooCostly if they would go past the limits; counting
    stops at the limit, so the check itself is cheap."""
    total = 0
    fixed: dict[int, query.Query] = {}
    for leaf in q.leaves():
        check_time()   # a fuzzy word builds its automaton before it yields a word
        if isinstance(leaf, (query.Wildcard, query.Prefix)):
            _check_prefix(leaf)
        if isinstance(leaf, query.MultiTerm):
            _take_pattern_turn()
            expanded = [word for _field, word in itertools.islice(_checked(leaf.expanded_terms(reader)),
                                                                  MAX_TERM_EXPANSION + 1)]
            if len(expanded) > MAX_TERM_EXPANSION:
                raise QueryTooCostly(f"'{_shown(leaf)}' matches more than {MAX_TERM_EXPANSION:,} different words "
                                     f"in {leaf.field()}: make it narrower (more letters before the wildcard, "
                                     "a shorter range, fewer edits).")
            total += len(expanded)
            fixed[id(leaf)] = whoosh_internals.with_words(leaf, expanded)
        else:
            total += 1
        if total > MAX_QUERY_TERMS:
            raise QueryTooCostly(f"The query expands to more than {MAX_QUERY_TERMS:,} words in all: "
                                 "use fewer or narrower wildcards, ranges and fuzzy words.")
    return _replaced(q, fixed) if fixed else q


def _replaced(q: query.Query, fixed: dict[int, query.Query]) -> query.Query:
    if id(q) in fixed:
        return fixed[id(q)]
    return q if q.is_leaf() else q.apply(lambda child: _replaced(child, fixed))


def without_field_every(q: query.Query) -> query.Query:
    """`Every(field)` (a `*` among other words) reads every word of the field
    to find the documents that have one; every document is what it means."""
    if isinstance(q, query.Every) and q.fieldname not in (None, "*"):
        return query.Every()
    if isinstance(q, query.Every):
        return q
    return q.apply(without_field_every)


def _check_prefix(leaf: query.Query) -> None:
    if len(_literal_prefix(leaf.text)) < MIN_WILDCARD_PREFIX:
        raise QueryTooCostly(f"'{_shown(leaf)}': give at least {MIN_WILDCARD_PREFIX} letters before a wildcard "
                             "(a word cannot start with * or ?: that would look through every word "
                             "in the archive), e.g. ex*.")


def _literal_prefix(text: str) -> str:
    for i, ch in enumerate(text):
        if ch in "*?":
            return text[:i]
    return text


def _shown(leaf: query.Query) -> str:
    if isinstance(leaf, query.Prefix):
        return f"{leaf.text}*"
    if isinstance(leaf, query.TermRange):
        return f"{leaf.fieldname}:[{leaf.start or ''} to {leaf.end or ''}]"
    if isinstance(leaf, query.FuzzyTerm):
        return f"{leaf.text}~{leaf.maxdist}"
    return getattr(leaf, "text", str(leaf))


def _checked(items: Iterator) -> Iterator:
    """`items`, checking the time budget every 256."""
    for n, item in enumerate(items):
        if n % 256 == 0:
            check_time()
        yield item


@contextmanager
def budget(seconds: float = MAX_QUERY_CPU_SECONDS) -> Iterator[None]:
    """Run a search under a CPU-time budget (this thread's CPU, so other threads'
    load does not count against it). Nested budgets keep the outer one. A
    pattern turn taken during it is given back at its end."""
    outer = getattr(_local, "deadline", None)
    started = time.thread_time()
    if outer is None:
        _local.deadline = started + seconds
    try:
        yield
    finally:
        if outer is None:
            _local.deadline = None
            if getattr(_local, "pattern_turn", False):
                _local.pattern_turn = False
                _PATTERN_TURNS.release()
            if time.thread_time() - started >= _TRIM_AFTER_SECONDS:
                _return_free_memory()


def _take_pattern_turn() -> None:
    """Wait for one of the `PATTERN_SEARCHES` turns (a search under `budget` only;
    one per search). A process computes on one core: two pattern searches at a
    time leave plain searches their share of it."""
    if getattr(_local, "deadline", None) is None or getattr(_local, "pattern_turn", False):
        return
    if not _PATTERN_TURNS.acquire(timeout=PATTERN_WAIT_MS / 1000):
        raise SearchBusy(f"{PATTERN_SEARCHES} searches with wildcards, ranges or fuzzy words are running "
                             "already; try again in a moment, or search without them.")
    _local.pattern_turn = True


def budgeted(method: Callable) -> Callable:
    """`method` run under `budget`."""

    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> Any:
        with budget():
            return method(*args, **kwargs)

    return run


def check_time() -> None:
    """QueryTooCostly once this thread's search has used up its budget."""
    deadline = getattr(_local, "deadline", None)
    if deadline is not None and time.thread_time() > deadline:
        _local.deadline = None   # the message is given once; cleanup code may search again
        raise QueryTooCostly(f"The search was stopped after {MAX_QUERY_CPU_SECONDS:g} seconds of work: "
                             "narrow the query (fewer wildcards or fuzzy words, a phrase, a field or "
                             "a date range).")


def _return_free_memory() -> None:
    """Ask the C allocator to give freed memory back to the system (glibc keeps
    it otherwise, and a server's resident size stays at its largest request's)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
