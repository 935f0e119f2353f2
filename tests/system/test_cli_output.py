"""What `newsindex search` and `newsindex export` write: quiet when the reader
goes away (`| head`), no terminal control sequences from articles, and CSV
cells a spreadsheet reads as text, never as formulas. Real Reuters records
carry the hostile values."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.search.export import FORMULA_STARTS
from tests.conftest import REPO, fixture_records

CONTROLS = "\x1b[2J\x1b]0;pwned\x07\x9b31m\u202e"   # clear screen, retitle, C1 CSI, bidi override
FORMULAS = ["=HYPERLINK(\"http://example.com\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\tindent",
            "\rreturn", "'=already quoted", "''-twice"]


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory) -> Path:
    from indexer.index.build import build_index

    root = tmp_path_factory.mktemp("cli-output")
    records = [r for r in fixture_records() if r.get("headline") and r.get("body")]
    hostile = []
    for n, (record, formula) in enumerate(zip(records, FORMULAS)):
        hostile.append({**record, "id": f"{formula} {n}" if n % 2 else f"ctl{CONTROLS}{n}",
                        "headline": f"{formula} {record['headline']}",
                        "author": f"{CONTROLS}Eve", "publication": formula,
                        "captions": [formula, f"plain {CONTROLS}"],
                        "body": f"{CONTROLS} cocoa {record['body']}"})
    corpus = root / "corpus"
    corpus.mkdir()
    with open(corpus / "hostile.jsonl", "w", encoding="utf-8") as fh:
        for record in hostile + records[len(hostile):]:
            fh.write(json.dumps(record) + "\n")
    report = build_index([str(corpus)], root / "index", jobs=1)
    assert not report.failures, [str(f) for f in report.failures]
    return root / "index"


def _newsindex(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer", *args], cwd=REPO, timeout=120, **kwargs)


@pytest.mark.parametrize("command", [["export", "*"], ["export", "*", "--format", "csv"],
                                     ["search", "cocoa", "--limit", "100"]])
def test_a_reader_that_stops_reading_ends_the_command_quietly(hostile_index, command):
    # the reading end is closed before the command writes, as `| head -0` does
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = _newsindex(*command, "--index", str(hostile_index), stdout=write_end, stderr=subprocess.PIPE)
    finally:
        os.close(write_end)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr == b""


def test_export_piped_into_head_ends_quietly(hostile_index):
    pipeline = subprocess.run(
        f"{sys.executable} -m indexer export '*' --index {hostile_index} | head -n 1 >/dev/null; "
        "echo ${PIPESTATUS[0]}", shell=True, executable="/bin/bash", cwd=REPO, capture_output=True,
        text=True, timeout=120)
    assert pipeline.stdout.strip() == "0"
    assert "Broken pipe" not in pipeline.stderr and "Traceback" not in pipeline.stderr


@pytest.mark.parametrize("command", [["search", "cocoa", "--limit", "100"], ["kwic", "cocoa"]])
def test_text_output_has_no_control_characters_from_articles(hostile_index, command):
    done = _newsindex(*command, "--index", str(hostile_index), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "[2J" in done.stdout and "ctl" in done.stdout   # the fields are printed ...
    controls = {c for c in done.stdout if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F
                or c == "\u202e"}
    assert not controls                                    # ... without their controls


def _restored(cell: str) -> str:
    """A CSV cell with the export's formula marking undone (one apostrophe dropped)."""
    return cell[1:] if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS) else cell


def test_csv_export_cells_are_text_not_formulas(hostile_index):
    args = ("export", "cocoa", "--index", str(hostile_index))
    as_csv = _newsindex(*args, "--format", "csv", capture_output=True, text=True)
    as_jsonl = _newsindex(*args, capture_output=True, text=True)
    assert as_csv.returncode == 0 and as_jsonl.returncode == 0, as_csv.stderr + as_jsonl.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout, newline="")))
    articles = [json.loads(line) for line in as_jsonl.stdout.splitlines()]
    assert len(rows) == len(articles) >= len(FORMULAS)
    formulas = 0
    for row, article in zip(rows, articles):
        article["captions"] = " | ".join(article["captions"])
        for name, cell in row.items():
            assert not cell.startswith(FORMULA_STARTS), (name, cell)
            value = article[name] or ""
            assert _restored(cell) == value, name  # marked, not changed
            formulas += value.lstrip("'").startswith(FORMULA_STARTS)
    assert formulas >= len(FORMULAS)   # the check above met real formulas
