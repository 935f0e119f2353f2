"""What the one-loop text analyzer saves over the six-stage Whoosh chain it replaced.

    .venv/bin/python benchmarks/speed_analysis.py [--corpus corpus] [--limit 21578]

`indexer.index.analysis.chain_analyzer()` is the analysis as six Whoosh stages (tokenizer,
lower case, possessive, accent folding, Hangul bigrams, Snowball), each a Python
generator over the tokens; `text_analyzer()` (the index's) does the same in one loop,
and its posting formats (`CharactersFormat`, `PositionsFormat`) group the terms without
Token objects. The script checks identical tokens (text, position, character offsets,
unstemmed words) and identical posting bytes on every article of the corpus plus Korean,
accented and possessive samples, then times: tokens alone, and the body's posting values
(what a writer's `add_document` computes per field).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from whoosh.formats import Characters  # noqa: E402

from indexer.index import analysis  # noqa: E402

SAMPLES = ["Kim Jong Un’s visit to Pyongyang's new café", "서울에서 북한 노동자들이 일했다",
           "Naïve façade; déjà vu — O'Neill's rôle", "가 나 다라마 x서울y", "it's the workers' union"]


def _texts(corpus: Path, limit: int) -> list[str]:
    from indexer.index.sources import walk_sources
    from indexer.ingest import read_source
    from indexer.ingest.article import Article

    texts: list[str] = []
    for sf in walk_sources([str(corpus)]).files:
        for item in read_source(Path(sf.path), sf.source):
            if isinstance(item, Article):
                texts += [item.headline, "\n".join(item.captions), item.body]
        if len(texts) >= 3 * limit:
            break
    return texts[:3 * limit]


def _tokens(analyzer, text: str) -> list[tuple]:
    stemmed = [(t.text, t.pos, t.startchar, t.endchar)
               for t in analyzer(text, positions=True, chars=True)]
    return stemmed + [t.text for t in analyzer(text, no_morph=True)]  # spelling words too


def _cpu(analyzer, texts: list[str]) -> float:
    started = time.process_time()
    for text in texts:
        for _ in analyzer(text, positions=True, chars=True):
            pass
    return time.process_time() - started


def _postings_cpu(fmt, analyzer, texts: list[str]) -> float:
    started = time.process_time()
    for text in texts:
        for _ in fmt.word_values(text, analyzer, mode="index"):
            pass
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--limit", type=int, default=21_578, help="articles to analyse")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    chain, fused = analysis.chain_analyzer(), analysis.text_analyzer()
    plain_fmt, fast_fmt = Characters(), analysis.CharactersFormat()
    texts = SAMPLES + _texts(args.corpus, args.limit)
    differ = [t for t in texts if _tokens(chain, t) != _tokens(fused, t)
              or sorted(plain_fmt.word_values(t, chain, mode="index"))
              != sorted(fast_fmt.word_values(t, fused, mode="index"))]
    print(f"{len(texts):,} texts; identical tokens and posting bytes: {'yes' if not differ else 'NO'}")
    for text in differ[:3]:
        print("  differs:", text[:80])
    a = statistics.median(_cpu(chain, texts) for _ in range(args.repeats))
    b = statistics.median(_cpu(fused, texts) for _ in range(args.repeats))
    c = statistics.median(_postings_cpu(plain_fmt, chain, texts) for _ in range(args.repeats))
    d = statistics.median(_postings_cpu(fast_fmt, fused, texts) for _ in range(args.repeats))
    print(f"| what | CPU s (median of {args.repeats}) |\n| --- | --- |")
    print(f"| tokens: chain_analyzer() (6 generator stages) | {a:.2f} |")
    print(f"| tokens: text_analyzer() (one loop) | {b:.2f} ({a / b:.1f}x faster) |")
    print(f"| posting values: Whoosh Characters format over the chain | {c:.2f} |")
    print(f"| posting values: CharactersFormat over occurrences() | {d:.2f} ({c / d:.1f}x faster) |")


if __name__ == "__main__":
    main()
