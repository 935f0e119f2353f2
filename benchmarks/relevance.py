"""Known-item relevance benchmark on Reuters-21578: does the search find the article a
researcher half-remembers?

Each query is made from one article's lead sentence, the way people recall it:
some words dropped, some replaced by synonyms (a small hand-written table of
newswire words), lower case, no numbers. A second set are long questions of
10-20 words in plain language built around the lead's content words. A query
succeeds when its article is in the top 10; MRR@10 is the mean of 1/rank.

Reuters re-sent some stories unchanged, so some known items have twins with
the very same text: a hit on an article whose headline and body are identical
to the target's counts as finding it (the count of such targets is printed).

Every ranking is compared with a plain BM25F baseline in the same run: a plain
OR query over headline, captions and body, default field weights, no
all-words bonus.

    .venv/bin/python benchmarks/relevance.py --index /tmp/reuters-ix [--write]

Without --index, corpus/reuters21578 is indexed into a temporary folder first.
--write puts the table into benchmarks/README-relevance.md (between its markers).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from whoosh import index as whoosh_index  # noqa: E402
from whoosh.qparser import MultifieldParser, OrGroup  # noqa: E402
from whoosh.scoring import BM25F  # noqa: E402

from indexer import Archive  # noqa: E402
from indexer.index import store  # noqa: E402
from indexer.index.schema import DEFAULT_FIELDS, FIELD_BOOSTS  # noqa: E402
from indexer.ingest import read_source  # noqa: E402
from indexer.search.ranking import COMMON_WORD_SHARE, bare_words_query  # noqa: E402

# Common newswire words and what someone might type instead.
SYNONYMS = {
    "said": ["stated", "announced"], "says": ["states"], "company": ["firm"], "firm": ["company"],
    "rise": ["increase"], "rose": ["increased", "climbed"], "fell": ["dropped", "declined"],
    "fall": ["drop", "decline"], "increase": ["rise"], "decrease": ["cut"], "cut": ["reduce"],
    "buy": ["purchase", "acquire"], "bought": ["purchased", "acquired"], "sell": ["sale"],
    "sold": ["sell"], "acquire": ["buy"], "acquisition": ["takeover", "purchase"],
    "takeover": ["acquisition"], "merger": ["merge"], "profit": ["earnings"],
    "earnings": ["profit"], "loss": ["deficit"], "shares": ["stock"], "stock": ["shares"],
    "government": ["state", "administration"], "agreement": ["deal", "accord"],
    "agreed": ["accepted"], "deal": ["agreement"], "talks": ["negotiations"],
    "price": ["cost"], "prices": ["costs"], "output": ["production"], "production": ["output"],
    "exports": ["shipments"], "imports": ["purchases"], "plan": ["proposal"],
    "plans": ["intends"], "expected": ["forecast", "predicted"], "forecast": ["expected"],
    "year": ["annual"], "quarter": ["qtr"], "official": ["spokesman"], "officials": ["sources"],
    "spokesman": ["official"], "minister": ["secretary"], "president": ["chairman"],
    "chairman": ["head"], "bank": ["lender"], "debt": ["loans"], "loan": ["credit"],
    "market": ["markets"], "new": ["latest"], "big": ["large"], "large": ["big"],
    "higher": ["increased"], "lower": ["reduced"], "billion": ["bln"], "million": ["mln"],
    "mln": ["million"], "bln": ["billion"], "dlrs": ["dollars"], "pct": ["percent"],
    "percent": ["pct"], "told": ["informed"], "reported": ["announced"], "week": ["weekly"],
    "trade": ["trading"], "oil": ["crude"], "crude": ["oil"], "tonnes": ["tons"],
    "unit": ["subsidiary"], "subsidiary": ["unit"], "offer": ["bid"], "bid": ["offer"],
}
FUNCTION_WORDS = set("""a an the of to in on for and or but by with at from as is are was were be
been it its that this these those which who whom will would could should may might has have had
not no than then there their they he she his her we our you your i also about into over under
after before said says mln dlrs pct vs""".split())
QUESTION_TEMPLATES = [
    "what did the report say about {}",
    "i am looking for the news story about {}",
    "which article reported that {}",
    "can you find the wire story on {} from 1987",
    "news about {} and what happened next",
]
_DATELINE = re.compile(r"^[A-Z][A-Za-z .,'/()-]{1,60}?, [A-Z][a-z]{2,8}\.? \d{1,2} - ")
_WORDS = re.compile(r"[A-Za-z][A-Za-z'-]*")
_HEADLINE_WORDS = re.compile(r"\b[A-Za-z][A-Za-z'-]*")  # not the "ST" of "1ST QTR"


KINDS = ("lead", "question", "headline")


@dataclass
class KnownItem:
    id: str
    query: str
    kind: str  # "lead", "question" or "headline"


def load_articles(corpus: Path) -> list:
    articles = []
    for path in sorted(corpus.glob("*.jsonl*")):
        articles += [a for a in read_source(path, str(path)) if hasattr(a, "body")]
    return articles


def lead_words(body: str) -> list[str]:
    text = " ".join(body.split())
    text = _DATELINE.sub("", text)
    sentence = re.split(r"(?<=[a-z0-9])\.\s+(?=[A-Z])", text, maxsplit=1)[0]
    return [w.lower().strip("'-") for w in _WORDS.findall(sentence)]


def recall(words: list[str], rng: random.Random, drop: float, swap: float) -> list[str]:
    """Words as half-remembered: some dropped, some replaced by a synonym."""
    out = []
    for w in words:
        if rng.random() < drop:
            continue
        if w in SYNONYMS and rng.random() < swap:
            w = rng.choice(SYNONYMS[w])
        out.append(w)
    return out


def make_queries(articles: list, n_lead: int, n_questions: int, seed: int,
                 n_headlines: int = 0) -> list[KnownItem]:
    rng = random.Random(seed)
    usable = [a for a in articles if len(lead_words(a.body)) >= 8]
    rng.shuffle(usable)
    items: list[KnownItem] = []
    for a in usable[:n_lead]:
        words = recall(lead_words(a.body), rng, drop=0.3, swap=0.5)[:12]
        items.append(KnownItem(a.id, " ".join(words), "lead"))
    for a in usable[n_lead:n_lead + n_questions]:
        content = [w for w in lead_words(a.body) if w not in FUNCTION_WORDS and len(w) > 2]
        content = recall(list(dict.fromkeys(content)), rng, drop=0.2, swap=0.5)
        template = rng.choice(QUESTION_TEMPLATES)
        frame = len(template.split()) - 1
        want = rng.randint(10, 20) - frame
        if len(content) < 3:
            continue
        items.append(KnownItem(a.id, template.format(" ".join(content[:max(3, want)])), "question"))
    if n_headlines:
        # headlines as half-remembered: a researcher recalls a story by its title
        with_headline = [a for a in usable[n_lead + n_questions:]
                         if len(_HEADLINE_WORDS.findall(a.headline)) >= 4]
        for a in with_headline[:n_headlines]:
            words = recall([w.lower() for w in _HEADLINE_WORDS.findall(a.headline)], rng,
                           drop=0.25, swap=0.5)
            if len(words) >= 2:
                items.append(KnownItem(a.id, " ".join(words), "headline"))
    return items


def text_key(a) -> str:
    return " ".join(f"{a.headline} {a.body}".lower().split())


# -- rankers: query text -> Whoosh query ------------------------------------------------
def plain_parser(schema, boosts: dict | None):
    parser = MultifieldParser(list(DEFAULT_FIELDS), schema, fieldboosts=boosts, group=OrGroup)
    return lambda text: parser.parse(text)


def rankers(archive: Archive, searcher) -> dict[str, Callable | None]:
    """Every ranking the benchmark knows; None is the product end to end."""
    schema = searcher.schema
    start = {"headline": 3.0, "captions": 1.5, "body": 1.0}
    return {
        "baseline: plain BM25F OR, equal field weights": plain_parser(schema, None),
        "field weights 3/1.5/1 only": plain_parser(schema, start),
        "field weights 1.5/1.2/1 only": plain_parser(schema, FIELD_BOOSTS),
        "all-words first, equal field weights": _bare(searcher, None, common_share=1.0),
        "all-words first + weights 3/1.5/1 (product at the start of session 1)": _bare(searcher, start, 1.0),
        "all-words first + weights 2/1.5/1": _bare(searcher, HEAVY, 1.0),
        "all-words first + weights 1.5/1.2/1": _bare(searcher, FIELD_BOOSTS, 1.0),
        "all-words first + weights 1.2/1.1/1": _bare(searcher, LIGHT, 1.0),
        "all-words first up to 5 words + weights 1.5/1.2/1": _short(searcher, FIELD_BOOSTS, 5),
        f"rejected: weights 1.5/1.2/1 + all-words first + words in >{COMMON_WORD_SHARE:.0%} "
        "of articles only add to the score": _bare(searcher, FIELD_BOOSTS, COMMON_WORD_SHARE),
        "product (Archive.parse)": lambda text: archive.parse(text, schema),
        END_TO_END: None,
    }


END_TO_END = "product end to end (Archive.search, versions folded)"
HEAVY = {"headline": 2.0, "captions": 1.5, "body": 1.0}
LIGHT = {"headline": 1.2, "captions": 1.1, "body": 1.0}


def _short(searcher, boosts, max_words):
    """All-words first only for queries of at most `max_words` words."""
    bare = _bare(searcher, boosts, 1.0)
    plain = plain_parser(searcher.schema, boosts)
    return lambda text: bare(text) if len(text.split()) <= max_words else plain(text)


def _bare(searcher, boosts, common_share, keep_common=True):
    from whoosh.qparser import AndGroup

    from indexer.search.parsing import _tighten
    any_p = MultifieldParser(list(DEFAULT_FIELDS), searcher.schema, fieldboosts=boosts, group=OrGroup)
    all_p = MultifieldParser(list(DEFAULT_FIELDS), searcher.schema, fieldboosts=boosts, group=AndGroup)
    n_docs = searcher.doc_count_all()
    return lambda text: bare_words_query(all_p.parse(text), _tighten(any_p.parse(text)),
                                         searcher.reader(), n_docs, common_share, keep_common)


def evaluate(ranked: Callable[[str], list[set[str]]], items: list[KnownItem],
             twins: dict[str, set[str]]) -> dict[str, dict[str, float]]:
    """MRR@10 and success@10 per kind of query. `ranked(text)` gives, for each
    of the top 10 results, the article ids that result stands for (one, or a
    story and its folded versions)."""
    out: dict[str, dict[str, float]] = {}
    for kind in KINDS:
        chosen = [i for i in items if i.kind == kind]
        if not chosen:
            continue
        rr, found, times = 0.0, 0, []
        for item in chosen:
            started = time.perf_counter()
            results = ranked(item.query)
            times.append(time.perf_counter() - started)
            accept = twins.get(item.id, set()) | {item.id}
            for rank, hit_ids in enumerate(results, 1):
                if hit_ids & accept:
                    rr += 1 / rank
                    found += 1
                    break
        times.sort()
        out[kind] = {"n": len(chosen), "mrr": rr / len(chosen), "success": found / len(chosen),
                     "p50_ms": times[len(times) // 2] * 1000}
    return out


def whoosh_ranking(searcher, make_query: Callable, docid_of: Callable[[int], str]):
    """Top 10 of a Whoosh query, searched as Archive.search does (optimize=False)."""
    return lambda text: [{docid_of(hit.docnum)} for hit in
                         searcher.search(make_query(text), limit=10, optimize=False)]


def archive_ranking(archive: Archive):
    """The product end to end: Archive.search's first page, re-sent versions of a
    story folded into one hit (a hit stands for itself and its versions)."""
    from indexer import SearchRequest

    return lambda text: [{hit.id, *hit.duplicates} for hit in
                         archive.search(SearchRequest(query=text, per_page=10)).hits]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", help="an index of corpus/reuters21578 (built first when omitted)")
    ap.add_argument("--corpus", default=str(REPO / "corpus" / "reuters21578"))
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--questions", type=int, default=300)
    ap.add_argument("--headlines", type=int, default=300, help="recalled-headline queries")
    ap.add_argument("--seed", type=int, default=1987)
    ap.add_argument("--write", action="store_true", help="save the table to README-relevance.md")
    ap.add_argument("--only", help="run only rankings whose name contains this text "
                    "(several: a|b), and the baseline")
    args = ap.parse_args(argv)

    articles = load_articles(Path(args.corpus))
    if not args.index:
        from indexer.index.build import build_index
        args.index = tempfile.mkdtemp(prefix="relevance-ix-")
        print(f"indexing {args.corpus} into {args.index} ...", file=sys.stderr)
        build_index([args.corpus], args.index, jobs=2)
    items = make_queries(articles, args.queries, args.questions, args.seed, args.headlines)

    by_text: dict[str, set[str]] = {}
    for a in articles:
        by_text.setdefault(text_key(a), set()).add(a.id)
    text_of = {a.id: text_key(a) for a in articles}
    twins = {i.id: by_text[text_of[i.id]] - {i.id} for i in items if len(by_text[text_of[i.id]]) > 1}

    archive = Archive(args.index)
    searcher = whoosh_index.open_dir(str(store.require_live_generation(Path(args.index)))).searcher(
        weighting=BM25F())
    ids = {}

    def docid_of(docnum: int) -> str:
        if docnum not in ids:
            ids[docnum] = searcher.stored_fields(docnum)["id"]
        return ids[docnum]

    rows = []
    for n, (name, make_query) in enumerate(rankers(archive, searcher).items()):
        if n and args.only and not any(part in name for part in args.only.split("|")):
            continue
        started = time.perf_counter()
        ranked = (archive_ranking(archive) if make_query is None
                  else whoosh_ranking(searcher, make_query, docid_of))
        scores = evaluate(ranked, items, twins)
        rows.append((name, scores))
        print(f"{name}: {time.perf_counter() - started:.0f} s {scores}", file=sys.stderr, flush=True)

    counts = {kind: sum(i.kind == kind for i in items) for kind in KINDS}
    kinds = [kind for kind in KINDS if counts[kind]]
    base = rows[0][1]
    lines = [
        f"Known-item search on Reuters-21578 ({len(articles):,} articles): {counts['lead']} "
        f"lead-sentence queries (30% of words dropped, half of the table's words swapped for a "
        f"synonym, at most 12 words), {counts['question']} questions of 10-20 words and "
        f"{counts['headline']} recalled headlines (25% of words dropped, synonyms swapped); "
        f"seed {args.seed}. {len(twins)} known items have an exact-duplicate twin (same headline "
        "and body), and a hit on the twin counts as found.",
        "",
        "| ranking | " + " | ".join(f"{k} MRR@10 | {k} success@10" for k in kinds)
        + " | p50 ms (" + " / ".join(kinds) + ") |",
        "| --- | " + " | ".join("--- | ---" for _ in kinds) + " | --- |",
    ]
    for name, s in rows:
        def cell(kind: str, key: str, s=s) -> str:
            value = s[kind][key]
            delta = value - base[kind][key]
            return f"{value:.3f}" if s is base else f"{value:.3f} ({delta:+.3f})"
        lines.append(f"| {name} | " + " | ".join(f"{cell(k, 'mrr')} | {cell(k, 'success')}"
                                                for k in kinds)
                     + " | " + " / ".join(f"{s[k]['p50_ms']:.1f}" for k in kinds) + " |")
    table = "\n".join(lines)
    print(table)
    print("\nexample queries:")
    for item in [i for k in KINDS for i in [j for j in items if j.kind == k][:3]]:
        print(f"  {item.id}: {item.query}")
    if args.write:
        # the table and examples go between the markers; the history around them stays
        examples = "\n".join(f"- `{i.query}` → {i.id}" for i in
                             [i for k in KINDS for i in [j for j in items if j.kind == k][:3]])
        readme = REPO / "benchmarks" / "README-relevance.md"
        text = readme.read_text(encoding="utf-8")
        begin, finish = "<!-- relevance:start -->\n", "\n<!-- relevance:end -->"
        head, rest = text.split(begin, 1)
        tail = rest.split(finish, 1)[1]
        readme.write_text(f"{head}{begin}{table}\n\nExample queries:\n{examples}{finish}{tail}",
                          encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
