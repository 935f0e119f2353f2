"""The HTML cleaner on GeneralNewsExtractor's 62 Chinese test pages, against hand-made gold.

    .venv/bin/python benchmarks/gnepages.py PATH/TO/gne-0.4.3        # the unpacked PyPI sdist `gne-0.4.3`

The pages are the `tests/` folder of the sdist of `gne` 0.4.3 (GeneralNewsExtractor, Chinese news pages
from some 30 sites: 163, Sina, People's Daily, Xinhua, The Paper, QQ, ifeng, ...; no URL kept). No rule was
chosen on them before session 14. The gold, `benchmarks/gold/gne-0.4.3.jsonl`, was read off each page by
hand (session 14, helper `gne`): the headline a reader sees, the day the page shows (null: none shown), the
writers a byline names (`authors`: people; a source (来源), an agency, a platform account is not one) and
the editors (`editors`: 责任编辑/责编/编辑, not authors: the cleaner's policy), and for the body the
normalised starts and ends a right body may have (`first`, `last`: any one) and furniture it must not
hold (`not_`). gne's own `result.txt` (its output for 20 pages, not gold) is scored beside it.

Each page: our `clean_html(html, None)` (decoded with our charset sniffing), trafilatura's
`bare_extraction(with_metadata=True, include_comments=False)`, htmldate's `find_date(original_date=True)`.
Scores: headline exact after `cleaning.norm`; day exact; each gold author found (exact normalised), also
counting editors; names given that are no gold author or editor; body starts right, ends right, holds no
furniture, all three; and ROUGE-LSum (`cleaning.rouge_lsum_f1`, CJK split into characters) of ours against
trafilatura's as a rough second view. `--pages` lists what ours gets wrong page by page.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cleaning import _decode, norm, rouge_lsum_f1  # noqa: E402

from indexer.ingest.bylines import split_authors  # noqa: E402
from indexer.ingest.html import clean_html  # noqa: E402

GOLD = Path(__file__).resolve().parent / "gold" / "gne-0.4.3.jsonl"


def day(value: str | None) -> str | None:
    """A day as YYYY-MM-DD from any of the tools' forms ("2019年09月09日 18:13:22", ISO, "2019-9-5")."""
    found = re.search(r"(\d{4})\D(\d{1,2})\D(\d{1,2})", value or "")
    return f"{int(found[1]):04d}-{int(found[2]):02d}-{int(found[3]):02d}" if found else None


def outputs(sdist: Path, key: str, gne: dict) -> dict[str, dict]:
    from htmldate import find_date
    from trafilatura import bare_extraction
    html = _decode((sdist / key).read_bytes())
    ours = clean_html(html, None)
    doc = bare_extraction(html, with_metadata=True, include_comments=False)
    tools = {
        "ours": dict(headline=ours.headline, date=day(ours.date.isoformat() if ours.date else None),
                     authors=split_authors(ours.author), body=ours.body),
        "trafilatura": dict(headline=doc.title if doc else "", date=day(doc.date if doc else None),
                            authors=[a.strip() for a in ((doc.author if doc else "") or "").split(";") if a.strip()],
                            body=(doc.text if doc else "") or ""),
        "htmldate": dict(date=day(find_date(html, original_date=True))),
    }
    if key in gne:
        mine = gne[key]
        tools["gne"] = dict(headline=mine["title"], date=day(mine["publish_time"]),
                            authors=[mine["author"]] if mine["author"] else [], body=mine["content"])
    return tools


def gne_results(sdist: Path) -> dict:
    """gne's own output (`result.txt`: blocks ">>>tests/x/1.html>>> {json} <<<")."""
    text = (sdist / "result.txt").read_text("utf-8") if (sdist / "result.txt").exists() else ""
    return {m[1]: json.loads(m[2]) for m in re.finditer(r">{5,}(tests/\S+?)>{5,}\n(.*?)\n<{5,}", text, re.S)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sdist", type=Path, help="the unpacked gne-0.4.3 sdist (holds tests/ and result.txt)")
    parser.add_argument("--pages", action="store_true", help="list what ours gets wrong, page by page")
    args = parser.parse_args()
    gold = [json.loads(line) for line in GOLD.read_text("utf-8").splitlines()]
    gne = gne_results(args.sdist)
    score: dict[str, dict] = {}
    for g in gold:
        tools = outputs(args.sdist, g["key"], gne)
        for name, out in tools.items():
            s = score.setdefault(name, dict(n=0, head=0, day=0, found=0, gold=0, found_ed=0, gold_ed=0, given=0,
                                            extra=0, start=0, end=0, clean=0, all=0, bodies=0, rouge=[]))
            s["n"] += 1
            wrong = []
            if "headline" in out:
                s["head"] += norm(out["headline"]) == norm(g["headline"])
                if norm(out["headline"]) != norm(g["headline"]):
                    wrong.append(f"headline {out['headline']!r}")
            s["day"] += out["date"] == g["date"]
            if out["date"] != g["date"]:
                wrong.append(f"day {out['date']}")
            if "authors" in out:
                got = {norm(a) for a in out["authors"]}
                people = {norm(a) for a in g["authors"] + g["editors"]}
                s["gold"] += len(g["authors"])
                s["found"] += sum(norm(a) in got for a in g["authors"])
                s["gold_ed"] += len(people)
                s["found_ed"] += len(people & got)
                s["given"] += len(out["authors"])
                extra = [a for a in out["authors"] if norm(a) not in people]
                s["extra"] += len(extra)
                missed = [a for a in g["authors"] if norm(a) not in got]
                if missed or extra:
                    wrong.append(f"authors {out['authors']} (missed {missed})")
            if "body" in out:
                body = norm(out["body"])
                starts = any(body.startswith(norm(x)) for x in g["first"])
                ends = any(body.endswith(norm(x)) for x in g["last"])
                furniture = [x for x in g["not_"] if norm(x) in body]
                s["bodies"] += 1
                s["start"] += starts
                s["end"] += ends
                s["clean"] += not furniture
                s["all"] += starts and ends and not furniture
                if name == "ours":
                    s["rouge"].append(rouge_lsum_f1(tools["trafilatura"]["body"], out["body"]))
                if not (starts and ends and not furniture):
                    wrong.append("body" + ("" if starts else " start") + ("" if ends else " end")
                                 + (f" furniture {furniture}" if furniture else ""))
            if args.pages and name == "ours" and wrong:
                print(f"{g['key']}: " + "; ".join(wrong))
    print("\n| tool | pages | headline | day | authors found | with editors | names given that are no author/editor "
          "| body starts / ends / no furniture / all three |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, s in score.items():
        def pct(a: int, b: int) -> str:
            return f"{a}/{b} ({100 * a / b:.1f}%)" if b else "-"
        people = name != "htmldate"
        body = f"{s['start']} / {s['end']} / {s['clean']} / {s['all']} of {s['bodies']}" if s["bodies"] else "-"
        print(f"| {name} | {s['n']} | {pct(s['head'], s['n']) if people else '-'} | {pct(s['day'], s['n'])} | "
              f"{pct(s['found'], s['gold']) if people else '-'} | "
              f"{pct(s['found_ed'], s['gold_ed']) if people else '-'} | "
              f"{str(s['extra']) + ' of ' + str(s['given']) if people else '-'} | {body} |")
    if score["ours"]["rouge"]:
        print(f"\nours against trafilatura, ROUGE-LSum F1 (mean): {statistics.fmean(score['ours']['rouge']):.3f}")


if __name__ == "__main__":
    main()
