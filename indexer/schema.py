"""The Whoosh schema and the one place where an Article becomes an index document."""

from __future__ import annotations

from datetime import datetime

from whoosh import columns
from whoosh.fields import COLUMN, DATETIME, ID, TEXT, Schema

from indexer import duplicates
from indexer.analysis import name_analyzer, text_analyzer
from indexer.article import Article

# 2: unstemmed spelling words (spell_headline, spell_body) for "did you mean";
#    near-duplicate signatures (dup_bands, dup_signature).
# 3: a typed word that analyses into several terms (a Korean word's bigrams,
#    "U.S.", "pan-alberta") is searched as a phrase, not as any of its parts.
# 4: the duplicate signature lives in a column (cheap to read per document);
#    no band-key terms (they made the index 75% larger); spelling words from
#    the body only (headline words are nearly always in the body too).
SCHEMA_VERSION = 4

# Fields a bare query searches, and how much a match in each weighs (BM25F).
DEFAULT_FIELDS = ("headline", "captions", "body")
# Measured in benchmarks/README-relevance.md: a headline weight of 3 lost known
# items to short headline-only matches; 1.5 keeps the headline first without that.
FIELD_BOOSTS = {"headline": 1.5, "captions": 1.2, "body": 1.0}
# Names users type in queries -> schema fields.
FIELD_ALIASES = {"caption": "captions", "title": "headline", "text": "body", "byline": "author"}
CAPTION_SEPARATOR = "\n"


def make_schema() -> Schema:
    """Build the schema. Body and captions keep character offsets so snippets
    are cut from stored offsets instead of re-analysing every hit's text.
    `publication_key`, `year` and `month` are sortable exact values for the
    publication filter, facets and the date histogram. `spelling=True` keeps
    the body's unstemmed words in `spell_body`, so "did you mean" offers
    words people can read ("sojourn", not the stem "sourc"). `dup_signature`
    (a column) finds re-sent versions of a story (indexer.duplicates)."""
    text = text_analyzer()
    names = name_analyzer()
    words = dict(analyzer=text, stored=True, phrase=True, chars=True, multitoken_query="phrase")
    return Schema(
        id=ID(stored=True, unique=True),
        headline=TEXT(**words),
        captions=TEXT(**words),
        body=TEXT(**words, spelling=True),
        publication=TEXT(analyzer=names, stored=True),
        publication_key=ID(sortable=True),
        author=TEXT(analyzer=names, stored=True),
        date=DATETIME(stored=True, sortable=True),
        year=ID(sortable=True),
        month=ID(sortable=True),
        url=ID(stored=True),
        source=ID(stored=True),
        dup_signature=COLUMN(columns.VarBytesColumn()),
    )


def article_to_document(article: Article) -> dict:
    """The index document for an Article (the only Article -> Whoosh mapping)."""
    doc: dict = {
        "id": article.id,
        "headline": article.headline,
        "captions": CAPTION_SEPARATOR.join(article.captions),
        "body": article.body,
        "source": article.source,
    }
    if article.publication:
        doc["publication"] = article.publication
        doc["publication_key"] = article.publication
    if article.author:
        doc["author"] = article.author
    if article.date:
        doc["date"] = article.date
        doc["year"] = f"{article.date.year:04d}"
        doc["month"] = f"{article.date.year:04d}-{article.date.month:02d}"
    if article.url:
        doc["url"] = article.url
    doc.update(duplicates.document_fields(article.headline, article.body))
    return doc


def document_to_article(fields: dict) -> Article:
    """Stored fields back into an Article (for the article page and export)."""
    date = fields.get("date")
    captions = fields.get("captions") or ""
    return Article(
        id=fields["id"],
        headline=fields.get("headline") or "",
        body=fields.get("body") or "",
        captions=[c for c in captions.split(CAPTION_SEPARATOR) if c],
        publication=fields.get("publication"),
        author=fields.get("author"),
        date=date if isinstance(date, datetime) else None,
        url=fields.get("url"),
        source=fields.get("source") or "",
    )
