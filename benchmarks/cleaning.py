"""The HTML cleaner on every extraction set, beside trafilatura and htmldate, and its speed.

Sets: the Zyte article-extraction benchmark (`corpus/article-extraction-benchmark`) and every
`.tar.gz` in `corpus/extraction/` (unpacked into a temporary folder). Each body is scored with
the metric its authors use: shingle F1 for Zyte; ROUGE-LSum F1 per page, averaged per set, for
the WCEB parts and fundus. Dates: exact day; headline: exact normalised match; authors: each
gold author separately. trafilatura 2.x and htmldate run in the same script on the same decoded
pages (the `bench` extra). Pages are split by sorted id into an even half (used to choose rules)
and an odd half (scored at the end): `--half`.

    .venv/bin/python benchmarks/cleaning.py [--corpus ../shared/corpus] [--half all|even|odd]
        [--sets l3s-gn1,zyte,...] [--limit N] [--no-peers]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import tarfile
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bs4 import BeautifulSoup  # noqa: E402
from lxml import etree  # noqa: E402
from lxml import html as lxml_html  # noqa: E402

from indexer.ingest.bylines import is_agency, split_authors  # noqa: E402
from indexer.ingest.encoding import decode_bytes, sniff_declared_charset  # noqa: E402
from indexer.ingest.html import clean_html  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
OUT = REPO / "benchmarks" / "out"
WCEB_SETS = ("l3s-gn1", "google-trends-2017", "readability")


# ---------------------------------------------------------------------------
# pages


@dataclass
class Page:
    set: str
    id: str
    html: str
    url: str | None
    text: str | None = None
    title: str | None = None
    authors: list[str] | None = None   # None: the set has no author gold for this page
    date: str | None = None            # gold as the set writes it
    dated: bool = False                # the set has date gold for this page (it may be null: no date)
    lang: str = "?"
    publisher: str | None = None


@dataclass
class Output:
    body: str = ""
    headline: str = ""
    authors: list[str] = field(default_factory=list)
    date: date | datetime | None = None


def _decode(raw: bytes) -> str:
    return decode_bytes(raw, sniff_declared_charset(raw))


_LANG_ATTR = re.compile(r"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.I)
_COUNTRY_LANG = {"de": "de", "at": "de", "us": "en", "uk": "en", "gb": "en", "ca": "en", "au": "en", "za": "en",
                 "in": "en", "ie": "en", "nz": "en", "fr": "fr", "es": "es", "jp": "ja", "kr": "ko", "cn": "zh",
                 "ru": "ru", "it": "it", "cz": "cs", "tr": "tr", "ua": "uk", "vn": "vi", "pl": "pl", "nl": "nl"}


def _language(html: str, declared: str | None, country: str | None) -> str:
    """The page's language: the set's own field, else <html lang>, else the publisher's country."""
    if declared:
        return declared.split("-")[0].lower()
    m = _LANG_ATTR.search(html[:5000])
    if m:
        return m.group(1).lower()
    return _COUNTRY_LANG.get((country or "").lower(), "?")


def _gold_authors(row: dict) -> list[str] | None:
    if isinstance(row.get("authors"), list):
        return [a for a in row["authors"] if a and a.strip()]
    if row.get("author"):
        # Readability's gold is the raw byline: split only on the obvious separators
        raw = re.sub(r"^\s*(?:written\s+|posted\s+)?by\s+", "", row["author"], flags=re.I)
        raw = re.sub(r"\(\s*(?:with|avec)\s+([^()]*)\)", r", \1", raw, flags=re.I)  # "A (avec B et C)": three
        parts = re.split(r"\s*(?:\n|;|,|\band\b|\bet\b|&|\bedited by\b)\s*", raw, flags=re.I)
        return [p for p in (x.strip() for x in parts) if p]
    return None


def load_extraction_set(archive: Path, scratch: Path) -> list[Page]:
    with tarfile.open(archive) as tar:
        tar.extractall(scratch, filter="data")
    folder = next(p for p in scratch.iterdir() if p.is_dir() and archive.name.startswith(p.name))
    pages = []
    for line in (folder / "truth.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        html = _decode((folder / "pages" / f"{row['id']}.html").read_bytes())
        pages.append(Page(
            set=folder.name, id=row["id"], html=html, url=row.get("url"), text=row.get("text"),
            title=row.get("title") or None, authors=_gold_authors(row),
            date=row.get("date"),
            dated="date" in row and (row.get("date") is not None or folder.name.startswith("htmldate")),
            lang=_language(html, row.get("lang"), row.get("country")),
            publisher=row.get("publisher") or row.get("siteName")))
    return pages


def load_zyte(folder: Path) -> list[Page]:
    truth = json.loads((folder / "ground-truth.json").read_text("utf-8"))
    pages = []
    for key, row in truth.items():
        html = _decode(gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()))
        pages.append(Page(set="zyte", id=key, html=html, url=row.get("url"), text=row["articleBody"],
                          lang=_language(html, None, None)))
    return pages


# ---------------------------------------------------------------------------
# tools


def run_ours(page: Page) -> Output:
    cleaned = clean_html(page.html, page.url)
    return Output(body=cleaned.body, headline=cleaned.headline, authors=split_authors(cleaned.author),
                  date=cleaned.date)


def run_trafilatura(page: Page) -> Output:
    from trafilatura import bare_extraction
    doc = bare_extraction(page.html, url=page.url, with_metadata=True, include_comments=False)
    if doc is None:
        return Output()
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    day = None
    if doc.date:
        try:
            day = date.fromisoformat(doc.date[:10])
        except ValueError:
            day = None
    return Output(body=doc.text or "", headline=doc.title or "", authors=authors, date=day)


def run_htmldate(page: Page) -> Output:
    from htmldate import find_date
    found = find_date(page.html, url=page.url, original_date=True)
    return Output(date=date.fromisoformat(found) if found else None)


def baseline(page: Page) -> None:
    BeautifulSoup(page.html, "lxml").get_text()


# ---------------------------------------------------------------------------
# metrics

_WORD = re.compile(r"\w+", re.UNICODE)
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _WORD.findall(text or "")
    return Counter(" ".join(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def shingle_pr(truth: str, predicted: str) -> tuple[float, float]:
    """The Zyte benchmark's per-page precision and recall over word 4-gram shingle multisets."""
    t, p = shingles(truth), shingles(predicted)
    tp, fp, fn = sum((t & p).values()), sum((p - t).values()), sum((t - p).values())
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)


def zyte_f1(rows: list[tuple[float, float]]) -> float:
    """F1 of the mean precision and mean recall (the benchmark's own summary)."""
    if not rows:
        return 0.0
    p, r = statistics.fmean(x[0] for x in rows), statistics.fmean(x[1] for x in rows)
    return 2 * p * r / (p + r) if p + r else 0.0


def _lines(text: str) -> list[list[str]]:
    """Sentences = lines; tokens = runs of word characters (punctuation folded, as L3S-GN1's
    gold lost its curly quotes) and single CJK characters (their text has no spaces)."""
    out = []
    for line in (text or "").lower().split("\n"):
        tokens = _TOKEN.findall(unicodedata.normalize("NFKC", line))
        if tokens:
            out.append(tokens)
    return out


def rouge_lsum_f1(truth: str, predicted: str) -> float:
    """ROUGE-LSum F1 of one page (summary-level union LCS over lines, clipped token counts,
    as rouge_score's rougeLsum); LCS alignments from rapidfuzz."""
    from rapidfuzz.distance import LCSseq
    ref, cand = _lines(truth), _lines(predicted)
    n_ref, n_cand = sum(map(len, ref)), sum(map(len, cand))
    if not n_ref or not n_cand:
        return 1.0 if n_ref == n_cand else 0.0
    ref_left = Counter(t for line in ref for t in line)
    cand_left = Counter(t for line in cand for t in line)
    cand_sets = [set(c) for c in cand]
    hits = 0
    for r in ref:
        r_set = set(r)
        union: set[int] = set()
        for c, c_set in zip(cand, cand_sets):
            if r_set.isdisjoint(c_set):
                continue
            if r == c:
                union.update(range(len(r)))
                break
            for op in LCSseq.opcodes(r, c):
                if op.tag == "equal":
                    union.update(range(op.src_start, op.src_end))
        for i in sorted(union):
            token = r[i]
            if ref_left[token] > 0 and cand_left[token] > 0:
                hits += 1
                ref_left[token] -= 1
                cand_left[token] -= 1
    p, r_ = hits / n_cand, hits / n_ref
    return 2 * p * r_ / (p + r_) if p + r_ else 0.0


def norm(text: str | None) -> str:
    """For exact matches: NFKC, case-folded, without punctuation or spaces."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text or "").casefold())


def gold_headline_seen(page: Page) -> bool:
    """The gold headline is the whole text of one element in the page's <body> that holds a
    single line: a headline a reader sees (not one joined to its deck, nor a kicker added,
    nor only in <title>)."""
    want = norm(page.title)
    try:
        tree = lxml_html.document_fromstring(page.html)
    except (ValueError, etree.ParserError):
        return False
    body = tree.find("body")
    if not want or body is None:
        return False
    for element in body.iter(etree.Element):
        if element.tag in ("script", "style", "noscript", "title") or norm(element.text_content()) != want:
            continue
        if not any(inner.tag in _LINE_BREAKING for inner in element.iterdescendants(etree.Element)):
            return True  # one line: not a headline and its deck in one wrapper
    return False


_LINE_BREAKING = frozenset({"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table", "tr",
                            "td", "section", "article", "header", "blockquote", "dl", "dt", "dd", "hr"})


def gold_days(value: str | None) -> set[date]:
    """The publication day as printed (local) and, when a time with a zone is given, in UTC."""
    if not value:
        return set()
    days = {date.fromisoformat(value[:10])}
    m = re.match(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})$", value.strip())
    if m:
        zone = m.group(3).replace("Z", "+00:00")
        if ":" not in zone:
            zone = zone[:3] + ":" + zone[3:]
        moment = datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}{zone}")
        days.add(moment.astimezone(timezone.utc).date())
    return days


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


# ---------------------------------------------------------------------------
# the run


_META = re.compile(r"<meta\b[^>]*>", re.I)
_JSON_LD = re.compile(r"<script\b[^>]*application/ld\+json[^>]*>.*?</script>", re.I | re.S)
_START_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
_MARKUP = re.compile(r"""\s(?:class|id|itemprop|itemtype|itemscope|datetime|pubdate|rel|property|content)\b"""
                     r"""(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?""", re.I)


def without_metadata(html: str, markup: bool = False) -> str:
    """The page without what it declares for machines (and, with `markup`, without the attributes
    that name its parts): the date, headline and author must then be read off the page itself."""
    html = _JSON_LD.sub("", _META.sub("", html))
    # inside start tags only: the text's own words stay ("American Idol", "the content of")
    return _START_TAG.sub(lambda tag: _MARKUP.sub("", tag.group(0)), html) if markup else html


def select(pages: list[Page], half: str, limit: int | None) -> list[Page]:
    pages = sorted(pages, key=lambda p: p.id)
    if half != "all":
        pages = pages[0 if half == "even" else 1::2]
    return pages[:limit] if limit else pages


def load_all(corpus: Path, wanted: set[str] | None, scratch: Path) -> dict[str, list[Page]]:
    sets: dict[str, list[Page]] = {}
    for archive in sorted((corpus / "extraction").glob("*.tar.gz")):
        name = archive.name.removesuffix(".tar.gz")
        if wanted and name not in wanted:
            continue
        target = scratch / name
        target.mkdir()
        sets[name] = load_extraction_set(archive, target)
    zyte = corpus / "article-extraction-benchmark"
    if (not wanted or "zyte" in wanted) and zyte.exists():
        sets["zyte"] = load_zyte(zyte)
    return sets


def timed(fn, page: Page, repeat: int):
    best, result = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(page)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return result, best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the shared corpus folder")
    ap.add_argument("--half", choices=("all", "even", "odd"), default="all")
    ap.add_argument("--sets", default="", help="comma-separated set names (default: all)")
    ap.add_argument("--limit", type=int, default=None, help="at most N pages per set")
    ap.add_argument("--repeat", type=int, default=2, help="timing: best of N runs per page")
    ap.add_argument("--no-peers", action="store_true", help="skip trafilatura and htmldate")
    ap.add_argument("--strip", choices=("meta", "markup"), default=None,
                    help="score the pages with their metadata removed, as old crawls and small sites give them: "
                         "meta: every <meta> element and JSON-LD script; markup: also class, id, itemprop, itemtype, "
                         "itemscope, datetime, pubdate, rel, property and content attributes")
    args = ap.parse_args()
    wanted = {s for s in args.sets.split(",") if s} or None

    with tempfile.TemporaryDirectory(prefix="bench-cleaning-") as tmp:
        sets = load_all(args.corpus, wanted, Path(tmp))
    if not sets:
        sys.exit(f"no extraction sets found under {args.corpus} (give --corpus PATH/TO/shared/corpus)")
    tools = ["ours"] if args.no_peers else ["ours", "trafilatura", "htmldate"]
    out: dict[str, dict[tuple[str, str], Output]] = {t: {} for t in tools}
    times: list[float] = []
    base: list[float] = []
    pages: list[Page] = []
    for name, all_pages in sets.items():
        chosen = select(all_pages, args.half, args.limit)
        print(f"{name}: {len(chosen)} pages", file=sys.stderr, flush=True)
        for page in chosen:
            if args.strip:
                page.html = without_metadata(page.html, markup=args.strip == "markup")
            pages.append(page)
            key = (page.set, page.id)
            _, b = timed(baseline, page, args.repeat)
            out["ours"][key], t = timed(run_ours, page, args.repeat)
            times.append(t * 1000)
            base.append(b * 1000)
            if "trafilatura" in tools:
                out["trafilatura"][key] = run_trafilatura(page)
                if page.dated:
                    out["htmldate"][key] = run_htmldate(page)

    report(pages, out, tools, times, base, args)


def _pct(hits: int, n: int) -> str:
    return f"{hits / n:.1%} ({hits}/{n})" if n else "-"


def report(pages: list[Page], out: dict, tools: list[str], times: list[float], base: list[float], args) -> None:
    now = datetime.now()
    by_set: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        by_set[page.set].append(page)
    body_tools = [t for t in tools if t != "htmldate"]
    page_rows = []

    print(f"\n## Body (half: {args.half})\n")
    print("| set | metric | pages | " + " | ".join(body_tools) + " |")
    print("| --- | --- | --- |" + " --- |" * len(body_tools))
    means: dict[str, list[float]] = defaultdict(list)
    lang_body: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for name, group in by_set.items():
        scored = [p for p in group if p.text]
        if not scored:
            continue
        cells = []
        for tool in body_tools:
            if name == "zyte":
                rows = [shingle_pr(p.text, out[tool][(p.set, p.id)].body) for p in scored]
                value = zyte_f1(rows)
                if tool == "ours":
                    page_rows += [(p, "body-shingle", 2 * a * b / (a + b) if a + b else 0.0)
                                  for p, (a, b) in zip(scored, rows)]
            else:
                f1s = [rouge_lsum_f1(p.text, out[tool][(p.set, p.id)].body) for p in scored]
                value = statistics.fmean(f1s)
                for p, f in zip(scored, f1s):
                    if p.set == "fundus-testdata-half-a" or p.lang not in ("en", "?"):
                        lang_body[p.lang][tool].append(f)
                if tool == "ours":
                    page_rows += [(p, "body-rouge", f) for p, f in zip(scored, f1s)]
            means[tool].append(value)
            cells.append(f"{value:.3f}")
        metric = "shingle F1" if name == "zyte" else "ROUGE-LSum F1"
        print(f"| {name} | {metric} | {len(scored)} | " + " | ".join(cells) + " |")
    if means:
        print("| **mean of sets** | | | "
              + " | ".join(f"**{statistics.fmean(means[t]):.3f}**" for t in body_tools) + " |")

    print("\n## Dates: publication day right (of pages with date gold)\n")
    print("| set | dated pages | " + " | ".join(tools) + " | ours: future / <1800 / date on an undated page |")
    print("| --- | --- |" + " --- |" * len(tools) + " --- |")
    pooled: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    lang_date: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for name, group in by_set.items():
        dated = [p for p in group if p.dated]
        if not dated:
            continue
        cells = []
        bad = [0, 0, 0]
        for tool in tools:
            hits = n = 0
            for p in dated:
                got = _day(out[tool][(p.set, p.id)].date)
                gold = gold_days(p.date)
                if tool == "ours" and got is not None:
                    bad[0] += got > now.date()
                    bad[1] += got.year < 1800
                    bad[2] += not gold
                if not gold:
                    continue
                n += 1
                ok = got in gold
                hits += ok
                pooled[tool][0] += ok
                pooled[tool][1] += 1
                lang_date[p.lang][tool][0] += ok
                lang_date[p.lang][tool][1] += 1
                if tool == "ours":
                    page_rows.append((p, "date", float(ok), f"got {got} gold {p.date}"))
            cells.append(_pct(hits, n))
        print(f"| {name} | {sum(1 for p in dated if p.date)} | " + " | ".join(cells)
              + f" | {bad[0]} / {bad[1]} / {bad[2]} |")
    print("| **all sets** | | " + " | ".join(f"**{_pct(*pooled[t])}**" for t in tools) + " | |")

    print("\n## Headline: exact normalised match\n")
    print("Two ways: every page with a gold headline; and only pages whose gold headline is the whole text of "
          "one element of the page's body that holds a single line, i.e. a headline a reader sees (not the "
          "headline joined to its deck, a kicker added, or a form the page never shows).\n")
    print("| set | way | pages | " + " | ".join(body_tools) + " |")
    print("| --- | --- | --- |" + " --- |" * len(body_tools))
    lang_head: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for name, group in by_set.items():
        titled = [p for p in group if p.title]
        if not titled:
            continue
        seen = [p for p in titled if gold_headline_seen(p)]
        for way, chosen in (("all", titled), ("seen on the page", seen)):
            cells = []
            for tool in body_tools:
                hits = 0
                for p in chosen:
                    got = out[tool][(p.set, p.id)].headline
                    ok = norm(got) == norm(p.title)
                    hits += ok
                    if way == "all":
                        lang_head[p.lang][tool][0] += ok
                        lang_head[p.lang][tool][1] += 1
                        if tool == "ours":
                            page_rows.append((p, "headline", float(ok), f"got {got!r} gold {p.title!r}"))
                cells.append(_pct(hits, len(chosen)))
            print(f"| {name} | {way} | {len(chosen)} | " + " | ".join(cells) + " |")

    print("\n## Authors: each gold author found (exact normalised match)\n")
    print("Three ways: every gold author; without gold 'authors' that are a news agency or the "
          "publication itself, by its name or as its newsroom ('... Staff', '...-Redaktion'): not people; "
          "and, of those, only names: without gold parts of a raw byline that hold a date or time, "
          "are one letter, or are a job title ('Senior Editor').\n")
    print("| set | way | gold authors | " + " | ".join(f"{t} found | {t} precision" for t in body_tools) + " |")
    print("| --- | --- | --- |" + " --- | --- |" * len(body_tools))
    for name, group in by_set.items():
        credited = [p for p in group if p.authors]
        if not credited:
            continue
        for way in ("as gold", "people only", "names only"):
            cells = []
            n_gold = 0
            for tool in body_tools:
                found = n = right = given = 0
                for p in credited:
                    gold = [a for a in p.authors if way == "as gold" or not (
                        _not_a_person(a, p) or (way == "names only" and _not_a_name(a)))]
                    got = {norm(a) for a in out[tool][(p.set, p.id)].authors}
                    gold_n = {norm(a) for a in gold}
                    n += len(gold_n)
                    found += len(gold_n & got)
                    if gold_n or way == "as gold":
                        given += len(got)
                        right += len(got & gold_n)
                    if tool == "ours" and way == "people only" and gold_n - got:
                        page_rows.append((p, "author", 0.0, f"got {sorted(got)} gold {sorted(gold_n)}"))
                n_gold = n
                cells.append(f"{_pct(found, n)} | {right / given:.1%}" if given else f"{_pct(found, n)} | -")
            print(f"| {name} | {way} | {n_gold} | " + " | ".join(cells) + " |")

    print("\n## Per language (fundus and every non-English page with gold)\n")
    print("| lang | pages (body) | " + " | ".join(f"body {t}" for t in body_tools) + " | "
          + " | ".join(f"headline {t}" for t in body_tools) + " | " + " | ".join(f"date {t}" for t in tools) + " |")
    print("| --- | --- |" + " --- |" * (2 * len(body_tools) + len(tools)))
    for lang in sorted(lang_body, key=lambda k: -len(lang_body[k]["ours"])):
        row = [lang, str(len(lang_body[lang]["ours"]))]
        row += [f"{statistics.fmean(lang_body[lang][t]):.3f}" if lang_body[lang][t] else "-" for t in body_tools]
        row += [_pct(*lang_head[lang][t]) if lang_head[lang][t][1] else "-" for t in body_tools]
        row += [_pct(*lang_date[lang][t]) if lang_date[lang][t][1] else "-" for t in tools]
        print("| " + " | ".join(row) + " |")

    print("\n## Speed (same run, same decoded pages, best of "
          f"{args.repeat} per page; the machine is shared, absolute times are upper bounds)\n")
    med_t, med_b = statistics.median(times), statistics.median(base)
    print("| | ms/page median | ms total |")
    print("| --- | --- | --- |")
    print(f"| BeautifulSoup(lxml) parse + get_text | {med_b:.1f} | {sum(base):.0f} |")
    print(f"| newsindex clean_html (parse + clean + metadata) | {med_t:.1f} | {sum(times):.0f} |")
    print(f"| **ratio** | **{med_t / med_b:.2f}x** | **{sum(times) / sum(base):.2f}x** |")

    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "cleaning-pages.tsv", "w", encoding="utf-8") as fh:
        fh.write("set\tid\tlang\tcheck\tscore\tnote\n")
        for row in page_rows:
            p, check, score = row[:3]
            note = row[3] if len(row) > 3 else ""
            fh.write(f"{p.set}\t{p.id}\t{p.lang}\t{check}\t{score:.4f}\t{' '.join(note.split())}\n")
    print(f"\nper-page scores: {(OUT / 'cleaning-pages.tsv').relative_to(REPO)}", file=sys.stderr)


_ROLE_WORDS = frozenset(
    "editor editors writer writers reporter correspondent contributor contributing columnist photographer photos "
    "photo producer senior chief associate managing executive deputy editorial intern analyst freelance journalist "
    "author illustrations graphics staff of the and for at in".split())


_DATE_OR_TIME = re.compile(
    r"\b(?:1[89]|20)\d\d|\d:\d\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*\d", re.I)


def _not_a_name(author: str) -> bool:
    """A part of a raw gold byline that is no clean name: it holds a date or time, is a lone letter or a job title."""
    words = re.findall(r"[^\W\d_]+", author.lower())
    return (bool(_DATE_OR_TIME.search(author)) or len(author.strip(" .")) < 2
            or bool(words) and all(w in _ROLE_WORDS for w in words))


_NEWSROOM = re.compile(r"\b(?:staff|team|desk|newsroom)\b|redaktion\b|rédaction|redacción|redazione", re.I)


def _not_a_person(author: str, page: Page) -> bool:
    """A news agency or the publication itself (its name, or its newsroom: "MND Staff",
    "IN-Redaktion", "Gear Team"), credited as an author by the set's gold."""
    if is_agency(author) or _NEWSROOM.search(author):
        return True
    site = norm(page.publisher)
    name = norm(author)
    return bool(site) and (name == site or name.startswith(site) or site.startswith(name))


if __name__ == "__main__":
    main()
