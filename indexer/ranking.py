"""Ranking rules on top of BM25F that Whoosh does not have built in."""

from __future__ import annotations

from whoosh import matching, query
from whoosh.query.wrappers import WrappingQuery

# Added to the score of articles that have every word of a bare query, so they
# rank above those missing one (which still follow, ranked by BM25F).
ALL_WORDS_BONUS = 10_000.0


class _ConstantMatcher(matching.WrappingMatcher):
    """Scores every match with a constant (carried as `boost`) while keeping the
    child's postings, so matched terms are still recorded for highlighting
    (Whoosh's ConstantScoreQuery drops the bonus when terms are recorded)."""

    def score(self) -> float:
        return self.boost

    def supports_block_quality(self) -> bool:
        return False


class AllWordsBonus(WrappingQuery):
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

    def _rewrap(self, child: query.Query) -> "AllWordsBonus":
        return self.__class__(child, self.bonus)

    def matcher(self, searcher, context=None):
        m = self.child.matcher(searcher, context)
        if isinstance(m, matching.NullMatcherClass):
            return m
        return _ConstantMatcher(m, boost=self.bonus)


def all_words_first(all_words: query.Query, any_word: query.Query) -> query.Query:
    """Articles with all the words first (ranked among themselves by BM25F),
    then those with some of them."""
    return query.Or([AllWordsBonus(all_words), any_word])


def displayed_score(score: float | None) -> float:
    """The BM25F part of a score, without the all-words bonus."""
    return (score or 0.0) % ALL_WORDS_BONUS
