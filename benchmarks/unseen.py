"""The HTML cleaner on unseen pages without body gold, beside trafilatura and Readability.js: a yardstick.

No rule may be chosen on a held-out page, and the even halves of the gold sets have been read for
thirteen sessions, so rules are also judged on pages that no set's body gold covers: the cleaner's
body against trafilatura's and Mozilla's Readability.js's (the program whose reviewed output is the
Readability set's gold), page by page. Where those two agree with each other and not with us, a
developer reads the page by hand. The pages:

- htmldate-eval's EVEN half (`htmldate-eval-half-a`, loaded and split by `cleaning.py`'s
  `load_all`/`select`): news and blog pages in many languages with human date gold and no body
  gold. The even half is hard-coded: its odd half is held out for the end-of-session score of
  `cleaning.py --half odd` (its dates count there), so it is never run, read or printed here.
- every HTTP 200 HTML response of the web archives in `corpus/warc/` (WARC and ARC files, read with
  the project's own WARC reader's record loop and payload decoding, `indexer.ingest.warc`), the
  record's URL as the page's id; a response whose URL and payload repeat one already taken is left
  out. Most are not news (a Common Crawl segment's spam, shops and hubs); the column `indexed` says
  whether the WARC reader would index the page at all (`indexer.ingest.pagekind`).

Each page: our `clean_html`; trafilatura's `bare_extraction(with_metadata=True,
include_comments=False)`; htmldate's `find_date(original_date=True)` (the `bench` extra); and, with
`--readability-js DIR` (a folder whose `node_modules` holds @mozilla/readability and jsdom: `npm
install @mozilla/readability jsdom` there), Readability.js 0.6 in one node process over all pages
(`benchmarks/unseen_readability.js`). Body agreement is `cleaning.py`'s ROUGE-LSum F1 of each pair
(symmetric: F1); dates are exact days against htmldate-eval's gold (`cleaning.py`'s `gold_days`).
The report prints a summary and the pages where ours is far from the two others' consensus (they
agree >= `--agree` and ours is under `--far` against each; without Readability.js: ours under
`--far` against trafilatura), then the pages where ours is under `--far` against each while the two
others are apart; every page's row is in `--out`, and `--dump DIR` writes the listed pages' HTML
and bodies. Run time at session 13: about 50 s, 160 s with Readability.js (two shared cores).

    .venv/bin/python benchmarks/unseen.py [--corpus ../shared/corpus] [--limit N]
        [--readability-js DIR] [--out benchmarks/out/unseen-pages.tsv] [--agree 0.8] [--far 0.5]
        [--dump DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.cleaning import (  # noqa: E402
    DEFAULT_CORPUS,
    OUT,
    Output,
    Page,
    _day,
    gold_days,
    load_all,
    norm,
    rouge_lsum_f1,
    run_htmldate,
    run_ours,
    run_trafilatura,
    select,
)
from indexer.ingest import warc as warc_reader  # noqa: E402
from indexer.ingest.encoding import decode_bytes, sniff_declared_charset  # noqa: E402

HTMLDATE_SET = "htmldate-eval-half-a"
HALF = "even"  # never "odd": see the docstring
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
JS = Path(__file__).resolve().parent / "unseen_readability.js"
TOOLS = ("ours", "trafilatura", "readability.js")
SHORT = {"ours": "ours", "trafilatura": "traf", "readability.js": "rjs", "htmldate": "htmldate"}


@dataclass
class Unseen:
    page: Page
    payload: bytes | None = None           # a web archive's page: its bytes, for the WARC reader's verdict
    charset: str | None = None
    out: dict[str, Output] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    indexed: str = ""


# ---------------------------------------------------------------------------
# pages


def warc_pages(folder: Path) -> tuple[list[Unseen], int]:
    """Every HTTP 200 HTML response of the web archives in `folder` (the WARC reader's own record
    loop and payload decoding), and how many repeated a URL and payload already taken."""
    pages: list[Unseen] = []
    seen: set[tuple[str, bytes]] = set()
    repeats = 0
    for path in sorted(p for p in folder.iterdir() if p.name.endswith(WARC_SUFFIXES)):
        with open(path, "rb") as fh:
            stream = fh
            gzipped = fh.read(2) == warc_reader._GZIP_MAGIC[:2]
            fh.seek(0)
            if gzipped and warc_reader._gzipped_whole(fh):
                stream, gzipped = gzip.GzipFile(fileobj=fh), False  # as read_warc reads such a file
            for _, record, problem in warc_reader._records(stream, gzipped):
                if problem is not None or record.rec_type != "response" or record.http_headers is None:
                    continue
                http = record.http_headers
                if (http.get_statuscode() or "").strip() != "200":
                    continue
                content_type = http.get_header("Content-Type") or ""
                mime = content_type.split(";", 1)[0].strip().lower()
                if mime and mime not in warc_reader._HTML_TYPES:
                    continue
                try:
                    payload, _ = warc_reader._http_payload(record)
                except (OSError, EOFError, ValueError) as exc:
                    print(f"{path.name}: a payload not decodable ({type(exc).__name__}), left out", file=sys.stderr)
                    continue
                if not mime and payload.lstrip()[:1] != b"<":
                    continue
                url = warc_reader._target_uri(record.rec_headers.get_header("WARC-Target-URI") or "")
                if (url, payload) in seen:
                    repeats += 1
                    continue
                seen.add((url, payload))
                declared = warc_reader._CHARSET.search(content_type)
                charset = declared.group(1) if declared else None
                html = decode_bytes(payload, charset or sniff_declared_charset(payload))
                pages.append(Unseen(Page(set=f"warc/{path.name}", id=url or f"{path.name}#{len(pages)}",
                                         html=html, url=url or None), payload=payload, charset=charset))
    return pages, repeats


def load_pages(corpus: Path, limit: int | None) -> tuple[list[Unseen], int]:
    with tempfile.TemporaryDirectory(prefix="bench-unseen-") as tmp:
        sets = load_all(corpus, {HTMLDATE_SET}, Path(tmp))
    if HTMLDATE_SET not in sets:
        sys.exit(f"{HTMLDATE_SET}.tar.gz not found under {corpus / 'extraction'} (give --corpus PATH/TO/shared/corpus)")
    pages = [Unseen(p) for p in select(sets[HTMLDATE_SET], HALF, limit)]
    web, repeats = warc_pages(corpus / "warc")
    return pages + (web[:limit] if limit else web), repeats


# ---------------------------------------------------------------------------
# tools


def _guarded(unseen: Unseen, tool: str, fn) -> float:
    start = time.perf_counter()
    try:
        unseen.out[tool] = fn(unseen.page)
    except Exception as exc:  # noqa: BLE001 - one page's failure is reported, not the run's end
        unseen.out[tool] = Output()
        unseen.errors[tool] = f"{type(exc).__name__}: {exc}"[:160]
    return time.perf_counter() - start


def warc_verdict(unseen: Unseen) -> str:
    """Whether the WARC reader would index this response, and if not why (its own tests)."""
    from indexer.errors import SourceError
    from indexer.ingest.html import read_html
    from indexer.ingest.pagekind import not_an_article

    try:
        article = read_html(unseen.payload, "unseen", charset=unseen.charset, url=unseen.page.url)
    except (SourceError, RecursionError) as exc:
        return f"no: {exc}"
    reason = not_an_article(unseen.payload, article, unseen.page.url)
    return f"no: {reason}" if reason else "yes"


def readability_js(pages: list[Unseen], modules: Path) -> str | None:
    """Readability.js's output into each page's `out`, or why it could not run."""
    node = shutil.which("node")
    if node is None:
        return "node not found"
    missing = [m for m in ("@mozilla/readability", "jsdom") if not (modules / "node_modules" / m).is_dir()]
    if missing:
        return f"{', '.join(missing)} not in {modules / 'node_modules'} (npm install @mozilla/readability jsdom there)"
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".jsonl", prefix="unseen-") as fh:
        for n, unseen in enumerate(pages):
            fh.write(json.dumps({"n": n, "url": unseen.page.url, "html": unseen.page.html}) + "\n")
        fh.flush()
        done = subprocess.run([node, str(JS), str(modules), fh.name], stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        return f"node exited with {done.returncode}"
    for line in done.stdout.splitlines():
        row = json.loads(line)
        unseen = pages[row["n"]]
        if "error" in row:
            unseen.out["readability.js"] = Output()
            unseen.errors["readability.js"] = row["error"]
            continue
        day = None
        try:
            day = date.fromisoformat(row["date"][:10]) if row["date"] else None
        except ValueError:
            pass
        unseen.out["readability.js"] = Output(body=row["text"], headline=row["title"], authors=[row["byline"]]
                                              if row["byline"] else [], date=day)
    return None


# ---------------------------------------------------------------------------
# the run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the shared corpus folder")
    ap.add_argument("--limit", type=int, default=None, help="at most N pages of each kind (htmldate-eval, WARC)")
    ap.add_argument("--readability-js", type=Path, default=None, metavar="DIR",
                    help="a folder whose node_modules holds @mozilla/readability and jsdom")
    ap.add_argument("--out", type=Path, default=OUT / "unseen-pages.tsv", help="every page's row (TSV)")
    ap.add_argument("--agree", type=float, default=0.8, help="the two others agree at least this much ...")
    ap.add_argument("--far", type=float, default=0.5, help="... and ours is under this against each")
    ap.add_argument("--dump", type=Path, default=None, metavar="DIR",
                    help="write each listed page's HTML and each tool's body there, to read them side by side")
    args = ap.parse_args()

    started = time.perf_counter()
    pages, repeats = load_pages(args.corpus, args.limit)
    n_warc = sum(1 for u in pages if u.payload is not None)
    print(f"{len(pages) - n_warc} htmldate-eval even pages, {n_warc} WARC/ARC HTML responses "
          f"({repeats} repeated URL and payload left out)", file=sys.stderr, flush=True)
    seconds: dict[str, float] = {t: 0.0 for t in ("ours", "trafilatura", "htmldate", "readability.js")}
    for i, unseen in enumerate(pages, 1):
        seconds["ours"] += _guarded(unseen, "ours", run_ours)
        seconds["trafilatura"] += _guarded(unseen, "trafilatura", run_trafilatura)
        seconds["htmldate"] += _guarded(unseen, "htmldate", run_htmldate)
        if unseen.payload is not None:
            unseen.indexed = warc_verdict(unseen)
        if i % 50 == 0:
            print(f"{i} pages", file=sys.stderr, flush=True)
    tools = ["ours", "trafilatura"]
    skipped_js = "not asked for (--readability-js DIR)"
    if args.readability_js is not None:
        start = time.perf_counter()
        skipped_js = readability_js(pages, args.readability_js)
        seconds["readability.js"] = time.perf_counter() - start
        if skipped_js is None:
            tools.append("readability.js")
        else:
            print(f"Readability.js skipped: {skipped_js}", file=sys.stderr)
    report(pages, tools, args, skipped_js, seconds, time.perf_counter() - started)


# ---------------------------------------------------------------------------
# the report

PAIRS = (("ours", "trafilatura"), ("ours", "readability.js"), ("trafilatura", "readability.js"))


def _pair(a: str, b: str) -> str:
    return f"{SHORT[a]}~{SHORT[b]}"


def agreements(unseen: Unseen, tools: list[str]) -> dict[tuple[str, str], float]:
    return {(a, b): rouge_lsum_f1(unseen.out[a].body, unseen.out[b].body)
            for a, b in PAIRS if a in tools and b in tools}


def far_from_consensus(scores: dict, agree: float, far: float) -> bool:
    """The two others agree and ours is far from each (with trafilatura alone: far from it)."""
    if ("trafilatura", "readability.js") in scores:
        return (scores[("trafilatura", "readability.js")] >= agree and scores[("ours", "trafilatura")] < far
                and scores[("ours", "readability.js")] < far)
    return scores[("ours", "trafilatura")] < far


def _pct(hits: int, n: int) -> str:
    return f"{hits / n:.1%} ({hits}/{n})" if n else "-"


def report(pages: list[Unseen], tools: list[str], args, skipped_js: str | None, seconds: dict,
           wall: float) -> None:
    groups = {"htmldate-eval even": [u for u in pages if u.payload is None],
              "WARC responses": [u for u in pages if u.payload is not None]}
    groups = {k: v for k, v in groups.items() if v}
    groups["all"] = pages
    scores = {id(u): agreements(u, tools) for u in pages}
    far = [u for u in pages if far_from_consensus(scores[id(u)], args.agree, args.far)]
    far_ids = {id(u) for u in far}
    pairs = [p for p in PAIRS if p[0] in tools and p[1] in tools]

    print("\n## Unseen pages: body agreement (ROUGE-LSum F1 of each pair, mean over pages)\n")
    if "readability.js" not in tools:
        print(f"Readability.js not run: {skipped_js}. Far from consensus here: ours under {args.far} against "
              "trafilatura.\n")
    else:
        print(f"Far from consensus: the two others agree >= {args.agree} and ours is under {args.far} against "
              f"each; beside it, ours under {args.far} against each whatever the two others' agreement.\n")
    both = "readability.js" in tools
    print("| pages | n | " + " | ".join(_pair(*p) for p in pairs) + " | far from consensus | "
          + (f"ours < {args.far} vs both | " if both else "") + " | ".join(f"{SHORT[t]} empty" for t in tools) + " |")
    print("| --- | ---: |" + " ---: |" * (len(pairs) + 1 + both + len(tools)))
    for name, group in groups.items():
        cells = [f"{statistics.fmean(scores[id(u)][p] for u in group):.3f}" for p in pairs]
        cells.append(str(sum(1 for u in group if id(u) in far_ids)))
        if both:
            cells.append(str(sum(1 for u in group if max(scores[id(u)][("ours", "trafilatura")],
                                                          scores[id(u)][("ours", "readability.js")]) < args.far)))
        cells += [str(sum(1 for u in group if not u.out[t].body.strip())) for t in tools]
        print(f"| {name} | {len(group)} | " + " | ".join(cells) + " |")

    print("\n## Headline the same (exact normalised match) as each other tool's\n")
    print("| pages | " + " | ".join(_pair(*p) for p in pairs) + " |")
    print("| --- |" + " ---: |" * len(pairs))
    for name, group in groups.items():
        cells = [_pct(sum(1 for u in group if norm(u.out[a].headline) == norm(u.out[b].headline)), len(group))
                 for a, b in pairs]
        print(f"| {name} | " + " | ".join(cells) + " |")

    dated = [u for u in groups.get("htmldate-eval even", []) if u.page.dated]
    if dated:
        date_tools = ["ours", "htmldate", "trafilatura"] + (["readability.js"] if "readability.js" in tools else [])
        gold = [u for u in dated if gold_days(u.page.date)]
        undated = [u for u in dated if not gold_days(u.page.date)]
        print(f"\n## Dates on htmldate-eval even: publication day right ({len(gold)} pages with a gold day; "
              f"{len(undated)} whose gold is no date)\n")
        print("| tool | day right | a date on a page whose gold is none |")
        print("| --- | ---: | ---: |")
        for tool in date_tools:
            hits = sum(1 for u in gold if _day(u.out[tool].date) in gold_days(u.page.date))
            guessed = sum(1 for u in undated if u.out[tool].date is not None)
            print(f"| {tool} | {_pct(hits, len(gold))} | {guessed} of {len(undated)} |")

    errors = {t: sum(1 for u in pages if t in u.errors) for t in ("ours", "trafilatura", "htmldate", "readability.js")}
    print("\n## Run\n")
    print(f"wall {wall:.0f} s; tools' own time: " + ", ".join(f"{t} {s:.0f} s" for t, s in seconds.items() if s)
          + "; pages a tool failed on: " + (", ".join(f"{t} {n}" for t, n in errors.items() if n) or "none"))

    print(f"\n## Far from consensus ({len(far)} pages, to read by hand)\n")
    page_table(far, tools, pairs, scores)
    apart = []
    if "readability.js" in tools:
        apart = [u for u in pages if id(u) not in far_ids and max(
            scores[id(u)][("ours", "trafilatura")], scores[id(u)][("ours", "readability.js")]) < args.far]
        print(f"\n## Ours under {args.far} against each, the two others apart ({len(apart)} pages)\n")
        page_table(apart, tools, pairs, scores)

    write_tsv(args.out, pages, tools, scores, far_ids)
    if args.dump is not None:
        dump(args.dump, far + apart, tools)
        print(f"listed pages' HTML and bodies: {args.dump}", file=sys.stderr)
    print(f"\nevery page: {args.out}", file=sys.stderr)


def page_table(chosen: list[Unseen], tools: list[str], pairs: list, scores: dict) -> None:
    print("| set | id | chars ours / traf" + (" / rjs" if "readability.js" in tools else "") + " | "
          + " | ".join(_pair(*p) for p in pairs) + " | indexed |")
    print("| --- | --- | --- |" + " ---: |" * len(pairs) + " --- |")
    for u in chosen:
        lengths = " / ".join(str(len(u.out[t].body)) for t in tools)
        cells = [f"{scores[id(u)][p]:.3f}" for p in pairs]
        print(f"| {u.page.set} | {u.page.id} | {lengths} | " + " | ".join(cells) + f" | {u.indexed or '-'} |")


def dump(folder: Path, far: list[Unseen], tools: list[str]) -> None:
    """NN.html (the page as cleaned: decoded) and NN.TOOL.txt (each tool's body) for each listed page."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "index.tsv", "w", encoding="utf-8") as index:
        for n, unseen in enumerate(far):
            (folder / f"{n:03d}.html").write_text(unseen.page.html, encoding="utf-8")
            for tool in tools:
                (folder / f"{n:03d}.{SHORT[tool]}.txt").write_text(unseen.out[tool].body, encoding="utf-8")
            index.write(f"{n:03d}\t{unseen.page.set}\t{unseen.page.id}\n")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return " ".join(str(value).split())


def write_tsv(path: Path, pages: list[Unseen], tools: list[str], scores: dict, far_ids: set[int]) -> None:
    pairs = [p for p in PAIRS if p[0] in tools and p[1] in tools]
    date_tools = tools[:2] + ["htmldate"] + tools[2:]
    header = (["set", "id", "url", "far"] + [_pair(*p) for p in pairs] + [f"len_{SHORT[t]}" for t in tools]
              + [f"headline_{SHORT[t]}" for t in tools] + [f"author_{SHORT[t]}" for t in tools]
              + ["gold_date"] + [f"date_{SHORT[t]}" for t in date_tools]
              + [f"date_ok_{SHORT[t]}" for t in date_tools] + ["indexed", "errors"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\t".join(header) + "\n")
        for u in pages:
            gold = gold_days(u.page.date) if u.page.dated else set()
            row = [u.page.set, u.page.id, u.page.url, int(id(u) in far_ids)]
            row += [scores[id(u)][p] for p in pairs]
            row += [len(u.out[t].body) for t in tools]
            row += [u.out[t].headline for t in tools]
            row += ["; ".join(u.out[t].authors) for t in tools]
            row += [u.page.date if u.page.dated else None]
            row += [_day(u.out[t].date) for t in date_tools]
            row += [("" if not u.page.dated else int(_day(u.out[t].date) in gold) if gold
                     else int(u.out[t].date is None)) for t in date_tools]
            row += [u.indexed, "; ".join(f"{t}: {e}" for t, e in u.errors.items())]
            fh.write("\t".join(_cell(v) for v in row) + "\n")


if __name__ == "__main__":
    main()
