"""Plain-text articles: the seed layout (see the README's "Input formats") and plain
headline-plus-paragraphs files, hard-wrapped or not.

Layout understood, top to bottom:
  * the headline on the first non-blank line;
  * optionally a byline ("By Jane Doe") and/or a date line right below it;
  * paragraphs, separated by blank lines or indentation, possibly hard-wrapped;
  * image captions: a caption line ending in a credit ("... Image: Daily NK"),
    usually preceded by the image's alt text (a near-copy of the caption).
    Both together are ONE caption, kept apart from the body; the credit is
    dropped from the caption text (the caption keeps its own final period);
  * optionally a closing author bio ("Mun Dong Hui is one of Daily NK's
    full-time journalists ..."), which gives the author (and publication)
    and is not body.

`clean_plain_body` is shared with the record reader: it turns wire-style
hard-wrapped text into "\\n\\n"-separated paragraphs and drops the trailing
"Reuter" sign-off, which would otherwise be the commonest term in the index.
"""

from __future__ import annotations

import operator
import re
from itertools import compress

from indexer.errors import SourceError
from indexer.ingest.article import Article, CleanedArticle, collapse_spaces, derived_id
from indexer.ingest.bylines import normalise_byline
from indexer.ingest.dates import parse_date
from indexer.ingest.encoding import decode_bytes, looks_binary

MAX_HEADLINE_CHARS = 300      # a longer first line is a paragraph, not a headline
MAX_CAPTION_CHARS = 400       # a longer line is body even if it ends like a credit
UNWRAPPED_LINE_CHARS = 100    # a block with a line longer than this is not hard-wrapped

# A wire-service sign-off alone on the last line: "Reuter", "REUTER...", "REUTER^M".
# (The wire sometimes appends a desk code: "REUTER TAW".)
_SIGN_OFF = re.compile(r"(?:[Rr]euters?|REUTERS?)(?:\s*\.{2,}|\s*\^M)*(?:\s+[A-Z]{1,4})?")
_GLUED_SIGN_OFF = re.compile(r"^(?P<text>.*[.!?)\"”’\d])\s+(?:[Rr]euters?|REUTERS?)(?:\s*\.{2,}|\s*\^M)*\s*$")

# A caption line: the caption text, then a credit label and a short credit.
_CREDIT = re.compile(
    r"""^(?P<caption>.*?\S)\s*
        (?P<label>(?:[(\[]\s*)?(?:image|photo|photograph|picture|pic|credit)s?\s*:\s*|©\s*|\(c\)\s+)
        (?P<credit>[^\s.:!?][^.:!?]{0,80}?)\s*[)\]]?\s*\.?$""",
    re.IGNORECASE | re.VERBOSE,
)

# A byline below the headline: "By Jane Doe", "By Jane Doe and Kim Min Ji, Daily NK".
_BYLINE_NAME = r"[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|bin|al|da|la|le|and|&)){0,6}"
_BYLINE = re.compile(rf"^(?i:by)\s+(?P<name>{_BYLINE_NAME})"
                     r"(?:\s*[,|/–—-]\s*(?P<publication>[^,\d]{2,60}))?$")

# A closing bio: "<Name> is (one of|a|an|the) ... <journalist word> ...".
_NAME = r"[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|bin|al|da|la|le)){1,5}"
_BIO = re.compile(
    rf"^(?P<name>{_NAME})\s+(?:is|was|has\s+been)\s+(?P<role>(?:one\s+of|a|an|the)\b.{{0,120}}?"
    r"\b(?:journalists?|reporters?|correspondents?|writers?|editors?|contributors?|columnists?|"
    r"contributing\s+writers?|freelancers?|staff\s+writers?)\b)",
)
_FORMER = re.compile(r"\b(?:former|ex-|retired|late)\b", re.IGNORECASE)
# The outlet named in a bio: "one of Daily NK's ...", "a reporter for The Guardian".
_OUTLET = r"(?:The\s+)?[A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*){0,4}"
_BIO_OUTLET_POSSESSIVE = re.compile(rf"(?:one\s+of|a|an|the)\s+(?P<outlet>{_OUTLET})['’]s\b")
_BIO_OUTLET_PREPOSITION = re.compile(
    r"\b(?:journalists?|reporters?|correspondents?|writers?|editors?|contributors?|columnists?)"
    rf"\s+(?:for|at|with)\s+(?P<outlet>{_OUTLET})")

# A date line under the headline.
_DATE_LABEL = re.compile(r"^(?:published|updated|posted|date)(?:\s+on)?\s*:?\s*", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:18|19|20|21)\d\d\b")
_DATE_WORDS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday "
    "saturday sunday mon tue tues wed thu thurs fri sat sun am pm at utc gmt kst est edt pst pdt "
    "cet cest bst jst t z st nd rd th of".split())

# a table row: columns aligned with runs of spaces or leader dots (wire statistics)
_TABLE_ROW = re.compile(r"\S(?:\.{3,}| {3,})\S")
# a line ending a sentence, and the next line's first word (lines unindented)
_SENTENCE_BREAK = re.compile(r"\n(?<=[.!?:\"”’)]\n)(?=(?P<next_word>\S+))")
# characters `_normalise_lines` rewrites: line and page breaks, tabs, a BOM, control characters
_ODD_CHARACTER = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\ufeff\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_WORD = re.compile(r"\w+")


def read_text(data: bytes, source: str, *, default_publication: str | None = None) -> Article:
    """One `.txt` file -> one Article. Raises SourceError for empty or binary files."""
    text = decode_bytes(data)
    if not text.strip():
        raise SourceError("empty file")
    if looks_binary(data):
        raise SourceError("binary data, not text")
    cleaned = clean_text(text)
    article = Article(
        id=derived_id(source),
        headline=cleaned.headline,
        body=cleaned.body,
        captions=cleaned.captions,
        publication=cleaned.publication or default_publication,
        author=cleaned.author,
        date=cleaned.date,
        source=source,
    )
    if article.is_empty():
        raise SourceError("empty article: no headline or body")
    return article


def clean_text(text: str) -> CleanedArticle:
    """Split a plain-text article into headline, body, captions, publication and author."""
    lines = _normalise_lines(text)
    result = CleanedArticle()

    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return result
    rest_start = first
    headline = collapse_spaces(lines[first])
    if len(headline) <= MAX_HEADLINE_CHARS:
        result.headline = headline
        rest_start = first + 1
        _take_header_lines(lines, rest_start, result)
    rest = lines[rest_start:]

    credits: list[str] = []
    result.captions = _take_captions(rest, credits)

    paragraphs = _paragraphs(_drop_sign_off(rest))
    if paragraphs:
        bio = _bio(paragraphs[-1])
        if bio is not None:
            name, outlet = bio
            paragraphs.pop()
            result.author = result.author or normalise_byline(name)
            if outlet and not result.publication:
                result.publication = outlet
    result.body = "\n\n".join(paragraphs)
    if not result.publication and credits:
        result.publication = max(credits, key=credits.count)
    return result


def _take_header_lines(lines: list[str], start: int, result: CleanedArticle) -> None:
    """A byline and/or a date line right under the headline (at most one blank line
    apart) fill author / publication / date and are blanked out of the body."""
    at = start
    for _ in range(2):
        at = next((i for i in range(at, min(at + 2, len(lines))) if lines[i].strip()), -1)
        if at < 0:
            return
        line = collapse_spaces(lines[at])
        byline = _BYLINE.match(line) if result.author is None else None
        if byline:
            result.author = normalise_byline(byline.group("name"))
            if byline.group("publication"):
                result.publication = byline.group("publication").strip()
        elif result.date is None and _is_date_line(line):
            result.date = parse_date(_DATE_LABEL.sub("", line))
        else:
            return
        lines[at] = ""
        at += 1


def _is_date_line(line: str) -> bool:
    """A line that is only a date ("March 25, 2019", "2019-03-25 10:00 KST",
    "Published: 25 Mar 2019"), so a body sentence with a date is never taken."""
    if len(line) > 60 or not _YEAR.search(line):
        return False
    tokens = re.findall(r"[^\W\d_]+", _DATE_LABEL.sub("", line).lower())
    return all(t in _DATE_WORDS for t in tokens) and parse_date(_DATE_LABEL.sub("", line)) is not None


def clean_plain_body(text: str) -> str:
    """Body text -> paragraphs separated by "\\n\\n": hard-wrapped lines rejoined,
    whitespace normalised, a trailing wire sign-off ("Reuter") removed."""
    return "\n\n".join(_paragraphs(_drop_sign_off(_normalise_lines(text))))


# --- lines and paragraphs -------------------------------------------------------------

def _normalise_lines(text: str) -> list[str]:
    """The lines of `_plain_breaks(text)`, right-stripped."""
    text = _plain_breaks(text)
    lines = text.split("\n")
    # ASCII text has no whitespace left here but spaces and line breaks: with no
    # space before a line break or at the end, no line has anything to strip
    if " \n" not in text and not text.endswith(" ") and text.isascii():
        return lines
    return [line.rstrip() for line in lines]


def _plain_breaks(text: str) -> str:
    """`text` with every line and page break as "\n" (a page break a blank line),
    tabs as spaces, no BOM, other control characters as spaces."""
    if _ODD_CHARACTER.search(text):  # most texts have none: skip the rewriting passes
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
        text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\x0c", "\n\n")
        # tabs count as indentation; other control characters are noise
        text = _CONTROL.sub(" ", text.expandtabs(4))
    return text


def _paragraphs(lines: list[str]) -> list[str]:
    """Group lines (right-stripped, as `_normalise_lines` gives them) into paragraphs:
    blank lines separate blocks; inside a block, an indented line starts a paragraph
    (wire style), table rows stay one per paragraph and hard-wrapped lines are
    rejoined, while a block of long unwrapped lines keeps one paragraph per line."""
    paragraphs: list[str] = []
    for block in "\n".join(lines).split("\n\n"):
        block = block.strip("\n")  # (a longer run of blank lines leaves newlines at a block's ends)
        if block:
            _reflow_block(block.split("\n"), paragraphs, block)
    return paragraphs


def _reflow_block(block: list[str], paragraphs: list[str], joined: str) -> None:
    """Append a block's paragraphs, each with its whitespace collapsed. The lines
    where a paragraph starts are found with whole-block operations and one regular
    expression rather than a Python test per line (this runs for every record body);
    only a block with a run of dots or spaces is looked at line by line for table rows.
    `joined`: the block's lines joined by "\n"."""
    unindented = list(map(str.lstrip, block))
    lengths = list(map(len, unindented))
    width = max(lengths)
    if width > UNWRAPPED_LINE_CHARS:
        # not hard-wrapped: every line is a paragraph of its own
        paragraphs.extend(" ".join(line.split()) for line in unindented)
        return
    count = len(block)
    indents = list(map(operator.sub, map(len, block), lengths))
    least = min(indents)
    starts = set(compress(range(count), map(least.__lt__, indents)))  # indented lines
    text = "\n".join(unindented)
    if "..." in text or "   " in text:  # a table row is a paragraph of its own
        for i in compress(range(count), map(_is_table_row, unindented)):
            starts.update((i, i + 1))
    # a deliberate break: a line ends a sentence well short of the wrap width although
    # the next word would have fitted, so the writer broke the line, not the wrapper
    short = 0.75 * width
    # (an indented line starts a paragraph anyway: in a block with unindented lines, a break
    # is looked for as the block is, where a line starting with a space is no next word)
    where = joined if least == 0 else text
    line = counted = 0
    for end in _SENTENCE_BREAK.finditer(where):
        line += where.count("\n", counted, end.end())  # the index of the line after the break
        counted = end.end()
        if lengths[line - 1] + 1 + len(end.group("next_word")) < short:
            starts.add(line)
    # lines joined by one space are already collapsed unless a line holds a run of spaces or other
    # whitespace (in ASCII text `_normalise_lines` leaves no whitespace but spaces and line breaks)
    tidy = str if "  " not in text and text.isascii() else collapse_spaces
    start = 0
    for i in sorted(starts):
        if start < i < count:
            paragraphs.append(tidy(" ".join(unindented[start:i])))
            start = i
    paragraphs.append(tidy(" ".join(unindented[start:])))


def _is_table_row(line: str) -> bool:
    """`_TABLE_ROW` found in a stripped line (looked for only where there is a
    run of dots or spaces inside it: most lines have none)."""
    return ("..." in line or "   " in line) and _TABLE_ROW.search(line) is not None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _stands_apart(lines: list[str], i: int) -> bool:
    """A last-line "Reuter" is a sign-off, not the wrapped end of a sentence ("a
    survey by\nReuter"), when it is indented, shouted, follows a blank line or a
    finished sentence or figure, or would have fitted on the line above."""
    previous = lines[i - 1].rstrip() if i else ""
    if not previous.strip() or _indent(lines[i]) > 0 or lines[i].strip()[:6].isupper():
        return True
    if previous[-1] in ".!?:;\"”’)>" or previous[-1].isdigit():
        return True
    width = max(map(len, lines))
    return len(previous) + 1 + len(lines[i].strip()) < 0.9 * width


def _drop_sign_off(lines: list[str]) -> list[str]:
    """`lines` without trailing sign-off lines ("Reuter", sometimes twice: "REUTER\n Reuter").
    Done on lines, before rejoining, so a sign-off never gets glued to a table row."""
    end = len(lines)
    while True:
        while end and not lines[end - 1].strip():
            end -= 1
        if end and _SIGN_OFF.fullmatch(lines[end - 1].strip()) and _stands_apart(lines, end - 1):
            end -= 1
            continue
        kept = lines[:end]
        if kept:
            # glued to the last sentence: "... an ounce. REUTER" (but "... told Reuters" stays)
            m = _GLUED_SIGN_OFF.match(kept[-1])
            if m:
                kept[-1] = m.group("text")
        return kept


# --- captions -------------------------------------------------------------------------

def _take_captions(lines: list[str], credits: list[str]) -> list[str]:
    """Find caption lines (with a credit), blank them and their alt-text line
    out of `lines` in place, and return the caption texts."""
    captions: list[str] = []
    for i, raw in enumerate(lines):
        line = collapse_spaces(raw)
        if not line or len(line) > MAX_CAPTION_CHARS:
            continue
        m = _CREDIT.match(line)
        if not m or not _is_credit(m.group("credit")):
            continue
        caption = m.group("caption").strip()
        if not _WORD.search(caption):
            continue
        alt_at = _previous_nonblank(lines, i)
        is_alone = (i + 1 >= len(lines) or not lines[i + 1].strip())
        has_alt = alt_at is not None and _is_near_copy(collapse_spaces(lines[alt_at]), caption)
        copyright_sign = ":" not in m.group("label")
        if not has_alt and not (is_alone and (copyright_sign or caption[-1] in ".!?)\"”’")):
            continue  # a credit-like ending inside running text: leave it to the body
        if has_alt:
            lines[alt_at] = ""
        lines[i] = ""
        captions.append(caption)
        credits.append(m.group("credit").strip())
    return captions


def _is_credit(credit: str) -> bool:
    """A credit is short and names someone: a capitalised name or a year."""
    words = credit.split()
    return 0 < len(words) <= 6 and (credit[0].isupper() or credit[0].isdigit())


def _previous_nonblank(lines: list[str], i: int) -> int | None:
    """The line above the caption (at most one blank line apart), where alt text sits."""
    if i >= 1 and lines[i - 1].strip():
        return i - 1
    if i >= 2 and lines[i - 2].strip():
        return i - 2
    return None


def _is_near_copy(alt: str, caption: str) -> bool:
    """The alt text is the caption, or its beginning, give or take punctuation and case."""
    alt_words = [w.casefold() for w in _WORD.findall(alt)]
    caption_words = [w.casefold() for w in _WORD.findall(caption)]
    if not alt_words or not caption_words:
        return False
    if caption_words[:len(alt_words)] == alt_words and len(alt_words) >= min(3, len(caption_words)):
        return True
    if len(alt_words) >= 2 and set(alt_words) <= set(caption_words):
        return True  # a shortened alt text: "Workers on the bridge"
    shared = set(alt_words) & set(caption_words)
    return len(shared) >= 0.8 * len(set(alt_words) | set(caption_words))


# --- closing bio ----------------------------------------------------------------------

def _bio(paragraph: str) -> tuple[str, str | None] | None:
    """(author, outlet or None) when the paragraph is an author bio."""
    if len(paragraph.split()) > 80:
        return None
    m = _BIO.match(paragraph)
    if not m or _FORMER.search(m.group("role")):
        return None
    first_sentence_end = paragraph.find(". ")
    if 0 <= first_sentence_end < m.end("role"):
        return None  # the journalist word is not in the bio's own sentence
    outlet = None
    for pattern in (_BIO_OUTLET_POSSESSIVE, _BIO_OUTLET_PREPOSITION):
        found = pattern.search(paragraph, m.start("role"))
        if found:
            outlet = found.group("outlet").strip()
            break
    return m.group("name"), outlet
