"""The query language: the text a person types -> a Whoosh query, or a QueryError
that says how to fix it.

`parse_query` is the one reader: `check_syntax` refuses what Whoosh would
silently misread, the parser reads the words (fuzzy terms, +/- at the start of
a word, field aliases), `_check_expansions` refuses fuzzy terms that would
expand without bound, `_tighten` reads an OR-grouped query the way people mean
it, and `_weigh_fields` gives phrases and wildcards their field's weight. The
syntax as users see it is described in `indexer.search.querysyntax`.
"""

from __future__ import annotations

import copy
import re

from whoosh import query
from whoosh.qparser import AndGroup, FuzzyTermPlugin, MultifieldParser, OrGroup, PlusMinusPlugin
from whoosh.qparser.common import QueryParserError
from whoosh.qparser.plugins import FieldAliasPlugin

from indexer.errors import QueryError
from indexer.index.schema import DEFAULT_FIELDS, FIELD_ALIASES, FIELD_BOOSTS, METADATA_FIELDS, QUERY_FIELDS
from indexer.limits import MAX_FUZZY_TERMS
from indexer.search.ranking import all_words_first

_OPERATOR = re.compile(r"^(AND|OR|NOT|ANDNOT|ANDMAYBE)$")
_SYNTAX_CHARS = re.compile(r'["()\[\]{}:*?~^+]|(?:^|\s)-|\b(?:AND|OR|NOT)\b')
_KNOWN_FIELDS = frozenset(QUERY_FIELDS) | frozenset(FIELD_ALIASES) | frozenset(FIELD_ALIASES.values())


def make_parser(schema, group) -> MultifieldParser:
    """Whoosh's parser over the default fields, with the plugins the language needs."""
    parser = MultifieldParser(list(DEFAULT_FIELDS), schema, fieldboosts=FIELD_BOOSTS, group=group)
    parser.add_plugin(FuzzyTermPlugin())
    # + and - are operators only at the start of a word: "pan-alberta" is
    # a hyphenated word (searched as a phrase), not "pan NOT alberta".
    parser.add_plugin(PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    parser.add_plugin(FieldAliasPlugin({field: [alias] for alias, field in FIELD_ALIASES.items()}))
    return parser


def parse_query(text: str, schema) -> query.Query:
    """The Whoosh query for the user's text; QueryError explains bad syntax.
    Bare words: those with all of them rank first, then those with some."""
    text = text.strip()
    if text in ("", "*"):
        return query.Every()
    check_syntax(text)
    try:
        q_any = make_parser(schema, OrGroup).parse(text)
    except QueryParserError as exc:
        raise QueryError(f"Could not read the query: {exc}") from None
    except Exception as exc:  # whoosh raises bare Exception / TimeError for bad dates
        if "date:" in text.lower() or "crawled:" in text.lower():
            raise QueryError(f"Could not read the date ({exc}): write dates as YYYY-MM-DD, "
                             "e.g. date:[1987-03-01 to 1987-03-31].") from None
        raise QueryError(f"Could not read the query: {exc}") from None
    if q_any is query.NullQuery:
        raise QueryError("The query has no words to search for.")
    _check_expansions(q_any)
    q_any = _weigh_fields(_tighten(q_any))
    if _SYNTAX_CHARS.search(text) or len(text.split()) < 2:
        return q_any
    q_all = _weigh_fields(make_parser(schema, AndGroup).parse(text))
    return all_words_first(q_all, q_any)


def check_syntax(text: str) -> None:
    """Reject what Whoosh would silently misread, with a message that says how to fix it."""
    if text.count('"') % 2:
        raise QueryError('The query has an unbalanced quote ("): close the phrase or remove the quote.')
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            raise QueryError("The query has a ')' without a matching '('.")
    if depth:
        raise QueryError("The query has a '(' that is never closed.")
    if text.count("[") != text.count("]"):
        raise QueryError("The query has an unbalanced '[' or ']' (ranges look like date:[1987-03-01 to 1987-03-31]).")
    unquoted = re.sub(r'"[^"]*"', '""', text)
    depth = 0
    for i, ch in enumerate(unquoted):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth and ch in "-+" and (i == 0 or unquoted[i - 1] in " \t\n(") \
                and i + 1 < len(unquoted) and not unquoted[i + 1].isspace():
            word = re.match(r"[-+][^\s()]*", unquoted[i:]).group(0)
            fix = f"NOT {word[1:]}" if ch == "-" else f"AND {word[1:]}"
            raise QueryError(f"'{word}' inside parentheses: {ch} works on top-level words only; "
                             f"inside parentheses write {fix}.")
    for m in re.finditer(r"(?:^|(?<=[\s(]))[-+]?([^\W\d]\w*):", unquoted):
        name = m.group(1)
        if name.lower() not in _KNOWN_FIELDS:
            raise QueryError(f"Unknown field '{name}:'. Fields you can search: "
                             + ", ".join(f"{f}:" for f in QUERY_FIELDS) + ".")
        rest = unquoted[m.end():]
        if not rest or rest[0].isspace() or rest[0] == ")":
            raise QueryError(f"'{name}:' needs something to search for right after the colon, "
                             f"e.g. {name}:{_FIELD_EXAMPLES.get(name.lower(), 'oil')}.")
    if re.search(r"(?:^|\s)[-+](?:\s|$)", unquoted):
        raise QueryError("A lone '-' or '+' needs a word right after it, e.g. oil -gas.")
    wildcard = re.search(r"(?:^|[\s(:])([*?][^\s)]*)", unquoted)
    if wildcard and wildcard.group(1) != "*":
        raise QueryError(f"'{wildcard.group(1)}': a word cannot start with * or ? (that would "
                         "look through every word in the archive); put the wildcard at the end, "
                         "e.g. export*.")
    short = re.search(r"(?:^|[\s(:])(\w[*?]\S*)", unquoted)
    if short:
        raise QueryError(f"'{short.group(1)}': give at least two letters before a wildcard, "
                         "e.g. ex*.")
    words = re.findall(r'"[^"]*"|\S+', text)
    bare = [w.strip("()") for w in words]
    if all(_OPERATOR.match(w) or not w for w in bare):
        raise QueryError(f"'{text}' is only an operator: put words around AND, OR and NOT, "
                         "e.g. coffee AND brazil.")
    if bare and bare[-1] in ("AND", "OR", "NOT"):
        raise QueryError(f"'{bare[-1]}' at the end of the query needs a word after it.")
    if bare and bare[0] in ("AND", "OR"):
        raise QueryError(f"'{bare[0]}' at the start of the query needs a word before it.")
    for a, b in zip(bare, bare[1:]):
        if a in ("AND", "OR", "NOT") and b in ("AND", "OR"):
            raise QueryError(f"'{a} {b}': two operators in a row; put a word between them.")


_FIELD_EXAMPLES = {"headline": "takeover", "title": "takeover", "publication": "reuters",
                   "author": "kim", "byline": "kim", "date": "[1987-03-01 to 1987-03-31]",
                   "crawled": "[2019-01-01 to 2019-12-31]", "caption": "bridge", "captions": "bridge"}


def _check_expansions(q: query.Query) -> None:
    """Refuse fuzzy terms whose expansion would take the server down: `oil~3`
    matches nearly every word and took 32 s; long words with many edits build
    huge automata (gigabytes of memory)."""
    fuzzy = [t for t in q.leaves() if isinstance(t, query.FuzzyTerm)]
    words = {t.text for t in fuzzy}
    if len(words) > MAX_FUZZY_TERMS:
        raise QueryError(f"At most {MAX_FUZZY_TERMS} fuzzy words (word~) in one query.")
    for term in fuzzy:
        needed = 3 if term.maxdist <= 1 else 5
        if term.maxdist > 2:
            raise QueryError(f"'{term.text}~{term.maxdist}': fuzzy matching allows at most 2 edits "
                             "(word~ for one, word~2 for two).")
        if len(term.text) < needed or len(term.text) > 30:
            raise QueryError(f"'{term.text}~{term.maxdist}': fuzzy matching with {term.maxdist} "
                             f"edit(s) needs a word of {needed} to 30 letters.")


def _tighten(q: query.Query) -> query.Query:
    """Read an OR-grouped query the way people mean it: `oil NOT gas` excludes
    gas (rather than adding "anything without gas"), and `oil date:[…]` or
    `oil publication:reuters` narrow the words rather than adding alternatives."""
    if not isinstance(q, query.Or):
        return q
    subs = [_tighten(sub) for sub in q.subqueries]
    nots = [sub.query for sub in subs if isinstance(sub, query.Not)]
    meta = [sub for sub in subs if not isinstance(sub, query.Not)
            and _fields_of(sub) and _fields_of(sub) <= METADATA_FIELDS]
    words = [sub for sub in subs if not isinstance(sub, query.Not) and sub not in meta]
    if not words:
        words, meta = meta, []
    if not words:
        return q  # only NOTs: leave it to Whoosh (matches everything else)
    tightened: query.Query = words[0] if len(words) == 1 else query.Or(words, boost=q.boost)
    if meta:
        tightened = query.And([tightened, *meta])
    if nots:
        tightened = query.AndNot(tightened, nots[0] if len(nots) == 1 else query.Or(nots))
    return tightened


def _weigh_fields(q: query.Query) -> query.Query:
    """Give phrases, prefixes and wildcards their field's weight. Whoosh's
    MultifieldParser boosts a plain word per field but leaves `headline:"oil
    price"` and `headline:exp*` at 1, so a phrase in a headline weighed no
    more than one in the body."""
    if isinstance(q, (query.Phrase, query.PatternQuery)):
        if q.boost == 1.0 and q.fieldname in FIELD_BOOSTS:
            q = copy.copy(q)
            q.boost = FIELD_BOOSTS[q.fieldname]
        return q
    if q.is_leaf():
        return q
    return q.apply(_weigh_fields)


def _fields_of(q: query.Query) -> set[str]:
    name = getattr(q, "fieldname", None)
    if name:
        return {name}
    found: set[str] = set()
    for sub in getattr(q, "subqueries", ()) or ((q.child,) if hasattr(q, "child") else ()):
        found |= _fields_of(sub)
    return found
