"""Shared fixtures: small real corpora copied from `corpus/` and `tests/fixtures/`, their indexes.

`small_corpus` is the seed article, the first Reuters file (1,000 real articles)
and the bundled HTML pages: enough to exercise every reader and the search
features in a few seconds. `webui_corpus` holds 43 real Reuters-21578 records
about cocoa and coffee (Feb-Oct 1987, including one story sent twice:
reuters-5168 and its "(CORRECTED)" version 5192), the Daily NK seed article,
and hostile records whose every field carries an HTML/JS injection payload;
`webui_app`, `client` and `live_server` serve its index.
"""

from __future__ import annotations

import json
import shutil
import signal
import threading
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_small_corpus(dest: Path) -> Path:
    (dest / "dailynk").mkdir(parents=True)
    shutil.copy(CORPUS / "dailynk" / "sojourn.txt", dest / "dailynk" / "sojourn.txt")
    (dest / "reuters").mkdir()
    shutil.copy(CORPUS / "reuters21578" / "reut2-000.jsonl.gz", dest / "reuters" / "reut2-000.jsonl.gz")
    pages = CORPUS / "pages"
    if pages.is_dir():
        shutil.copytree(pages, dest / "pages", ignore=shutil.ignore_patterns("*.md"))
    return dest


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory) -> Path:
    return copy_small_corpus(tmp_path_factory.mktemp("corpus") / "corpus")


@pytest.fixture(scope="session")
def small_index(small_corpus, tmp_path_factory) -> Path:
    from indexer.index.build import build_index

    index_dir = tmp_path_factory.mktemp("index") / "index"
    report = build_index([str(small_corpus)], index_dir, jobs=2)
    assert not report.failures, report.failures
    return index_dir


@pytest.fixture(scope="session")
def archive(small_index):
    from indexer import Archive

    return Archive(small_index)


# -- the web UI's corpus -------------------------------------------------------
WEBUI_FIXTURES = FIXTURES / "webui"
REUTERS_SAMPLE = WEBUI_FIXTURES / "reuters-cocoa-coffee.jsonl"
DAILYNK_SEED = WEBUI_FIXTURES / "dailynk-sojourn.txt"

# Each payload sets window.__xss or opens a dialog if it ever runs in a browser.
XSS_PAYLOADS = [
    "<script>window.__xss='script'</script>",
    '"><img src=x onerror="window.__xss=\'img\'">',
    "'><svg onload=window.__xss='svg'>",
    "<iframe src=javascript:window.__xss='iframe'></iframe>",
    "</mark><b onmouseover=alert(1)>hover</b><mark>",
    "{{ 7*7 }} {% raw %}",
    "<style>body{display:none}</style>",
]
XSS_MARKER_WORD = "payloadword"   # every hostile record contains it, so a search finds them all

HOSTILE_RECORDS = [
    {
        "id": "hostile-1",
        "headline": f"Cocoa {XSS_MARKER_WORD} {XSS_PAYLOADS[0]} {XSS_PAYLOADS[1]}",
        "body": "\n\n".join(f"Paragraph {i} about cocoa and {XSS_MARKER_WORD}: {p}"
                            for i, p in enumerate(XSS_PAYLOADS)),
        "captions": [f"{XSS_MARKER_WORD} caption {XSS_PAYLOADS[1]}", f"cocoa {XSS_PAYLOADS[2]}"],
        "author": f"Eve {XSS_PAYLOADS[4]}",
        "publication": "Evil <script>window.__xss='pub'</script> Gazette",
        "date": "1987-10-19",
        "url": "javascript:window.__xss='url'",
    },
    {
        "id": "hostile-2 \"><script>window.__xss='id'</script>",
        "headline": f"Second {XSS_MARKER_WORD} story {XSS_PAYLOADS[2]}",
        "body": f"Cocoa {XSS_MARKER_WORD} body with a real link target. {XSS_PAYLOADS[3]}",
        "publication": "Evil <script>window.__xss='pub'</script> Gazette",
        "author": XSS_PAYLOADS[1],
        "date": "1987-06-15",
        "url": "https://example.org/news/cocoa?a=1&b=<2>",
    },
]


def fixture_records() -> list[dict]:
    """The Reuters sample records as written in the fixture file."""
    with open(REUTERS_SAMPLE, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="session")
def webui_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus folder: the Reuters sample, the Daily NK seed and the hostile records."""
    corpus = tmp_path_factory.mktemp("webui") / "corpus"
    (corpus / "dailynk").mkdir(parents=True)
    shutil.copy(REUTERS_SAMPLE, corpus / "reuters-cocoa-coffee.jsonl")
    shutil.copy(DAILYNK_SEED, corpus / "dailynk" / "sojourn.txt")
    with open(corpus / "hostile.jsonl", "w", encoding="utf-8") as fh:
        for record in HOSTILE_RECORDS:
            fh.write(json.dumps(record) + "\n")
    return corpus


@pytest.fixture(scope="session")
def webui_index(webui_corpus: Path) -> Path:
    """The corpus indexed with the engine's own build (one process: a small corpus)."""
    from indexer.index.build import build_index

    index_dir = webui_corpus.parent / "index"
    report = build_index([str(webui_corpus)], index_dir, jobs=1)
    assert not report.failures, [str(f) for f in report.failures]
    return index_dir


@pytest.fixture(scope="session")
def webui_app(webui_index: Path):
    from webui import create_app

    return create_app(webui_index)


@pytest.fixture()
def client(webui_app):
    return webui_app.test_client()


@pytest.fixture(scope="session")
def live_server(webui_app) -> Iterator[str]:
    """The app under a real waitress server on a free port of 127.0.0.1; yields its base URL."""
    from waitress.server import create_server

    server = create_server(webui_app, host="127.0.0.1", port=0, threads=4, ident="newsindex-test")
    thread = threading.Thread(target=server.run, name="waitress-test", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()




def listening_addresses(port: int) -> set[str]:
    """Local addresses in LISTEN state on `port`, from /proc/net/tcp{,6}
    (hex, e.g. "0100007F" for 127.0.0.1): what a server really bound."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if int(hex_port, 16) == port and state == "0A":
                found.add(address)
    return found


def sigint_as_in_a_terminal() -> None:
    """`preexec_fn` of a child that a test stops with SIGINT: a background shell (CI's,
    nohup's) hands its children SIGINT ignored, and Python then never raises
    KeyboardInterrupt; the child must get Ctrl-C as from a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
