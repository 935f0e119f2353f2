"""The `newsindex` command line: a thin shell over `indexer.index.build` and `indexer.search.archive`.

Exit status: 0 success; 1 failures under --strict; 2 usage errors, a missing
index, or an index locked by another build (one line, no traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Sequence

from indexer import (
    DEFAULT_SORT,
    SORTS,
    BuildLocked,
    IndexMissing,
    UsageError,
    __version__,
    default_index_dir,
    plain_text_help,
    require_live_generation,
    terminal_safe,
)

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2

# numpy's OpenBLAS starts a thread per core when numpy is imported, and they spin:
# ~80 ms of CPU before a build's workers fork, ~130 ms more at the exit of a
# command that never forks; nothing here calls BLAS (benchmarks/README.md,
# session 8). Set before anything imports numpy; a value the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep its message short
        self.print_usage(sys.stderr)
        raise UsageError(message)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _make_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "command", None):
            parser.print_help()
            return EXIT_USAGE
        return args.run(args)
    except UsageError as exc:
        print(f"newsindex: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (IndexMissing, BuildLocked) as exc:
        print(f"newsindex: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `newsindex export … | head`: the reader has all it wants
        _silence_stdout()
        return EXIT_OK
    except OSError as exc:  # e.g. `serve` on a port in use, `--index` naming a file
        where = f": {exc.filename}" if exc.filename else ""
        print(f"newsindex: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_FAILURES
    except KeyboardInterrupt:
        print("newsindex: interrupted; the previous index is unchanged", file=sys.stderr)
        return 130


def _silence_stdout() -> None:
    """Point stdout's descriptor at /dev/null, so the flush at exit of what is
    still buffered for the closed pipe cannot raise again (Python's documented
    recipe for SIGPIPE; BrokenPipeError is an OSError, so it is caught first)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout already closed or not a real file
        pass


def _make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="newsindex", description="Full-text search over a news archive.")
    parser.add_argument("--version", action="version", version=f"newsindex {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def index_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--index", type=Path, default=None,
                       help="index directory (default: $NEWSINDEX_INDEX, else var/index)")

    def filter_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--publication", action="append", default=[], metavar="P",
                       help="only this publication (repeat for several)")
        p.add_argument("--from", dest="date_from", metavar="DATE", help="from YYYY[-MM[-DD]]")
        p.add_argument("--to", dest="date_to", metavar="DATE", help="to YYYY[-MM[-DD]]")
        p.add_argument("--sort", choices=tuple(SORTS), default=DEFAULT_SORT)

    p = sub.add_parser("build", help="index files and folders (incremental by default)")
    p.add_argument("paths", nargs="*", default=["corpus"], metavar="PATH",
                   help="files and folders to index (default: corpus)")
    index_arg(p)
    p.add_argument("--full", action="store_true",
                   help="rebuild from scratch beside the live index, then swap it in")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run the build's tasks on a Dask cluster: tcp://host:8786, or local[:N] for N "
                        "local worker processes (needs newsindex[dask]; workers share the file system)")
    p.add_argument("--publication", default=None, metavar="NAME",
                   help="publication for files that name none")
    p.add_argument("--strict", action="store_true", help="exit 1 when any source failed")
    p.add_argument("--json", action="store_true", help="print the build report as JSON")
    p.add_argument("--allow-removals", action="store_true",
                   help="let this build remove more than half of the archive's articles")
    p.set_defaults(run=cmd_build)

    p = sub.add_parser("restore", help="make the generation before the live one live again")
    index_arg(p)
    p.add_argument("generation", nargs="?", default=None,
                   help="a generation named by --list (default: the one live before the live one)")
    p.add_argument("--list", action="store_true", help="list the restorable generations")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_restore)

    def query_command(name: str, help: str, query_help: str) -> argparse.ArgumentParser:
        """A command over a query's matches: the query, --index, the filters, the syntax as epilog."""
        p = sub.add_parser(name, help=help, epilog=plain_text_help(),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("query", help=query_help)
        index_arg(p)
        filter_args(p)
        return p

    p = query_command("search", "ranked results in the terminal",
                      "the query (see the syntax below); '' or '*' matches everything")
    p.add_argument("--limit", type=int, default=10, help="results per page (default 10, at most 100)")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--json", action="store_true", help="print the results as JSON (the shape of /api/search)")
    p.set_defaults(run=cmd_search)

    p = query_command("export", "every matching article, streamed to stdout",
                      "the query; '' or '*' exports everything")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("stats", help="article count, publications, date span, size, last build")
    index_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_stats)

    p = sub.add_parser("serve", help="the web UI under waitress")
    index_arg(p)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                   help="a further Host name to answer to (e.g. behind a proxy; repeat for several); "
                        "requests under any other name get 400 (DNS rebinding)")
    p.add_argument("--threads", type=int, default=8, help="threads per worker process (default 8)")
    p.add_argument("--workers", type=int, default=1,
                   help="server processes sharing the port; searches run on one core per "
                        "process, so up to one per core (default 1)")
    p.add_argument("--collections", default=None, metavar="FILE",
                   help="the collections file (default: DIR/collections.sqlite beside the index)")
    p.set_defaults(run=cmd_serve)

    from indexer.cli_workbench import add_commands  # kwic, trend, collections

    add_commands(sub, index_arg, filter_args)
    return parser


def index_dir_of(args: argparse.Namespace) -> Path:
    """The command's --index, else $NEWSINDEX_INDEX, else var/index."""
    return args.index if args.index is not None else default_index_dir()


# -- build -----------------------------------------------------------------
def cmd_build(args: argparse.Namespace) -> int:
    from indexer import BuildFailed, BuildRefused, build_index

    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    progress = _TerminalProgress() if sys.stderr.isatty() and not args.json else _PlainProgress()
    try:
        report = build_index(args.paths, index_dir_of(args), full=args.full, jobs=args.jobs,
                             default_publication=args.publication, progress=progress,
                             allow_removals=args.allow_removals, dask=args.dask)
    except BuildRefused as exc:
        raise UsageError(str(exc)) from None
    except (BuildFailed, OSError) as exc:
        reason = f"{exc.strerror} ({exc.filename})" if isinstance(exc, OSError) and exc.strerror else exc
        print(f"newsindex: build failed: {reason}; searches keep using the last committed index",
              file=sys.stderr)
        return EXIT_FAILURES
    finally:
        progress.close()
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        _print_build_summary(report)
    return EXIT_FAILURES if args.strict and report.failures else EXIT_OK


def _print_build_summary(report) -> None:
    s, a = report.sources, report.articles
    print(f"{report.mode} build: scanned {s['scanned']}, added {s['new']}, updated {s['changed']}, "
          f"removed {s['removed']}, unchanged {s['unchanged']}, failed {s['failed']}"
          + (f", skipped {s['skipped']} other files" if s["skipped"] else ""))
    print(f"articles: {a['added']} added, {a['updated']} updated, {a['removed']} removed, "
          f"{a['total']} in the index; {report.seconds:.2f} s, "
          f"{report.articles_per_second:,.0f} articles/s")
    if report.skipped:
        print(f"records skipped: {sum(report.skipped.values())} ("
              + "; ".join(f"{reason}: {n}" for reason, n in report.skipped.most_common()) + ")")
    if report.failures:
        print(f"{len(report.failures)} problem(s), skipped:", file=sys.stderr)
        for failure in report.failures:
            print(f"  {failure}", file=sys.stderr)


class _TerminalProgress:
    """A tqdm bar on a terminal."""

    def __init__(self) -> None:
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit="file", desc="indexing", leave=False)
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _PlainProgress:
    """Plain lines for logs and cron: at most one every few seconds."""

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self.last = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if total and done and now - self.last >= self.every:
            self.last = now
            print(f"indexing: {done}/{total} sources ({100 * done // total}%)", file=sys.stderr, flush=True)

    def close(self) -> None:
        pass


def cmd_restore(args: argparse.Namespace) -> int:
    from indexer import BuildRefused, list_generations, restore_generation

    index_dir = index_dir_of(args)
    try:
        if args.list:
            generations = list_generations(index_dir)
            if args.json:
                print(json.dumps([g.to_json() for g in generations], indent=2))
                return EXIT_OK
            for g in generations:
                count = f"{g.articles:,}" if g.articles is not None else "?"
                print(f"{'*' if g.live else ' '} {g.name}  built {g.built}  {count} articles")
            return EXIT_OK
        restored = restore_generation(index_dir, args.generation)
    except BuildRefused as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(restored.to_json(), indent=2))
    else:
        print(f"restored {restored.name} (built {restored.built}, {restored.articles:,} articles); "
              "it is live now", file=sys.stderr)
    return EXIT_OK


# -- search, export, stats ---------------------------------------------------
def request_of(query: str, args: argparse.Namespace, **fields):
    """A SearchRequest for `query` under the command's filters (--publication,
    --from, --to) and `fields`; UsageError for bad values."""
    from indexer import QueryError, SearchRequest, parse_day

    try:
        return SearchRequest(query=query, publications=tuple(args.publication),
                             date_from=parse_day(args.date_from),
                             date_to=parse_day(args.date_to, end=True), **fields)
    except (QueryError, ValueError) as exc:
        raise UsageError(str(exc)) from None


def _request(args: argparse.Namespace, *, page: int = 1, per_page: int = 10):
    return request_of(args.query, args, sort=args.sort, page=page, per_page=per_page)


def archive_of(args: argparse.Namespace):
    """The Archive of the command's --index."""
    from indexer import Archive
    return Archive(index_dir_of(args))


def cmd_search(args: argparse.Namespace) -> int:
    from indexer import QueryError

    request = _request(args, page=args.page, per_page=args.limit)
    try:
        results = archive_of(args).search(request)
    except QueryError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(results.to_json(), indent=2, ensure_ascii=False))
        return EXIT_OK
    color = sys.stdout.isatty()
    print(f"{results.total:,} articles ({results.took_ms:.1f} ms)"
          + (f", page {results.page} of {results.pages}" if results.pages > 1 else ""))
    if results.suggestion:
        print(f"did you mean: {terminal_safe(results.suggestion)}")
    first = (results.page - 1) * results.per_page
    for n, hit in enumerate(results.hits, first + 1):
        meta = [terminal_safe(x) for x in (hit.publication, hit.date.date().isoformat() if hit.date else None,
                                           hit.author) if x]
        caption = [f"caption: {_terminal(hit.caption_snippet, color)}"] if hit.caption_snippet else []
        where = f"id {terminal_safe(hit.id)}  {terminal_safe(hit.source)}"
        print_entry(n, _terminal(hit.headline_html, color), meta, [_terminal(hit.snippet, color), *caption, where])
    return EXIT_OK


def print_entry(n: int, headline: str, meta: list[str], lines: list[str]) -> None:
    """One numbered entry of a terminal list: headline, a " · " line of facts, then indented lines."""
    print(f"\n{n}. {headline or '(no headline)'}")
    if meta:
        print(f"   {' · '.join(meta)}")
    for line in lines:
        print(f"   {line}")


def _terminal(html_text: str, color: bool) -> str:
    """Snippet HTML for a terminal: entities undone (after which `&#27;` is an ESC,
    so controls are stripped from the text), <mark> made bold (or *word*)."""
    import html

    marks = {"<mark>": "\033[1m", "</mark>": "\033[0m"} if color else {"<mark>": "*", "</mark>": "*"}
    pieces = re.split(r"(</?mark>)", html_text)
    return "".join(marks.get(piece) or terminal_safe(html.unescape(piece)) for piece in pieces).strip()


def cmd_export(args: argparse.Namespace) -> int:
    from indexer import QueryError, csv_lines, jsonl_lines

    request = _request(args)
    try:
        articles = archive_of(args).iter_export(request)
    except QueryError as exc:
        raise UsageError(str(exc)) from None
    return write_lines(csv_lines(articles) if args.format == "csv" else jsonl_lines(articles))


def write_lines(lines) -> int:
    """Stream text to stdout as it comes (an export can be larger than memory); EXIT_OK."""
    write = sys.stdout.write
    for line in lines:
        write(line)
    sys.stdout.flush()
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    stats = archive_of(args).stats()
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"articles:     {stats['articles']:,}")
    print(f"date span:    {stats['date_min'] or '-'} .. {stats['date_max'] or '-'}")
    print(f"index size:   {stats['index_bytes'] / 1e6:.1f} MB in {index_dir_of(args)}")
    print("publications:")
    for name, count in stats["publications"].items():
        print(f"  {count:>8,}  {name}")
    build = stats.get("last_build")
    if build:
        print(f"last build:   {build['finished']} ({build['mode']}, {build['seconds']} s, "
              f"{len(build.get('failures', []))} problem(s))")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    index_dir = index_dir_of(args)
    require_live_generation(index_dir)
    from webui.server import serve  # the one place the CLI reaches into the web shell

    if args.workers < 1 or args.threads < 1:
        raise UsageError("--workers and --threads must be at least 1")
    workers = f" ({args.workers} worker processes)" if args.workers > 1 else ""
    print(f"newsindex: serving {index_dir} on http://{args.host}:{args.port}/{workers}", file=sys.stderr)
    config = {"COLLECTIONS_PATH": str(Path(args.collections).resolve())} if args.collections else None
    serve(index_dir, host=args.host, port=args.port, threads=args.threads, workers=args.workers, config=config,
          allowed=args.allowed_host)
    return EXIT_OK
