"""One large JSON Lines file is read in parts (byte ranges cut at line ends)
by several cleaning workers at once (indexer.index.tasks.source_parts), and
gives the same articles, ids, failures (with their line numbers) and index as
the file read whole by one worker."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from indexer.index import tasks
from indexer.index.build import build_index
from indexer.index.sources import walk_sources
from indexer.search.archive import Archive, SearchRequest
from tests.conftest import CORPUS


def _big_jsonl(folder: Path) -> Path:
    """1,000 Reuters records, some without an id (their ids derive from the
    line number), with blank, broken and non-object lines among them."""
    lines = gzip.decompress((CORPUS / "reuters21578" / "reut2-000.jsonl.gz").read_bytes()).decode().splitlines()
    out = []
    for n, line in enumerate(lines):
        record = json.loads(line)
        if n % 7 == 0:
            record.pop("id", None)
        out.append(json.dumps(record))
        if n % 150 == 0:
            out += ["", '{"headline": "torn', "[1, 2]"]
    folder.mkdir()
    path = folder / "archive.jsonl"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def test_a_large_jsonl_file_is_read_in_parts_with_the_same_results(tmp_path, monkeypatch):
    path = _big_jsonl(tmp_path / "src")
    whole = build_index([str(path.parent)], tmp_path / "whole", full=True, jobs=1)
    monkeypatch.setattr(tasks, "SOURCE_PART_BYTES", 50_000)
    (sf,) = walk_sources([str(path.parent)]).files
    parts = tasks.source_parts(sf, tasks.SOURCE_PART_BYTES)
    assert len(parts) > 10
    assert parts[0][:1] == (0,) and parts[-1][1] == path.stat().st_size
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:]))  # no gap, no overlap
    data = path.read_bytes()
    assert all(data[start - 1:start] == b"\n" and data[:start].count(b"\n") + 1 == line
               for start, _end, line in parts[1:])
    split = build_index([str(path.parent)], tmp_path / "split", full=True, jobs=2)

    assert [f.to_json() for f in split.failures] == [f.to_json() for f in whole.failures]
    assert len(whole.failures) == 2 * 7 and all(f.line for f in whole.failures)
    assert split.articles == whole.articles and whole.articles["total"] == 1000
    a, b = Archive(tmp_path / "whole"), Archive(tmp_path / "split")
    for query in ("cocoa", '"interest rates"', "petro*", "said"):
        request = SearchRequest(query=query, per_page=50)
        ra, rb = a.search(request), b.search(request)
        assert ra.total == rb.total > 0
        assert [h.id for h in ra.hits] == [h.id for h in rb.hits]
