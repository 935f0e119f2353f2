"""`newsindex collections ...`: named sets of articles with notes and tags, on the command line.

A thin shell over `indexer.workbench` (the store and its exports): every
subcommand takes `--index DIR` (the collections file is DIR/collections.sqlite)
or `--collections FILE`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Callable

from indexer import UsageError, terminal_safe
from indexer.cli import EXIT_OK, archive_of, index_dir_of, print_entry, request_of, write_lines


def add_collections_command(sub, index_arg: Callable, filter_args: Callable) -> None:
    p = sub.add_parser("collections", help="named sets of articles with notes and tags")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    actions.required = True

    def common(q: argparse.ArgumentParser) -> None:
        index_arg(q)
        q.add_argument("--collections", default=None, metavar="FILE",
                       help="the collections file (default: DIR/collections.sqlite beside the index)")

    q = actions.add_parser("list", help="every collection and its size")
    common(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(run=cmd_list)

    q = actions.add_parser("show", help="the articles of a collection, their notes and tags")
    q.add_argument("name")
    common(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(run=cmd_show)

    q = actions.add_parser("add", help="add articles by id, or every result of --query (creates the collection)")
    q.add_argument("name")
    q.add_argument("ids", nargs="*", metavar="ID")
    common(q)
    q.add_argument("--query", default=None, help="add every article matching this query (with the filters)")
    filter_args(q)
    q.add_argument("--note", default=None, help="a note for the added articles")
    q.add_argument("--tag", action="append", default=[], help="a tag for the added articles (repeat)")
    q.set_defaults(run=cmd_add)

    q = actions.add_parser("remove", help="take articles out of a collection")
    q.add_argument("name")
    q.add_argument("ids", nargs="+", metavar="ID")
    common(q)
    q.set_defaults(run=cmd_remove)

    q = actions.add_parser("rename", help="give a collection another name")
    q.add_argument("name")
    q.add_argument("new_name")
    common(q)
    q.set_defaults(run=cmd_rename)

    q = actions.add_parser("export", help="write a collection as CSV, JSON Lines, RIS or CSL-JSON")
    q.add_argument("name")
    common(q)
    q.add_argument("--format", choices=("csv", "jsonl", "ris", "csl-json"), default="ris")
    q.set_defaults(run=cmd_export)

    q = actions.add_parser("delete", help="delete a collection (the articles stay in the index)")
    q.add_argument("name")
    common(q)
    q.set_defaults(run=cmd_delete)


def _store(args):
    from indexer import Collections, default_collections_path, require_live_generation

    if args.collections:
        return Collections(args.collections)
    index_dir = index_dir_of(args)
    require_live_generation(index_dir)  # a missing index says so, instead of a file in a typo'd folder
    return Collections(default_collections_path(index_dir))


def _guarded(action):
    """Run a store action; a CollectionError is a usage error (exit 2, one line)."""
    from indexer import CollectionError, QueryError

    try:
        return action()
    except (CollectionError, QueryError) as exc:
        raise UsageError(str(exc)) from None


def cmd_list(args) -> int:
    found = _guarded(lambda: _store(args).list())
    if args.json:
        print(json.dumps([c.to_json(items=False) for c in found], indent=2, ensure_ascii=False))
        return EXIT_OK
    for c in found:
        print(f"{c.size:>8,}  {c.name}  (updated {c.updated})")
    if not found:
        print("no collections yet: newsindex collections add NAME ID...", file=sys.stderr)
    return EXIT_OK


def _shown(args):
    from indexer import mark_missing

    return mark_missing(archive_of(args), _guarded(lambda: _store(args).get(args.name)))


def cmd_show(args) -> int:
    collection = _shown(args)
    if args.json:
        print(json.dumps(collection.to_json(), indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"{collection.name}: {collection.size:,} article{'s' if collection.size != 1 else ''}")
    for n, item in enumerate(collection.items, 1):
        flag = "  [missing from the index]" if item.missing else ""
        lines = [f"id {item.article_id}"]
        if item.tags:
            lines.append(f"tags: {', '.join(item.tags)}")
        if item.note:
            lines.append(f"note: {item.note}")
        print_entry(n, f"{terminal_safe(item.headline or '(no headline)')}{flag}",  # article text: no controls
                    [terminal_safe(x) for x in (item.publication, (item.date or "")[:10], item.author) if x],
                    [terminal_safe(line) for line in lines])
    return EXIT_OK


def cmd_add(args) -> int:
    if bool(args.ids) == bool(args.query is not None):
        raise UsageError("give article ids, or --query QUERY (every result), not both")
    store = _store(args)
    archive = archive_of(args)
    if args.query is not None:

        request = request_of(args.query, args)
        articles = _guarded(lambda: list(archive.iter_export(request)))
    else:
        articles, unknown = [], []
        for article_id in dict.fromkeys(args.ids):
            found = archive.get_article(article_id)
            (articles.append(found) if found is not None else unknown.append(article_id))
        if unknown:
            raise UsageError(f"no article with the id {', '.join(unknown[:5])}"
                             + (f" (and {len(unknown) - 5} more)" if len(unknown) > 5 else "") + "; nothing added")
    new = _guarded(lambda: store.add(args.name, articles, note=args.note, tags=args.tag))
    print(f"{args.name}: {new:,} added, {len(articles) - new:,} already there")
    return EXIT_OK


def cmd_remove(args) -> int:
    removed = _guarded(lambda: _store(args).remove(args.name, args.ids))
    print(f"{args.name}: {removed:,} removed" + (f", {len(set(args.ids)) - removed:,} were not in it"
                                                  if removed < len(set(args.ids)) else ""))
    return EXIT_OK


def cmd_rename(args) -> int:
    new = _guarded(lambda: _store(args).rename(args.name, args.new_name))
    print(f"renamed {args.name} to {new}")
    return EXIT_OK


def cmd_export(args) -> int:
    from indexer import collection_lines

    collection = _shown(args)
    return write_lines(collection_lines(collection.items, args.format))


def cmd_delete(args) -> int:
    _guarded(lambda: _store(args).delete(args.name))
    print(f"deleted {args.name}")
    return EXIT_OK
