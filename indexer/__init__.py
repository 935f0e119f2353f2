"""newsindex: full-text search over a news archive (the engine; the web UI lives in `webui`).

Two flows run through the package: source files -> `indexer.ingest` -> `Article`
-> `indexer.index` (a generation on disk); a query -> `indexer.search.Archive`
-> result objects. The names below are the public API: the CLI and the web UI
import only these. They load on first use, so `newsindex --help` starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    "Article": "indexer.ingest.article",
    "Failure": "indexer.ingest.article",
    "read_source": "indexer.ingest",
    "parse_day": "indexer.ingest.dates",
    "build_index": "indexer.index.build",
    "BuildReport": "indexer.index.build",
    "default_index_dir": "indexer.index.store",
    "require_live_generation": "indexer.index.store",
    "read_report": "indexer.index.store",
    "list_generations": "indexer.index.store",
    "restore_generation": "indexer.index.store",
    "Archive": "indexer.search.archive",
    "SearchRequest": "indexer.search.results",
    "SearchResults": "indexer.search.results",
    "SearchHit": "indexer.search.results",
    "HighlightedArticle": "indexer.search.results",
    "SORTS": "indexer.search.results",
    "DEFAULT_SORT": "indexer.search.results",
    "TrendPoint": "indexer.search.trend",
    "TREND_INTERVALS": "indexer.search.trend",
    "trend_json": "indexer.search.trend",
    "trend_csv": "indexer.search.trend",
    "TrendSeries": "indexer.search.trend",
    "series_json": "indexer.search.trend",
    "series_csv": "indexer.search.trend",
    "KwicLine": "indexer.search.kwic",
    "KwicPage": "indexer.search.kwic",
    "KWIC_SORTS": "indexer.search.kwic",
    "kwic_csv_lines": "indexer.search.kwic",
    "kwic_jsonl_lines": "indexer.search.kwic",
    "kwic_text_lines": "indexer.search.kwic",
    "csv_lines": "indexer.search.export",
    "jsonl_lines": "indexer.search.export",
    "spreadsheet_safe": "indexer.search.export",
    "terminal_safe": "indexer.search.export",
    "QUERY_SYNTAX": "indexer.search.querysyntax",
    "QUERY_NOTES": "indexer.search.querysyntax",
    "plain_text_help": "indexer.search.querysyntax",
    "Collections": "indexer.workbench.collections",
    "Collection": "indexer.workbench.collections",
    "CollectionItem": "indexer.workbench.collections",
    "default_collections_path": "indexer.workbench.collections",
    "mark_missing": "indexer.workbench.collections",
    "COLLECTION_FORMATS": "indexer.workbench.citations",
    "collection_lines": "indexer.workbench.citations",
    "CollectionError": "indexer.errors",
    "CollectionNotFound": "indexer.errors",
    "UsageError": "indexer.errors",
    "QueryError": "indexer.errors",
    "QueryTooCostly": "indexer.errors",
    "SearchBusy": "indexer.errors",
    "SourceError": "indexer.errors",
    "IndexMissing": "indexer.errors",
    "BuildLocked": "indexer.errors",
    "BuildFailed": "indexer.errors",
    "SourcesMissing": "indexer.errors",
    "BuildRefused": "indexer.errors",
    "IndexFolderRefused": "indexer.errors",
    "RemovalsRefused": "indexer.errors",
}

# `indexer.limits` (every bound, one table) is public too, as a module.
__all__ = ["__version__", "limits", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'indexer' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
