"""The limits table users read (benchmarks/README-reliability.md) is the one
the code reads (indexer/limits.py), word for word."""

from __future__ import annotations

from pathlib import Path

from indexer.limits import markdown_table

README = Path(__file__).resolve().parents[2] / "benchmarks" / "README-reliability.md"
MARKER = "<!-- limits table: generated, do not edit by hand -->"


def test_the_documented_limits_table_is_the_one_the_code_reads():
    lines = README.read_text(encoding="utf-8").split("\n")
    start = lines.index(MARKER) + 1
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    assert lines[start:end] == markdown_table().strip("\n").split("\n"), (
        "regenerate the table in benchmarks/README-reliability.md from indexer.limits.markdown_table()")
