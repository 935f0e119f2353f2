"""The query language, described once for `/help` and `newsindex search --help`."""

from __future__ import annotations

from indexer.index.schema import FIELD_ALIASES, QUERY_FIELDS

# (example, what it does) — examples work on the bundled corpus.
QUERY_SYNTAX: list[tuple[str, str]] = [
    ("oil prices", "Articles with these words; those with all of them rank first, "
                   "those missing one still follow. A headline match weighs most."),
    ('"crude oil prices"', "The exact phrase."),
    ('"opec output"~5', "The words within five words of each other."),
    ("coffee AND brazil", "Both words (AND, OR and NOT are written in capitals)."),
    ("coffee OR cocoa", "Either word."),
    ("bank NOT japan", "The first word without the second; -japan does the same "
                       "(outside parentheses)."),
    ("state-owned", "A hyphenated word: the phrase \"state owned\" (a minus excludes only "
                    "at the start of a word)."),
    ("export*", "Words starting with export: exports, exporter, exporting…"),
    ("sojurn~", "Fuzzy: words one letter away (sojourn)."),
    ("headline:takeover", "Only in headlines. Other fields: body: caption: publication: author:"),
    ('publication:"daily nk"', "Articles from one publication."),
    ("date:[1987-03-01 to 1987-03-31]", "Published in a date range (YYYY-MM-DD)."),
    ("crawled:[2019-01-01 to 2019-12-31]", "Captured by a web crawler in a date range (pages from web "
                                           "archives, WARC): finds pages that give no publication date; "
                                           "the capture time is never taken as the publication date."),
    ("(gold OR silver) AND mine", "Parentheses group words."),
    ("*", "Every article (use the filters to narrow)."),
]

# "headline: (or title:), body: (or text:), caption:, ..."
_FIELDS = ", ".join(f"{name}:" + "".join(f" (or {alias}:)" for alias, field in FIELD_ALIASES.items() if field == name)
                    for name in QUERY_FIELDS)

QUERY_NOTES = ("Matching ignores case and accents and uses English stems (workers finds worker). "
         "Korean words are found inside longer words (서울 finds 서울에서). "
         "A story re-sent with small corrections is listed once, with its other versions. "
         "Fields: " + _FIELDS + ".")


def plain_text_help() -> str:
    """The syntax as plain text for the command line."""
    width = max(len(example) for example, _ in QUERY_SYNTAX)
    lines = ["query syntax:"]
    lines += [f"  {example.ljust(width)}  {meaning}" for example, meaning in QUERY_SYNTAX]
    lines += ["", QUERY_NOTES]
    return "\n".join(lines)
