"""Source paths as a visitor of the web UI sees them: below the archive's root.

An article's `source` is the absolute path of its file (one file reached by two
spellings is one source), which tells a visitor where the archive lives on the
server and who runs it. The web UI shows it relative to the archive's root
instead: the deepest folder holding every source of the live index (the folders
given to `build`, or their common parent), named with its own last part, so
`/home/ana/news/corpus/dailynk/sojourn.txt` shows as `corpus/dailynk/sojourn.txt`.
"""

from __future__ import annotations

import os
from typing import Iterable


def archive_root(sources: Iterable[str]) -> str | None:
    """The deepest folder that holds every (absolute) source, or None for none."""
    folders = {os.path.dirname(source) for source in sources if os.path.isabs(source)}
    if not folders:
        return None
    return os.path.commonpath(folders)


def shown_source(source: str, root: str | None) -> str:
    """`source` below `root`, starting with the root's own name (never absolute)."""
    if not source:
        return source
    base = os.path.dirname(root) if root else None
    if base is not None and os.path.isabs(source) and (source + os.sep).startswith(base.rstrip(os.sep) + os.sep):
        return os.path.relpath(source, base)
    return os.path.basename(source) if os.path.isabs(source) else source
