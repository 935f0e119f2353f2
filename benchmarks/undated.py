"""Dates on pages that no set dates: the cleaner's day beside htmldate's and trafilatura's, to read by hand.

The date rules were chosen on the dated even halves (htmldate-eval, fundus, Readability's dated
pages), so those pages can no longer tell which rule carries over. The EVEN halves of L3S-GN1,
Google-Trends-2017, Zyte and Readability's undated pages can: news pages whose day no rule was
chosen on, without date gold. This prints how often the three tools agree, then, for every page
where ours and htmldate's differ, each tool's day and the page's short lines that hold a written
date (with their line number and the headline's), so a developer decides by reading which is the
story's day. The odd halves are never loaded. Session 13 read every difference (README-cleaning.md,
"Session 13 (lead)"). Run time: about 100 s (two cores).

    .venv/bin/python benchmarks/undated.py [--corpus ../shared/corpus] [--sets l3s-gn1,zyte] [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bs4 import BeautifulSoup  # noqa: E402

from benchmarks.cleaning import (  # noqa: E402
    DEFAULT_CORPUS,
    _day,
    load_all,
    run_htmldate,
    run_ours,
    run_trafilatura,
    select,
)
from indexer.ingest.html.pagedate import WEEKDAY, WRITTEN_DATE  # noqa: E402

UNDATED_SETS = ("l3s-gn1", "google-trends-2017", "zyte", "readability")


def dated_lines(html: str, headline: str, most: int = 10) -> list[str]:
    """The page's short text lines that hold a written date or a weekday, numbered, and the headline's first."""
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    lines = [line.strip() for line in soup.get_text("\n").split("\n") if line.strip()]
    shown, headline_seen = [], False
    for i, line in enumerate(lines):
        is_headline = line == headline and not headline_seen
        headline_seen |= is_headline
        if len(line) < 200 and (WRITTEN_DATE.search(line) or WEEKDAY.search(line) or is_headline):
            shown.append(f"[{i}/{len(lines)}]{' (headline)' if is_headline else ''} {line[:140]}")
            if len(shown) >= most:
                break
    return shown


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the shared corpus folder")
    ap.add_argument("--sets", default=",".join(UNDATED_SETS), help="comma-separated sets (even halves only)")
    ap.add_argument("--limit", type=int, default=None, help="at most N pages per set")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    wanted = set(args.sets.split(","))
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, pages in load_all(args.corpus, wanted, Path(scratch)).items():
            for page in select(pages, "even", args.limit):
                if page.dated:  # its day has gold: cleaning.py scores it
                    continue
                ours = run_ours(page)
                days = {"ours": _day(ours.date), "htmldate": run_htmldate(page).date,
                        "trafilatura": run_trafilatura(page).date}
                rows.append((name, page, ours.headline, days))
    print("| set | pages | ours = htmldate | ours = trafilatura | htmldate = trafilatura | ours none, htmldate a day |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name in sorted({r[0] for r in rows}):
        group = [r[3] for r in rows if r[0] == name]
        print(f"| {name} | {len(group)} | {sum(d['ours'] == d['htmldate'] for d in group)} "
              f"| {sum(d['ours'] == d['trafilatura'] for d in group)} "
              f"| {sum(d['htmldate'] == d['trafilatura'] for d in group)} "
              f"| {sum(d['ours'] is None and d['htmldate'] is not None for d in group)} |")
    print("\nPages where ours and htmldate's differ (read each: which is the story's day?)")
    for name, page, headline, days in rows:
        if days["ours"] == days["htmldate"]:
            continue
        print(f"\n== {name} {page.id} {page.url or ''}")
        print("   " + "  ".join(f"{tool} {day}" for tool, day in days.items()))
        for line in dated_lines(page.html, headline):
            print("   " + line)


if __name__ == "__main__":
    main()
