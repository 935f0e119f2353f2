"""Shared fixtures: a small real corpus copied from `corpus/`, and its index.

The small corpus is the seed article, the first Reuters file (1,000 real
articles) and the bundled HTML pages: enough to exercise every reader and the
search features in a few seconds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_small_corpus(dest: Path) -> Path:
    (dest / "dailynk").mkdir(parents=True)
    shutil.copy(CORPUS / "dailynk" / "sojourn.txt", dest / "dailynk" / "sojourn.txt")
    (dest / "reuters").mkdir()
    shutil.copy(CORPUS / "reuters21578" / "reut2-000.jsonl.gz", dest / "reuters" / "reut2-000.jsonl.gz")
    pages = CORPUS / "pages"
    if pages.is_dir():
        shutil.copytree(pages, dest / "pages", ignore=shutil.ignore_patterns("*.md"))
    return dest


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory) -> Path:
    return copy_small_corpus(tmp_path_factory.mktemp("corpus") / "corpus")


@pytest.fixture(scope="session")
def small_index(small_corpus, tmp_path_factory) -> Path:
    from indexer.index.build import build_index

    index_dir = tmp_path_factory.mktemp("index") / "index"
    report = build_index([str(small_corpus)], index_dir, jobs=2)
    assert not report.failures, report.failures
    return index_dir


@pytest.fixture(scope="session")
def archive(small_index):
    from indexer.search.archive import Archive

    return Archive(small_index)
