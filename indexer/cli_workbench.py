"""The researcher's workbench on the command line: `kwic`, `trend` and `collections`.

Kept apart from `indexer.cli` (build, search, export, stats, serve) so each
module stays one job; `indexer.cli` adds these subcommands to its parser.
Like the rest of the CLI, a thin shell over the public API.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Callable

from indexer import UsageError
from indexer.cli import EXIT_OK, archive_of, request_of, write_lines


def add_commands(sub, index_arg: Callable, filter_args: Callable) -> None:
    """Add `kwic`, `trend` and `collections` to the `newsindex` subparsers."""
    p = sub.add_parser("kwic", help="every match of a query in context, one line each (no cap)")
    p.add_argument("query", help="the query (the search syntax)")
    index_arg(p)
    _filters(p)
    p.add_argument("--sort", choices=("date", "newest", "left", "right"), default="date",
                   help="date (oldest first), newest, left (word before), right (word after)")
    p.add_argument("--width", type=int, default=60, help="characters of context on each side (default 60)")
    p.add_argument("--format", choices=("text", "csv", "jsonl"), default="text")
    p.set_defaults(run=cmd_kwic)

    p = sub.add_parser("trend", help="matching articles per period, one series per query")
    p.add_argument("queries", nargs="+", metavar="QUERY", help="one to six queries")
    index_arg(p)
    _filters(p)
    p.add_argument("--interval", choices=("month", "year"), default="month")
    p.add_argument("--share", action="store_true", help="each period's share of all articles instead of counts")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.set_defaults(run=cmd_trend)

    from indexer.cli_collections import add_collections_command

    add_collections_command(sub, index_arg, _filters)


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--publication", action="append", default=[], metavar="P",
                   help="only this publication (repeat for several)")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="from YYYY[-MM[-DD]]")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="to YYYY[-MM[-DD]]")


def cmd_kwic(args: argparse.Namespace) -> int:
    from indexer import QueryError, kwic_csv_lines, kwic_jsonl_lines, kwic_text_lines

    request = request_of(args.query, args)
    try:
        lines = archive_of(args).iter_kwic(request, args.sort, args.width)
    except QueryError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "csv":
        out = kwic_csv_lines(lines)
    elif args.format == "jsonl":
        out = kwic_jsonl_lines(lines)
    else:
        out = kwic_text_lines(lines, args.width)
    return write_lines(out)


def cmd_trend(args: argparse.Namespace) -> int:
    from indexer import QueryError, series_csv, series_json

    request = request_of(args.queries[0], args)
    try:
        series = archive_of(args).compare_trends(request, args.queries, args.interval)
    except QueryError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        print(json.dumps(series_json(series, args.interval), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(series_csv(series, share=args.share))
    return EXIT_OK


__all__ = ["add_commands"]
