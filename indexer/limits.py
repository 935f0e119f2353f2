"""Every limit newsindex enforces, in one table: its name, value and why.

The engine, the CLI and the web UI read their bounds from here (never a copy);
`markdown_table()` renders the table for a README. A limit protects the
person at the keyboard from a request, a source or an article that would take
unbounded time or memory; each one is checked in one place, with one message.
"""

from __future__ import annotations

from typing import NamedTuple


class Limit(NamedTuple):
    value: int
    why: str


MB = 1024 * 1024

TABLE: dict[str, Limit] = {
    # -- queries and requests
    "MAX_QUERY_CHARS": Limit(1000, "a longer query is a paste accident; it gets a message instead of a search"),
    "MAX_PER_PAGE": Limit(100, "hits per result page (/search, /api/search); a whole result set is an export"),
    "MAX_PAGE": Limit(1000, "deepest result page; deeper paging is what the export is for"),
    "MAX_FUZZY_TERMS": Limit(4, "fuzzy words (word~) per query: each expands to every term within its edits"),
    "MIN_WILDCARD_PREFIX": Limit(2, "letters before the first * or ? of a word (also after + and -): a leading "
                                    "wildcard reads the whole vocabulary"),
    "MAX_TERM_EXPANSION": Limit(2000, "words one wildcard, range or fuzzy word may match in a field (a two-letter "
                                      "prefix matches at most ~900 of Reuters' 33,669)"),
    "MAX_QUERY_TERMS": Limit(8000, "words a whole query may expand to, over every field (Lucene caps clauses "
                                   "at 1,024 per query)"),
    "MAX_QUERY_CPU_SECONDS": Limit(5, "CPU time one search may take (its thread's own); then it stops with a "
                                      "message"),
    "PATTERN_SEARCHES": Limit(2, "searches with wildcards, ranges or fuzzy words running at once per process: "
                                 "plain searches keep their share of the one core a process computes on"),
    "PATTERN_WAIT_MS": Limit(500, "how long a further pattern search waits for a turn before it gets a message: "
                                  "a waiting search holds a server thread"),
    "SEARCH_RETRY_SECONDS": Limit(2, "the Retry-After of the 503 a pattern search gets when no turn came"),
    "MAX_COMPARE_QUERIES": Limit(6, "queries on one timeline: more lines than a reader can tell apart"),
    "MAX_COLLECTION_ADD": Limit(100_000, "articles added to a collection in one action (every result of a search)"),
    "GROUP_VERSIONS_DEPTH": Limit(300, "result pages up to this many hits deep fold re-sent versions of a story"),
    # -- the server (per `serve` process; waitress's settings are named in brackets)
    "SERVER_CONNECTIONS": Limit(1000, "open connections (connection_limit; waitress's 100 let 101 slow clients "
                                      "stop the UI); fewer if the process may open fewer files"),
    "SERVER_BACKLOG": Limit(1024, "connections the kernel queues while the server is at its connection limit "
                                  "(backlog)"),
    "SERVER_IDLE_SECONDS": Limit(30, "a keep-alive connection with no request is closed after this (channel_timeout)"),
    "SERVER_REQUEST_SECONDS": Limit(20, "a request's line and headers must arrive within this: a client that trickles "
                                        "them (slowloris) is cut off"),
    "SERVER_SEND_SECONDS": Limit(60, "a response whose reader takes no byte for this long is cut, freeing its thread "
                                     "(waitress would wait for ever)"),
    "SERVER_SWEEP_SECONDS": Limit(2, "how often idle, trickling and stalled connections are looked for "
                                     "(cleanup_interval)"),
    "SERVER_STOP_SECONDS": Limit(5, "a `serve --workers` worker still running this long after it was told to stop "
                                    "(Ctrl-C or SIGTERM) is killed, so the server always stops"),
    "SERVER_RESPONSE_BUFFER": Limit(4 * MB, "response bytes held for a slow reader before its thread waits "
                                            "(outbuf_high_watermark; beyond 1 MB they go to a temporary file)"),
    "MAX_REQUEST_BODY": Limit(1 * MB, "request body (max_request_body_size): the UI reads queries from URLs and "
                                      "small forms"),
    "MAX_EXPORTS": Limit(2, "exports streaming at once per process (and at most threads - 1): more get 503 with "
                            "Retry-After, so searches keep their threads"),
    "EXPORT_RETRY_SECONDS": Limit(30, "the Retry-After of that 503"),
    # -- sources and articles
    "MAX_SOURCE_BYTES": Limit(256 * MB, "a source file read whole (a page, a text, a JSON or CSV file; after "
                                        "decompression) larger than this is refused; JSON Lines and WARC files "
                                        "are read in parts or streamed, whatever their size"),
    "MAX_GZIP_RATIO": Limit(100, "a .gz source that inflates more than this many times its size (past 16 MB) is "
                            "refused while it is read: news text compresses 3-10x, a gzip bomb 1,000x; so is a "
                            "web archive page whose gzip/deflate/Brotli encoding does so past MAX_HTML_BYTES"),
    "MAX_HTML_BYTES": Limit(8 * MB, "HTML read per page; the rest is cut and reported: real article pages are "
                            "under 3 MB, a hostile one of a million <p> took 4.7 GB to clean whole"),
    "MAX_ARTICLE_CHARS": Limit(2 * MB, "characters of body text kept per article; the rest is cut and reported: "
                               "a 20 MB body took 1.7 GB to index, no news story is a fraction of it"),
    "MAX_ARTICLES_PER_SOURCE": Limit(200_000, "articles read from one file (or part) held whole; the rest is cut "
                                     "and reported: a 380 KB .jsonl.gz of tiny records would need ~20 GB as "
                                     "articles (a .jsonl.gz is streamed into segments instead)"),
    "MAX_FAILURES_PER_SOURCE": Limit(50, "problems listed per file in the build report, then one line counting "
                                     "the rest: 500k bad lines made an 89 MB last-build.json"),
    "MAX_CAPTIONS": Limit(200, "caption elements read per page: more is a gallery or an attack"),
    "KEPT_GENERATIONS": Limit(3, "index generations kept on disk: the live one and the two before it, "
                              "each restorable with `newsindex restore`"),
    "MAX_REMOVED_PERCENT": Limit(50, "a build that would remove more than this share of the archive's articles "
                                 "(an empty mount point, the wrong folder) stops unless --allow-removals"),
    # -- build tasks (indexer.index.tasks)
    "TASK_TEXT_BYTES": Limit(4 * MB, "estimated text per build task, whatever the archive's size: a worker's "
                                     "memory follows its task (x10 and x50 alike); the commit merges the segments"),
    "SEGMENT_TEXT_BYTES": Limit(24 * MB, "text in one segment a task writes: its postings (~22x) bound a worker's "
                                         "memory, whatever the size of the archive or of one source"),
    "LEARNED_WORDS": Limit(200_000, "distinct words a build worker keeps analysed (stemmed) from one task to the "
                                    "next (tens of MB); past it, it starts afresh"),
    "SEGMENT_DOCUMENTS": Limit(50_000, "documents in one segment a task writes: tiny records would otherwise "
                                       "pile up by the million under SEGMENT_TEXT_BYTES"),
    "FULL_BUILD_SEGMENTS": Limit(8, "segments a full build commits at least down to (its tasks' segments merged by "
                                    "merge tasks, each byte once), unless they would exceed MERGED_SEGMENT_MB: 125 "
                                    "queries at x1 took p50 57 ms over 48 segments, 28 ms over 8, 14 ms over 1"),
    "MERGED_SEGMENT_MB": Limit(4096, "largest segment a merge makes (a segment of half this is never merged again): "
                                     "a 10M-page archive (~280 GB) commits ~70 segments, not 8 of 35 GB, so its "
                                     "merges stay parallel and no later build rewrites a huge one"),
    "MERGE_FACTOR": Limit(8, "segments per size tier an incremental build lets pile up before merging that many "
                             "consecutive ones (tiers grow 8x from MERGE_FLOOR_MB; a document is rewritten about "
                             "once per tier it climbs): 8 segments of a full build take 16 small ones more first"),
    "MERGE_FLOOR_MB": Limit(16, "size of the smallest tier (smaller segments count as this): a build's small "
                                "segments are merged together before they are merged into larger ones"),
    "MERGE_CHUNK_MB": Limit(1, "postings a segment merge holds decoded before writing them (a larger term is "
                               "streamed): the writer copies a chunk several times; a 51k-article merge peaked at "
                               "144 MB with 4 MB chunks, 100 MB with 1 MB, at the same CPU"),
    "MAX_CHAIN": Limit(150, "ancestors looked at per HTML block: real pages nest far less, hostile ones 10,000 deep"),
}

MAX_QUERY_CHARS = TABLE["MAX_QUERY_CHARS"].value
MAX_PER_PAGE = TABLE["MAX_PER_PAGE"].value
MAX_PAGE = TABLE["MAX_PAGE"].value
MAX_FUZZY_TERMS = TABLE["MAX_FUZZY_TERMS"].value
MIN_WILDCARD_PREFIX = TABLE["MIN_WILDCARD_PREFIX"].value
MAX_TERM_EXPANSION = TABLE["MAX_TERM_EXPANSION"].value
MAX_QUERY_TERMS = TABLE["MAX_QUERY_TERMS"].value
MAX_QUERY_CPU_SECONDS = TABLE["MAX_QUERY_CPU_SECONDS"].value
PATTERN_SEARCHES = TABLE["PATTERN_SEARCHES"].value
PATTERN_WAIT_MS = TABLE["PATTERN_WAIT_MS"].value
SEARCH_RETRY_SECONDS = TABLE["SEARCH_RETRY_SECONDS"].value
MAX_COMPARE_QUERIES = TABLE["MAX_COMPARE_QUERIES"].value
MAX_COLLECTION_ADD = TABLE["MAX_COLLECTION_ADD"].value
GROUP_VERSIONS_DEPTH = TABLE["GROUP_VERSIONS_DEPTH"].value
SERVER_CONNECTIONS = TABLE["SERVER_CONNECTIONS"].value
SERVER_BACKLOG = TABLE["SERVER_BACKLOG"].value
SERVER_IDLE_SECONDS = TABLE["SERVER_IDLE_SECONDS"].value
SERVER_REQUEST_SECONDS = TABLE["SERVER_REQUEST_SECONDS"].value
SERVER_SEND_SECONDS = TABLE["SERVER_SEND_SECONDS"].value
SERVER_SWEEP_SECONDS = TABLE["SERVER_SWEEP_SECONDS"].value
SERVER_STOP_SECONDS = TABLE["SERVER_STOP_SECONDS"].value
SERVER_RESPONSE_BUFFER = TABLE["SERVER_RESPONSE_BUFFER"].value
MAX_REQUEST_BODY = TABLE["MAX_REQUEST_BODY"].value
MAX_EXPORTS = TABLE["MAX_EXPORTS"].value
EXPORT_RETRY_SECONDS = TABLE["EXPORT_RETRY_SECONDS"].value
MAX_SOURCE_BYTES = TABLE["MAX_SOURCE_BYTES"].value
MAX_GZIP_RATIO = TABLE["MAX_GZIP_RATIO"].value
MAX_HTML_BYTES = TABLE["MAX_HTML_BYTES"].value
MAX_ARTICLE_CHARS = TABLE["MAX_ARTICLE_CHARS"].value
MAX_ARTICLES_PER_SOURCE = TABLE["MAX_ARTICLES_PER_SOURCE"].value
MAX_FAILURES_PER_SOURCE = TABLE["MAX_FAILURES_PER_SOURCE"].value
MAX_CAPTIONS = TABLE["MAX_CAPTIONS"].value
MAX_CHAIN = TABLE["MAX_CHAIN"].value
KEPT_GENERATIONS = TABLE["KEPT_GENERATIONS"].value
MAX_REMOVED_PERCENT = TABLE["MAX_REMOVED_PERCENT"].value
TASK_TEXT_BYTES = TABLE["TASK_TEXT_BYTES"].value
SEGMENT_TEXT_BYTES = TABLE["SEGMENT_TEXT_BYTES"].value
LEARNED_WORDS = TABLE["LEARNED_WORDS"].value
SEGMENT_DOCUMENTS = TABLE["SEGMENT_DOCUMENTS"].value
FULL_BUILD_SEGMENTS = TABLE["FULL_BUILD_SEGMENTS"].value
MERGED_SEGMENT_MB = TABLE["MERGED_SEGMENT_MB"].value
MERGE_FACTOR = TABLE["MERGE_FACTOR"].value
MERGE_FLOOR_MB = TABLE["MERGE_FLOOR_MB"].value
MERGE_CHUNK_MB = TABLE["MERGE_CHUNK_MB"].value


def markdown_table() -> str:
    """The table as Markdown, for the README of the limits."""
    rows = ["| limit | value | why |", "| --- | --- | --- |"]
    for name, limit in TABLE.items():
        value = f"{limit.value // MB} MB" if limit.value >= MB and limit.value % MB == 0 else f"{limit.value:,}"
        rows.append(f"| `{name}` | {value} | {limit.why} |")
    return "\n".join(rows)
