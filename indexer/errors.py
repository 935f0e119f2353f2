"""Every exception newsindex raises on purpose, in one place.

Each carries a message meant for the person at the keyboard; the CLI prints it
in one line (exit status 2 for `UsageError`, `IndexMissing`, `BuildLocked` and
`BuildRefused`) and the web UI shows it on the page.
"""


class UsageError(Exception):
    """A problem the user must fix before the command can run (exit status 2)."""


class QueryError(ValueError):
    """A query or parameter the user must fix; the message says how."""


class QueryTooCostly(QueryError):
    """A query that would expand to too many words, or ran out of its time budget
    (indexer/search/cost.py)."""


class SearchBusy(Exception):
    """A pattern search that found no free turn (indexer/search/cost.py): the query
    is fine, the server is busy; the web UI answers 503 with Retry-After."""


class SourceError(Exception):
    """Raised by a reader when a whole file cannot be read; the message is the reason."""


class IndexMissing(Exception):
    """There is no index in the directory (yet)."""


class BuildLocked(Exception):
    """Another build holds the lock."""


class BuildFailed(Exception):
    """The build stopped before committing; the live index is as it was."""


class BuildRefused(BuildFailed):
    """The build (or restore) would do harm, so it did nothing (exit status 2)."""


class SourcesMissing(BuildRefused):
    """A path given to build does not exist (a typo, an unmounted disk)."""


class IndexFolderRefused(BuildRefused):
    """The --index folder is not an index (nor empty), or holds links this index did not make."""


class RemovalsRefused(BuildRefused):
    """The build would remove more of the archive than a build may without --allow-removals."""


class WriterProcessLost(BuildFailed):
    """A sub-writer process died before handing back its segment."""


class CollectionError(ValueError):
    """A collection action the user must fix (a bad name, unknown ids); the message says which."""


class CollectionNotFound(CollectionError):
    """There is no collection of that name."""
