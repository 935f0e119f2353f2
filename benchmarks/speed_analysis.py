"""How much of the indexing CPU the text analyzer's filter chain costs, and what one pass would save.

    .venv/bin/python benchmarks/speed_analysis.py [--corpus corpus] [--limit 21578]

`indexer.analysis.text_analyzer()` is six stages (tokenizer, lower case, possessive,
accent folding, Hangul bigrams, Snowball), each a Python generator over the tokens.
`FusedTextTokenizer` below does the same work in one loop. The script checks that both
give identical tokens (text, position, character offsets) on every article of the
corpus plus Korean, accented and possessive samples, then times both. It is a measured
proposal for `indexer/analysis.py` (owned by search quality), not used by the index.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from whoosh.analysis import StemFilter, Token, Tokenizer  # noqa: E402
from whoosh.support.charset import accent_map  # noqa: E402

from indexer import analysis  # noqa: E402

SAMPLES = ["Kim Jong Un’s visit to Pyongyang's new café", "서울에서 북한 노동자들이 일했다",
           "Naïve façade; déjà vu — O'Neill's rôle", "가 나 다라마 x서울y", "it's the workers' union"]


class FusedTextTokenizer(Tokenizer):
    """The text analyzer's six stages in one loop (same tokens, one Token object reused)."""

    def __init__(self) -> None:
        self.expression = analysis.re.compile(analysis._WORD)
        self._stemmer = StemFilter(lang="en")  # pickles without its cache (the schema is pickled)

    def has_morph(self) -> bool:
        """It stems, so Whoosh keeps separate unstemmed spelling fields (`spelling=True`)."""
        return True

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 no_morph: bool = False, **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        stem = str if no_morph else self._stemmer._stem  # no_morph: the spelling words
        hangul, charmap = analysis._HANGUL_RUN.search, accent_map
        # lower() can make ASCII out of non-ASCII (the Kelvin sign) but never the
        # reverse, and accent_map only maps ASCII capitals to lower case, so ASCII
        # words skip accent folding and the Hangul check.
        if not tokenize:
            yield from self._fold(t, [_Whole(value)], stem, hangul, charmap, positions, chars,
                                  keeporiginal, start_pos, start_char)
        else:
            yield from self._fold(t, self.expression.finditer(value), stem, hangul, charmap,
                                  positions, chars, keeporiginal, start_pos, start_char)

    @staticmethod
    def _fold(t, matches, stem, hangul, charmap, positions, chars, keeporiginal, start_pos,
              start_char):
        pos = start_pos
        for m in matches:
            text = m.group(0).lower()
            if "'" in text or "\u2019" in text:
                text = text.replace("\u2019", "'")
                if text.endswith("'s"):
                    text = text[:-2]
            if not text.isascii():
                text = text.translate(charmap)
                if hangul(text):
                    start = m.start()
                    pieces = list(analysis._pieces(text))
                    for i, (a, b) in enumerate(pieces):
                        t.text = stem(text[a:b])
                        t.boost, t.stopped = 1.0, False
                        if keeporiginal:
                            t.original = t.text
                        if positions:
                            t.pos = pos + i
                        if chars:
                            t.startchar, t.endchar = start_char + start + a, start_char + start + b
                        yield t
                    pos += len(pieces)
                    continue
            t.text = stem(text)
            t.boost, t.stopped = 1.0, False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = pos
            if chars:
                t.startchar, t.endchar = start_char + m.start(), start_char + m.end()
            pos += 1
            yield t


class _Whole:
    """A match-like object for `tokenize=False` (the whole value is one token)."""

    def __init__(self, value: str) -> None:
        self.value = value

    def group(self, _n: int) -> str:
        return self.value

    def start(self) -> int:
        return 0

    def end(self) -> int:
        return len(self.value)


def _texts(corpus: Path, limit: int) -> list[str]:
    from indexer.article import Article
    from indexer.readers import read_source
    from indexer.sources import walk_sources

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--limit", type=int, default=21_578, help="articles to analyse")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    chain, fused = analysis.text_analyzer(), FusedTextTokenizer()
    texts = SAMPLES + _texts(args.corpus, args.limit)
    differ = [t for t in texts if _tokens(chain, t) != _tokens(fused, t)]
    print(f"{len(texts):,} texts; identical tokens: {'yes' if not differ else 'NO'}")
    for text in differ[:3]:
        print("  differs:", text[:80])
    a = statistics.median(_cpu(chain, texts) for _ in range(args.repeats))
    b = statistics.median(_cpu(fused, texts) for _ in range(args.repeats))
    print(f"| analyzer | CPU s (median of {args.repeats}) |\n| --- | --- |")
    print(f"| text_analyzer() chain (6 generator stages) | {a:.2f} |")
    print(f"| FusedTextTokenizer (one loop) | {b:.2f} ({a / b:.1f}x faster) |")


if __name__ == "__main__":
    main()
