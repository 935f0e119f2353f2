"""The "did you mean" vocabulary: what the build collects, how it is saved, and
that incremental builds add to it."""

from __future__ import annotations

import gzip
import json
import shutil
from collections import Counter
from pathlib import Path

from indexer import Archive, SearchRequest
from indexer.index import store
from indexer.index.analysis import text_analyzer
from indexer.index.build import build_index
from indexer.index.vocabulary import VOCABULARY_NAME, VocabularyCounts, article_words
from indexer.search.suggest import Vocabulary, vocabulary_of
from tests.conftest import CORPUS, FIXTURES


def _reuters(n: int) -> list[dict]:
    with gzip.open(CORPUS / "reuters21578" / "reut2-000.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line, _ in zip(fh, range(n))]


def test_article_words_are_the_unstemmed_index_words_on_real_text():
    analyzer = text_analyzer()
    texts = [(r.get("headline") or "") + "\n" + (r.get("body") or "") for r in _reuters(300)]
    texts.append((FIXTURES / "text" / "dailynk-sojourn-restrictions.txt").read_text(encoding="utf-8"))
    texts.append("Kim Jong Un’s café; O'Neill's rôle, the workers' union; ÉCOLE x86")
    for text in texts:
        expected = {t.text for t in analyzer(text, no_morph=True)}
        assert set(article_words(text)) == expected, text[:80]


def test_saved_vocabulary_keeps_words_and_drops_numbers(tmp_path: Path):
    counts = VocabularyCounts()
    counts.add(article_words("Petroleum prices rose 5 pct in 1987, said O'Neill's firm; x86 ½ a_b"))
    counts.add(article_words("petroleum exports; 서울에서"))
    counts.add_counts(Counter(article_words("Petroleum again")), 1)
    counts.save(tmp_path)
    assert not (tmp_path / (VOCABULARY_NAME + ".tmp")).exists()
    loaded = VocabularyCounts.load(tmp_path).counts
    assert loaded["petroleum"] == 3 and loaded["o'neill"] == 1 and loaded["exports"] == 1
    assert not {"1987", "5", "x86", "½", "a_b"} & set(loaded)
    assert not any("\uac00" <= ch <= "\ud7af" for word in loaded for ch in word)
    saved = json.loads((tmp_path / VOCABULARY_NAME).read_text(encoding="utf-8"))
    assert list(saved) == sorted(saved)


def test_vocabulary_lookup_within_edits():
    vocabulary = Vocabulary({"petroleum": 40, "petrol": 3, "sojourn": 2, "coffee": 90, "toffee": 9})
    assert set(vocabulary.within("petrolium", 1)) == {"petroleum"}
    assert "coffee" in set(vocabulary.within("cofee", 1))
    assert "toffee" not in set(vocabulary.within("cofee", 1, prefix=1))  # first letter kept
    assert set(vocabulary.within("zzz", 2)) == set()


def test_incremental_build_adds_new_words(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(CORPUS / "dailynk" / "sojourn.txt", src / "sojourn.txt")
    index = tmp_path / "index"
    build_index([str(src)], index, jobs=1)
    live = store.live_generation(index)
    assert vocabulary_of(live).frequency("sojourn") == 1
    assert vocabulary_of(live).frequency("zanzibarite") == 0

    records = [{"id": f"z{n}", "headline": f"Zanzibarite report {n}",
                "body": "The zanzibarite mineral was found again near the coast."} for n in range(4)]
    (src / "new.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    report = build_index([str(src)], index, jobs=1)
    assert report.mode == "incremental"
    new_live = store.live_generation(index)
    assert vocabulary_of(new_live).frequency("zanzibarite") == 4
    assert vocabulary_of(new_live).frequency("sojourn") == 1
    assert vocabulary_of(live).frequency("zanzibarite") == 0  # the generation before stays restorable
    results = Archive(index).search(SearchRequest(query="zamzibarite"))
    assert results.total == 0 and results.suggestion == "zanzibarite"
