"""Named collections of articles, with a note and tags per article, in one SQLite file.

The file sits beside the index generations (`DIR/collections.sqlite`, or a
path of the user's choosing), so no rebuild touches it. Each item keeps a
copy of its article's citation fields (headline, publication, author, date,
URL) taken when it was added: an article that a later rebuild removes is
still listed and still cited, marked missing, never dropped silently.

Every action is one transaction (`BEGIN IMMEDIATE`: the write lock is taken
up front, so two writers queue instead of failing half-way), and the file is
in WAL mode, so two browser tabs, two server processes or a server and the
CLI can write at once without losing anything; a writer waits up to
`BUSY_SECONDS` for the lock. A connection is opened per action: SQLite
connections are not shared between threads, and opening one costs ~0.1 ms.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from indexer.errors import CollectionError, CollectionNotFound
from indexer.limits import MAX_COLLECTION_ADD

COLLECTIONS_FILE = "collections.sqlite"
BUSY_SECONDS = 30.0
MAX_NAME_CHARS = 100
MAX_NOTE_CHARS = 20_000
MAX_TAGS = 50
MAX_TAG_CHARS = 60
_BAD_NAME = re.compile(r"[/\\\x00-\x1f\x7f]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS collections (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    collection_id INTEGER NOT NULL, article_id TEXT NOT NULL, seq INTEGER NOT NULL, added TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '[]',
    headline TEXT, publication TEXT, author TEXT, date TEXT, url TEXT,
    PRIMARY KEY (collection_id, article_id));
"""


@dataclass
class Item:
    """An article in a collection: its citation fields as added, the note and tags."""

    article_id: str
    added: str
    note: str = ""
    tags: list[str] = field(default_factory=list)
    headline: str | None = None
    publication: str | None = None
    author: str | None = None
    date: str | None = None  # ISO 8601
    url: str | None = None
    missing: bool = False   # set by the caller: the index no longer has the article

    def to_json(self) -> dict:
        return {"id": self.article_id, "headline": self.headline, "publication": self.publication,
                "author": self.author, "date": self.date, "url": self.url, "note": self.note,
                "tags": list(self.tags), "added": self.added, "missing": self.missing}


@dataclass
class Collection:
    name: str
    created: str
    updated: str
    size: int
    items: list[Item] = field(default_factory=list)

    def to_json(self, items: bool = True) -> dict:
        out = {"name": self.name, "created": self.created, "updated": self.updated, "size": self.size}
        if items:
            out["items"] = [item.to_json() for item in self.items]
        return out


def default_collections_path(index_dir: str | Path) -> Path:
    return Path(index_dir) / COLLECTIONS_FILE


def check_name(name: str) -> str:
    """The name stripped; CollectionError says what is wrong with a bad one."""
    name = (name or "").strip()
    if not name:
        raise CollectionError("A collection needs a name.")
    if len(name) > MAX_NAME_CHARS:
        raise CollectionError(f"A collection name has at most {MAX_NAME_CHARS} characters.")
    if _BAD_NAME.search(name):
        raise CollectionError("A collection name cannot contain '/', '\\' or control characters.")
    if not name.strip("."):
        raise CollectionError("A collection name needs more than dots (a browser reads '.' and '..' as folders).")
    return name


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags stripped, without repeats, in the order given; CollectionError for too many or too long."""
    out = list(dict.fromkeys(t.strip() for t in tags if t and t.strip()))
    if len(out) > MAX_TAGS:
        raise CollectionError(f"At most {MAX_TAGS} tags per article.")
    for tag in out:
        if len(tag) > MAX_TAG_CHARS or _CONTROL.search(tag):
            raise CollectionError(f"A tag has at most {MAX_TAG_CHARS} characters and no control characters.")
    return out


def _check_note(note: str | None) -> str | None:
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise CollectionError(f"A note has at most {MAX_NOTE_CHARS:,} characters.")
    return note


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Collections:
    """The collections in one SQLite file (created on first write)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    # -- connections ------------------------------------------------------------
    @contextmanager
    def _connect(self, write: bool) -> Iterator[sqlite3.Connection]:
        if not write and not self.path.exists():
            conn = sqlite3.connect(":memory:")  # nothing written yet: an empty store
            conn.executescript(SCHEMA)
        else:
            conn = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        try:
            if write:
                if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            else:
                yield conn
        finally:
            conn.close()

    def _id_of(self, conn: sqlite3.Connection, name: str) -> int:
        row = conn.execute("SELECT id FROM collections WHERE name = ?", (check_name(name),)).fetchone()
        if row is None:
            raise CollectionNotFound(f"There is no collection named “{name.strip()[:MAX_NAME_CHARS]}”.")
        return row[0]

    # -- reading ----------------------------------------------------------------
    def list(self) -> list[Collection]:
        """Every collection (without items), by name."""
        with self._connect(write=False) as conn:
            rows = conn.execute(
                "SELECT c.name, c.created, c.updated, COUNT(i.article_id) FROM collections c "
                "LEFT JOIN items i ON i.collection_id = c.id GROUP BY c.id ORDER BY c.name COLLATE NOCASE"
            ).fetchall()
        return [Collection(*row) for row in rows]

    def names(self) -> list[str]:
        return [c.name for c in self.list()]

    def get(self, name: str) -> Collection:
        """The collection with its items, in the order they were added."""
        with self._connect(write=False) as conn:
            cid = self._id_of(conn, name)
            name, created, updated = conn.execute(
                "SELECT name, created, updated FROM collections WHERE id = ?", (cid,)).fetchone()
            rows = conn.execute(
                "SELECT article_id, added, note, tags, headline, publication, author, date, url "
                "FROM items WHERE collection_id = ? ORDER BY seq", (cid,)).fetchall()
        items = [Item(article_id=r[0], added=r[1], note=r[2], tags=json.loads(r[3]), headline=r[4],
                      publication=r[5], author=r[6], date=r[7], url=r[8]) for r in rows]
        return Collection(name, created, updated, len(items), items)

    def secret(self) -> str:
        """A random key kept in the file (made on first use): every server
        process signs its session cookies with the same one."""
        with self._connect(write=False) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
        if row:
            return row[0]
        with self._connect(write=True) as conn:
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('secret', ?)", (secrets.token_hex(32),))
            return conn.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()[0]

    # -- writing (one transaction each) -----------------------------------------
    def create(self, name: str) -> str:
        name = check_name(name)
        with self._connect(write=True) as conn:
            if conn.execute("SELECT 1 FROM collections WHERE name = ?", (name,)).fetchone():
                raise CollectionError(f"There is already a collection named “{name}”.")
            now = _now()
            conn.execute("INSERT INTO collections (name, created, updated) VALUES (?, ?, ?)", (name, now, now))
        return name

    def add(self, name: str, articles: Iterable, note: str | None = None, tags: Iterable[str] = (),
            create: bool = True) -> int:
        """Add articles (anything with id, headline, publication, author, date,
        url: an `Article` or a search hit) to the collection, created if need
        be; an article already there keeps its place and note, gets `note` if
        given, and the new tags. Returns how many were new."""
        name = check_name(name)
        note = _check_note(note)
        tags = clean_tags(tags)
        rows = []
        for article in articles:
            date = getattr(article, "date", None)
            rows.append((article.id, getattr(article, "headline", None), getattr(article, "publication", None),
                         getattr(article, "author", None), date.isoformat() if date else None,
                         getattr(article, "url", None)))
            if len(rows) > MAX_COLLECTION_ADD:
                raise CollectionError(f"At most {MAX_COLLECTION_ADD:,} articles can be added at once.")
        with self._connect(write=True) as conn:
            now = _now()
            row = conn.execute("SELECT id FROM collections WHERE name = ?", (name,)).fetchone()
            if row is None:
                if not create:
                    raise CollectionNotFound(f"There is no collection named “{name}”.")
                cid = conn.execute("INSERT INTO collections (name, created, updated) VALUES (?, ?, ?)",
                                   (name, now, now)).lastrowid
            else:
                cid = row[0]
            have = {r[0]: (r[1], r[2]) for r in conn.execute(
                "SELECT article_id, note, tags FROM items WHERE collection_id = ?", (cid,))}
            seq = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM items WHERE collection_id = ?",
                               (cid,)).fetchone()[0]
            new = 0
            for article_id, headline, publication, author, date, url in dict(
                    (r[0], r) for r in rows).values():
                if article_id in have:
                    old_note, old_tags = have[article_id]
                    merged = list(dict.fromkeys([*json.loads(old_tags), *tags]))
                    conn.execute(
                        "UPDATE items SET note = ?, tags = ?, headline = ?, publication = ?, author = ?, "
                        "date = ?, url = ? WHERE collection_id = ? AND article_id = ?",
                        (old_note if note is None else note, json.dumps(merged, ensure_ascii=False), headline,
                         publication, author, date, url, cid, article_id))
                    continue
                seq += 1
                new += 1
                conn.execute(
                    "INSERT INTO items (collection_id, article_id, seq, added, note, tags, headline, publication, "
                    "author, date, url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (cid, article_id, seq, now, note or "", json.dumps(tags, ensure_ascii=False), headline,
                     publication, author, date, url))
            conn.execute("UPDATE collections SET updated = ? WHERE id = ?", (now, cid))
        return new

    def annotate(self, name: str, article_id: str, note: str | None = None, tags: Iterable[str] | None = None) -> None:
        """Set the note and/or the tags (replacing them) of an article in the collection."""
        note = _check_note(note)
        tags = clean_tags(tags) if tags is not None else None
        with self._connect(write=True) as conn:
            cid = self._id_of(conn, name)
            if not conn.execute("SELECT 1 FROM items WHERE collection_id = ? AND article_id = ?",
                                (cid, article_id)).fetchone():
                raise CollectionError(f"The collection has no article with the id “{article_id[:200]}”.")
            if note is not None:
                conn.execute("UPDATE items SET note = ? WHERE collection_id = ? AND article_id = ?",
                             (note, cid, article_id))
            if tags is not None:
                conn.execute("UPDATE items SET tags = ? WHERE collection_id = ? AND article_id = ?",
                             (json.dumps(tags, ensure_ascii=False), cid, article_id))
            conn.execute("UPDATE collections SET updated = ? WHERE id = ?", (_now(), cid))

    def remove(self, name: str, article_ids: Iterable[str]) -> int:
        """Take articles out of the collection; returns how many were in it."""
        ids = list(dict.fromkeys(article_ids))
        with self._connect(write=True) as conn:
            cid = self._id_of(conn, name)
            removed = 0
            for article_id in ids:
                removed += conn.execute("DELETE FROM items WHERE collection_id = ? AND article_id = ?",
                                        (cid, article_id)).rowcount
            conn.execute("UPDATE collections SET updated = ? WHERE id = ?", (_now(), cid))
        return removed

    def rename(self, name: str, new_name: str) -> str:
        new_name = check_name(new_name)
        with self._connect(write=True) as conn:
            cid = self._id_of(conn, name)
            other = conn.execute("SELECT id FROM collections WHERE name = ?", (new_name,)).fetchone()
            if other and other[0] != cid:
                raise CollectionError(f"There is already a collection named “{new_name}”.")
            conn.execute("UPDATE collections SET name = ?, updated = ? WHERE id = ?", (new_name, _now(), cid))
        return new_name

    def delete(self, name: str) -> None:
        with self._connect(write=True) as conn:
            cid = self._id_of(conn, name)
            conn.execute("DELETE FROM items WHERE collection_id = ?", (cid,))
            conn.execute("DELETE FROM collections WHERE id = ?", (cid,))


def mark_missing(archive, collection: Collection) -> Collection:
    """Flag the items whose article the index no longer has (a rebuild removed it)."""
    present = archive.existing_ids([item.article_id for item in collection.items])
    for item in collection.items:
        item.missing = item.article_id not in present
    return collection
CollectionItem = Item  # the public name (indexer.CollectionItem)
