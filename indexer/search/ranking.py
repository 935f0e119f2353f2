"""Ranking rules on top of BM25F that Whoosh does not have built in."""

from __future__ import annotations

from whoosh import matching, query

from indexer.whoosh_internals import WrappingQueryBase

# Added to the score of articles that have every word of a bare query, so they
# rank above those missing one (which still follow, ranked by BM25F).
ALL_WORDS_BONUS = 10_000.0


class AllWordsBonusMatcher(matching.WrappingMatcher):
    """Scores every match with a constant (carried as `boost`) while keeping the
    child's postings, so matched terms are still recorded for highlighting
    (Whoosh's ConstantScoreQuery drops the bonus when terms are recorded)."""

    def score(self) -> float:
        return self.boost

    def supports_block_quality(self) -> bool:
        return False


class AllWordsBonus(WrappingQueryBase):
    """Matches what `child` matches, scoring each match `bonus`. Combined in an
    Or with the plain word query, articles with every word come first."""

    def __init__(self, child: query.Query, bonus: float = ALL_WORDS_BONUS) -> None:
        super().__init__(child)
        self.bonus = bonus

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.child!r}, {self.bonus})"

    def __str__(self) -> str:
        return f"AllWords({self.child})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.child == other.child and self.bonus == other.bonus

    def __hash__(self) -> int:
        return hash(self.child) ^ hash(self.bonus)

    def rewrap(self, child: query.Query) -> "AllWordsBonus":
        return self.__class__(child, self.bonus)

    def matcher(self, searcher, context=None):
        m = self.child.matcher(searcher, context)
        if isinstance(m, matching.NullMatcherClass):
            return m
        return AllWordsBonusMatcher(m, boost=self.bonus)


def all_words_first(all_words: query.Query, any_word: query.Query) -> query.Query:
    """Articles with all the words first (ranked among themselves by BM25F),
    then those with some of them."""
    return query.Or([AllWordsBonus(all_words), any_word])


def displayed_score(score: float | None) -> float:
    """The BM25F part of a score, without the all-words bonus."""
    return (score or 0.0) % ALL_WORDS_BONUS


# Common words ("the", "said", "of", "and": 50-72% of Reuters articles).
# `bare_words_query` can make such words optional (they only add to the score
# of articles matching the other words). Measured on the known-item benchmark
# (benchmarks/README-relevance.md) this LOST 0.03 MRR on lead-sentence queries
# and 0.07 on long questions, so the product does not use it; the benchmark
# keeps it as a rejected variant. The share also drops common words from
# "more like this" key terms, where they only add noise.
COMMON_WORD_SHARE = 0.40


def word_doc_share(word_query: query.Query, reader, n_docs: int) -> float:
    """The largest share of articles any field's term of one query word occurs in."""
    best = 0
    for fieldname, text in word_query.iter_all_terms():
        try:
            best = max(best, reader.doc_frequency(fieldname, text))
        except Exception:  # a field the reader does not know
            continue
    return best / n_docs if n_docs else 0.0


def bare_words_query(all_words: query.Query, any_word: query.Query, reader, n_docs: int,
                     common_share: float = COMMON_WORD_SHARE,
                     keep_common: bool = True) -> query.Query:
    """The ranking of a bare multi-word query: articles with all the (not
    common) words first, then those with some of them; common words only add
    to the score. With no common words (or only common ones) this is
    `all_words_first(all_words, any_word)`."""
    # the AND query keeps one subquery per word (the OR query is flattened)
    if not isinstance(all_words, query.And):
        return all_words_first(all_words, any_word)
    words = list(all_words.subqueries)
    common = [w for w in words if word_doc_share(w, reader, n_docs) > common_share]
    rare = [w for w in words if w not in common]
    if not common or not rare:
        return all_words_first(all_words, any_word)
    rare_any = rare[0] if len(rare) == 1 else query.Or(rare)
    rare_all = rare[0] if len(rare) == 1 else query.And(rare)
    if not keep_common:
        return query.Or([AllWordsBonus(rare_all), rare_any])
    scored = query.AndMaybe(rare_any, common[0] if len(common) == 1 else query.Or(common))
    return query.Or([AllWordsBonus(rare_all), scored])
