"""One-off: build corpus/reuters21578/reut2-NNN.jsonl.gz from the normalised
Reuters-21578 JSONL (one output file per original SGML file).

    python corpus/make_reuters.py [../shared/corpus/reuters21578/reuters21578.jsonl.gz]

Records keep the text as distributed (hard wrapping, the "Reuter" sign-off):
cleaning is the reader's job, so this corpus exercises it. Output is
deterministic (sorted by NEWID, gzip mtime 0), so re-running gives the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_INPUT = HERE.parent / ".." / "shared" / "corpus" / "reuters21578" / "reuters21578.jsonl.gz"


def convert(doc: dict) -> dict | None:
    """One corpus record from one Reuters document, or None if it has no text at all."""
    title = (doc.get("title") or "").strip()
    body = doc.get("body") or ""
    dateline = (doc.get("dateline") or "").strip()
    if dateline and body.strip():
        body = f"{dateline} {body.lstrip()}"
    if not title and not body.strip():
        return None
    record: dict = {"id": f"reuters-{doc['newid']}"}
    if title:
        record["headline"] = title
    if body.strip():
        record["body"] = body
    record["publication"] = "Reuters"
    author = clean_author(doc.get("author"))
    if author:
        record["author"] = author
    record["date"] = clean_date(doc.get("date"))
    return record


def clean_date(raw: str | None) -> str | None:
    """The DATE string without the control-character references and routing codes
    that 328 documents carry after it ('27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM'); the
    upstream JSONL removed those references everywhere else."""
    if not raw:
        return None
    return raw.split("&#", 1)[0].strip() or None


def clean_author(author: str | None) -> str | None:
    """'By Janie Gabbett, Reuters' -> 'Janie Gabbett'."""
    if not author:
        return None
    name = re.sub(r"^\s*by\s+", "", author.strip(), flags=re.IGNORECASE)
    name = re.sub(r",?\s*reuters?\s*$", "", name, flags=re.IGNORECASE).strip(" ,")
    return name or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", nargs="?", type=Path, default=DEFAULT_INPUT,
                        help="reuters21578.jsonl.gz (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=HERE / "reuters21578")
    args = parser.parse_args(argv)

    by_file: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    skipped = 0
    with gzip.open(args.input, "rt", encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            record = convert(doc)
            if record is None:
                skipped += 1
                continue
            stem = doc["source_file"].removesuffix(".sgm")
            by_file[stem].append((doc["newid"], record))

    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for stem in sorted(by_file):
        rows = [record for _, record in sorted(by_file[stem], key=lambda pair: pair[0])]
        path = args.out / f"{stem}.jsonl.gz"
        with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                    mtime=0, compresslevel=9) as gz:
            for record in rows:
                gz.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        total += len(rows)
        print(f"{path}: {len(rows)} records")
    print(f"{total} records written, {skipped} documents without title or body skipped",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
