"""The Whoosh schema and the one place where an Article becomes an index document."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from indexer.ingest.article import Article

if TYPE_CHECKING:
    from whoosh.fields import Schema

# Whoosh, the analyzers and the MinHash code (numpy) are imported inside the
# functions that need them: a no-op incremental build only reads SCHEMA_VERSION
# and must not pay ~0.2 s of imports for it.

# 2: unstemmed spelling words (spell_headline, spell_body) for "did you mean";
#    near-duplicate signatures (dup_bands, dup_signature).
# 3: a typed word that analyses into several terms (a Korean word's bigrams,
#    "U.S.", "pan-alberta") is searched as a phrase, not as any of its parts.
# 4: the duplicate signature lives in a column (cheap to read per document);
#    no band-key terms (they made the index 75% larger); spelling words from
#    the body only (headline words are nearly always in the body too).
# 5: no Whoosh spelling field ("did you mean" reads the vocabulary file beside the
#    index, indexer.search.suggest: -33% build CPU); the fused text tokenizer (same
#    tokens); no character offsets on headline and captions (only the body's
#    snippets read stored offsets; headline and captions are re-analysed).
# 6: posting blocks as arrays (indexer.index.codec), not zlib'd pickles; positions
#    and character offsets as int32 arrays (ArrayPositionsFormat).
# 7: `crawled`, when a web crawler captured the page (web archives), stored and sortable.
SCHEMA_VERSION = 7

# Fields a bare query searches, and how much a match in each weighs (BM25F).
DEFAULT_FIELDS = ("headline", "captions", "body")
# Measured in benchmarks/README-relevance.md (lead-sentence, question and
# recalled-headline queries): a headline weight of 3 lost known items to short
# headline-only matches; every step above equal weights costs lead and question
# queries more than it gains on headline queries. 1.2/1.1/1 keeps a headline
# match above a caption match above a body match at the smallest cost.
FIELD_BOOSTS = {"headline": 1.2, "captions": 1.1, "body": 1.0}
# Field names a query may scope words to (`headline:oil`), and the aliases people type -> schema fields.
QUERY_FIELDS = ("headline", "body", "caption", "publication", "author", "date", "crawled", "url", "source")
FIELD_ALIASES = {"caption": "captions", "title": "headline", "text": "body", "byline": "author"}
# Fields that describe an article rather than hold its words: a query term in
# one of them narrows the words instead of adding an alternative.
METADATA_FIELDS = frozenset({"date", "crawled", "publication", "author", "url", "source"})
# Facets of every result page: facet name -> sortable field
FACET_FIELDS = {"publication": "publication_key", "year": "year", "month": "month"}
CAPTION_SEPARATOR = "\n"


def make_schema() -> Schema:
    """Build the schema. The body keeps character offsets so its snippets are
    cut from stored offsets instead of re-analysing every hit's text (headline
    and captions are short and marked by re-analysis, indexer.search.snippets).
    `publication_key`, `year` and `month` are sortable exact values for the
    publication filter, facets and the date histogram. "Did you mean" reads
    the build's vocabulary file, not a Whoosh spelling field (indexer.search.suggest).
    `dup_signature` (a column) finds re-sent versions of a story
    (indexer.index.signatures)."""
    from whoosh import columns
    from whoosh.fields import COLUMN, DATETIME, ID, TEXT, Schema

    from indexer.index.analysis import ArrayCharactersFormat, ArrayPositionsFormat, name_analyzer, text_analyzer

    text = text_analyzer()
    names = name_analyzer()

    def words(chars: bool = False) -> TEXT:
        field = TEXT(analyzer=text, stored=True, phrase=True, chars=chars, multitoken_query="phrase")
        # built without Token objects; values as int32 arrays (indexer.index.analysis)
        fast = ArrayCharactersFormat if chars else ArrayPositionsFormat
        field.format = fast(field_boost=field.format.field_boost)
        return field

    return Schema(
        id=ID(stored=True, unique=True),
        headline=words(),
        captions=words(),
        body=words(chars=True),
        publication=TEXT(analyzer=names, stored=True),
        publication_key=ID(sortable=True),
        author=TEXT(analyzer=names, stored=True),
        date=DATETIME(stored=True, sortable=True),
        year=ID(sortable=True),
        month=ID(sortable=True),
        url=ID(stored=True),
        source=ID(stored=True),
        crawled=DATETIME(stored=True, sortable=True),
        dup_signature=COLUMN(columns.VarBytesColumn()),
    )


def article_to_document(article: Article, signature_fields: dict | None = None) -> dict:
    """The index document for an Article (the only Article -> Whoosh mapping).
    `signature_fields` are `signatures.document_fields` of the article when a
    cleaning worker already computed them (the build does, in parallel)."""
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
    if article.crawled:
        doc["crawled"] = article.crawled
    if signature_fields is None:
        from indexer.index import signatures

        signature_fields = signatures.document_fields(article.headline, article.body)
    doc.update(signature_fields)
    return doc


def document_to_article(fields: dict) -> Article:
    """Stored fields back into an Article (for the article page and export)."""
    date = fields.get("date")
    crawled = fields.get("crawled")
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
        crawled=crawled if isinstance(crawled, datetime) else None,
    )
