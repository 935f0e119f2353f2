"""Plain-text reader: the seed layout exactly, plain and hard-wrapped files, bios."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.errors import SourceError
from indexer.ingest import read_source
from indexer.ingest.article import Article, derived_id
from indexer.ingest.text import _normalise_lines, _plain_breaks, clean_plain_body, clean_text, read_text
from tests.conftest import FIXTURES

FIXTURES = FIXTURES / "text"
SEED = FIXTURES / "dailynk-sojourn-restrictions.txt"
WORD = re.compile(r"\w+")


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def words(text: str) -> set[str]:
    return set(WORD.findall(text))


# --- the seed ---------------------------------------------------------------------------

def test_seed_fields_exactly() -> None:
    article = read_text(SEED.read_bytes(), "corpus/dailynk/sojourn.txt")
    assert article.id == derived_id("corpus/dailynk/sojourn.txt")
    assert article.source == "corpus/dailynk/sojourn.txt"
    assert article.headline == "Chinese authorities place restrictions on North Korean sojourn periods"
    assert article.captions == [
        "North Korean workers travel on the Sino-Korean Friendship Bridge from Sinuiju to Dandong.",
        "North Korean women workers at the customs office in Dandong.",
    ]
    assert article.publication == "Daily NK"
    assert article.author == "Mun Dong Hui"
    assert article.date is None


def test_seed_body_is_the_paragraphs_between() -> None:
    lines = seed_text().split("\n")
    # what a reader would call the body: every non-blank line after the headline
    # except the two alt lines, the two caption lines and the closing bio
    expected = [line for line in lines[1:] if line.strip()
                and "Image: Daily NK" not in line and "image: Daily NK" not in line
                and not line.startswith(" North Korean workers travel")
                and line != "North Korean women workers at the customs office in Dandong"
                and not line.startswith("Mun Dong Hui is one of")]
    body = clean_text(seed_text()).body
    assert body.split("\n\n") == expected
    assert len(expected) == 20
    assert body.startswith("North Korean workers are returning en masse")
    assert body.endswith("buying things in Chinese markets.”")
    for absent in ("Image:", "image:", "Sino-Korean Friendship Bridge", "customs office",
                   "full-time journalists", "Please direct"):
        assert absent not in body


def test_seed_through_read_source_with_a_default_publication(tmp_path: Path) -> None:
    path = tmp_path / "sojourn.txt"
    path.write_bytes(SEED.read_bytes())
    [article] = read_source(path, "sojourn.txt", default_publication="Somebody Else")
    assert isinstance(article, Article)
    assert article.publication == "Daily NK"  # the file's own credit wins over --publication


def test_credit_gives_the_publication_without_a_bio() -> None:
    text = seed_text().rsplit("\n\n", 1)[0]  # drop the closing bio
    cleaned = clean_text(text)
    assert cleaned.author is None
    assert cleaned.publication == "Daily NK"
    assert len(cleaned.captions) == 2


def test_default_publication_applies_when_the_file_gives_none() -> None:
    data = (FIXTURES / "plain-paragraphs.txt").read_bytes()
    assert read_text(data, "p.txt").publication is None
    assert read_text(data, "p.txt", default_publication="Reuters").publication == "Reuters"


def test_caption_without_alt_line_and_other_credit_labels() -> None:
    text = ("Floods hit the delta\n\n"
            "Water rose overnight across the river delta, officials said.\n\n"
            "Residents wade through a flooded street in the delta. Photo: Jane Roe\n\n"
            "Rescue teams reached three villages by boat.\n\n"
            "A rescue boat near the village school © Delta Times\n\n"
            "More rain is forecast for the weekend.")
    cleaned = clean_text(text)
    assert cleaned.captions == ["Residents wade through a flooded street in the delta.",
                                "A rescue boat near the village school"]
    assert cleaned.body.split("\n\n") == [
        "Water rose overnight across the river delta, officials said.",
        "Rescue teams reached three villages by boat.",
        "More rain is forecast for the weekend."]


def test_credit_like_words_inside_running_text_stay_body() -> None:
    text = ("Museum reopens\n\n"
            "The exhibition shows what the photo: a harbour at dawn, meant to the painter.\n\n"
            "Curators described the picture: it was restored over two years.")
    cleaned = clean_text(text)
    assert cleaned.captions == []
    assert len(cleaned.body.split("\n\n")) == 2


# --- plain and hard-wrapped files ----------------------------------------------------------

def test_plain_headline_plus_paragraphs() -> None:
    raw = (FIXTURES / "plain-paragraphs.txt").read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    raw_paragraphs = raw.strip().split("\n\n")
    assert cleaned.headline == raw_paragraphs[0] == "TALKING POINT/BANKAMERICA <BAC> EQUITY OFFER"
    assert cleaned.body.split("\n\n") == raw_paragraphs[1:]
    assert cleaned.captions == [] and cleaned.author is None and cleaned.publication is None


@pytest.mark.parametrize("name", ["blank-line-wrapped.txt", "one-line-per-paragraph.txt"])
def test_other_layouts_give_the_same_paragraphs(name: str) -> None:
    reference = clean_text((FIXTURES / "plain-paragraphs.txt").read_text(encoding="utf-8"))
    cleaned = clean_text((FIXTURES / name).read_text(encoding="utf-8"))
    assert cleaned.headline == reference.headline
    assert cleaned.body == reference.body


def test_wire_style_hard_wrapped_text_is_rejoined() -> None:
    raw = (FIXTURES / "reuters-wire-wrapped.txt").read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    assert cleaned.headline == "BAHIA COCOA REVIEW"
    paragraphs = cleaned.body.split("\n\n")
    assert paragraphs[0] == (
        "SALVADOR, Feb 26 - Showers continued throughout the week in the Bahia cocoa zone, "
        "alleviating the drought since early January and improving prospects for the coming "
        "temporao, although normal humidity levels have not been restored, Comissaria Smith "
        "said in its weekly review.")
    assert paragraphs[1] == "The dry period means the temporao will be late this year."
    # one paragraph for the unindented first one, one per 4-space indent
    assert len(paragraphs) == 1 + sum(line.startswith("    ") for line in raw.split("\n"))
    assert "\n" not in "".join(paragraphs)
    assert paragraphs[-1].endswith("carnival which ends midday on February 27.")


def test_byline_under_the_headline_gives_the_author() -> None:
    cleaned = clean_text("Harbour plan approved\nBy Jane Roe\n\nThe council approved the plan.")
    assert cleaned.author == "Jane Roe"
    assert cleaned.body == "The council approved the plan."


def test_a_long_first_line_is_body_not_headline() -> None:
    long_line = "The council met on Tuesday. " * 20
    cleaned = clean_text(long_line.strip() + "\n\nIt adjourned at noon.")
    assert cleaned.headline == ""
    assert cleaned.body.startswith("The council met on Tuesday.")


# --- closing bio ----------------------------------------------------------------------------

@pytest.mark.parametrize("bio, author, publication", [
    ("Jane Roe is a reporter for The Harbour Times.", "Jane Roe", "The Harbour Times"),
    ("Kim Min Ji is one of Daily NK's freelance correspondents based in Seoul.", "Kim Min Ji", "Daily NK"),
    ("Ahn Jin-Ho is an editor at Asia Wire. Follow him on social media.", "Ahn Jin-Ho", "Asia Wire"),
])
def test_bio_variants(bio: str, author: str, publication: str) -> None:
    cleaned = clean_text(f"Headline\n\nFirst paragraph of the story.\n\n{bio}")
    assert cleaned.author == author
    assert cleaned.publication == publication
    assert cleaned.body == "First paragraph of the story."


@pytest.mark.parametrize("last_paragraph", [
    "Kim Jong Un is the leader of North Korea and has met the Chinese president four times.",
    "John Smith is a former reporter who testified before the committee on Tuesday.",
    "Park Ji Won is one of the officials who signed the order. Reporters were not allowed in.",
    "The reporter is one of many who were expelled last year.",
    "Daily NK is one of the few outlets with sources inside North Korea.",
])
def test_normal_last_paragraphs_are_not_bios(last_paragraph: str) -> None:
    cleaned = clean_text(f"Headline\n\nFirst paragraph of the story.\n\n{last_paragraph}")
    assert cleaned.author is None
    assert cleaned.body.split("\n\n")[-1] == last_paragraph


def test_a_bio_in_the_middle_is_body() -> None:
    bio = "Mun Dong Hui is one of Daily NK's full-time journalists."
    cleaned = clean_text(f"Headline\n\n{bio}\n\nThe story goes on.")
    assert cleaned.author is None
    assert bio in cleaned.body


# --- clean_plain_body ------------------------------------------------------------------------

@pytest.mark.parametrize("ending", ["\n Reuter\n", "\nREUTER\n", "\n REUTER\n Reuter\n",
                                    "\nREUTER...^M\n", " REUTER\n", "\n\n reuter \n\n\n"])
def test_sign_off_is_stripped(ending: str) -> None:
    body = clean_plain_body("The bank raised its rate\nby half a point." + ending)
    assert body == "The bank raised its rate by half a point."


def test_reuters_inside_text_is_kept() -> None:
    assert clean_plain_body("He said in an interview with Reuters") == \
        "He said in an interview with Reuters"
    assert clean_plain_body("A survey by\nReuter") == "A survey by Reuter"


def test_whitespace_is_normalised() -> None:
    assert clean_plain_body("  a\u00a0 b\t c \r\n\r\n\r\n d  ") == "a b c\n\nd"


def test_table_rows_stay_apart() -> None:
    body = clean_plain_body("REPORT - FEB 26\n Net free reserves....644 vs....1,337\n"
                            " Bank borrowings......680 vs......425\n\n Reuter\n")
    assert body.split("\n\n") == ["REPORT - FEB 26", "Net free reserves....644 vs....1,337",
                                  "Bank borrowings......680 vs......425"]


# --- whole-file failures ---------------------------------------------------------------------

@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b"  \n\n \t\n", "empty file"),
    (b"\x00\x01\x02binary\x00\x00" * 50, "binary"),
])
def test_unreadable_files_raise(data: bytes, reason: str) -> None:
    with pytest.raises(SourceError, match=reason):
        read_text(data, "x.txt")


def test_latin1_bytes_decode() -> None:
    article = read_text("Caf\u00e9 prices rise\n\nThe caf\u00e9 raised prices.".encode("cp1252"), "x.txt")
    assert article.headline == "Caf\u00e9 prices rise"


# --- properties ------------------------------------------------------------------------------

_text_pieces = st.lists(st.one_of(
    st.text(max_size=80),
    st.sampled_from(["\n", "\n\n", "    ", " Reuter\n", "REUTER", ". Image: Daily NK", "Photo: ",
                     "©", " is one of Daily NK's full-time journalists.", "By Jane Roe\n",
                     "Mun Dong Hui", "\r\n", "\t", "\u00a0"]),
    st.sampled_from(seed_text().split("\n")),
), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(_text_pieces)
def test_clean_plain_body_never_invents_words(text: str) -> None:
    body = clean_plain_body(text)
    assert words(body) <= words(text)
    assert "\n\n\n" not in body and body == body.strip()


@settings(max_examples=300, deadline=None)
@given(_text_pieces)
def test_clean_text_never_invents_words(text: str) -> None:
    cleaned = clean_text(text)
    source_words = words(text)
    produced = [cleaned.headline, cleaned.body, *cleaned.captions,
                cleaned.publication or "", cleaned.author or ""]
    for part in produced:
        assert words(part) <= source_words


@pytest.mark.parametrize("second_line, author", [
    ("By Jane Roe and Kim Min Ji, Harbour Times", "Jane Roe, Kim Min Ji"),  # two people, as every reader gives them
    ("BY TED D'AFFLISIO", "TED D'AFFLISIO"),
    ("By the way, the council met again.", None),
    ("by 2020 the plan will be finished", None),
])
def test_byline_variants(second_line: str, author: str | None) -> None:
    cleaned = clean_text(f"Harbour plan approved\n{second_line}\n\nThe council approved the plan.")
    assert cleaned.author == author
    assert (second_line in cleaned.body) == (author is None)


def test_seed_with_crlf_and_bom_gives_the_same_fields() -> None:
    data = b"\xef\xbb\xbf" + SEED.read_bytes().replace(b"\n", b"\r\n")
    assert read_text(data, "s.txt") == read_text(SEED.read_bytes(), "s.txt")


def test_shortened_alt_text_is_dropped_with_its_caption() -> None:
    text = ("Bridge traffic resumes\n\nTraffic resumed on Monday.\n\n"
            "Workers on the bridge\n"
            "Workers walk on the bridge from Sinuiju to Dandong. Image: Daily NK\n\n"
            "Officials expect more crossings.")
    cleaned = clean_text(text)
    assert cleaned.captions == ["Workers walk on the bridge from Sinuiju to Dandong."]
    assert cleaned.body == "Traffic resumed on Monday.\n\nOfficials expect more crossings."


def test_unrelated_line_above_a_caption_stays_body() -> None:
    text = ("Bridge traffic resumes\n\nTraffic resumed on Monday after a week.\n"
            "Workers walk on the bridge from Sinuiju to Dandong. Image: Daily NK\n\n"
            "Officials expect more crossings.")
    cleaned = clean_text(text)
    assert cleaned.captions == ["Workers walk on the bridge from Sinuiju to Dandong."]
    assert cleaned.body == "Traffic resumed on Monday after a week.\n\nOfficials expect more crossings."


@pytest.mark.parametrize("header, author, date", [
    ("By Jane Roe\nMarch 25, 2019", "Jane Roe", datetime(2019, 3, 25)),
    ("Published: 2019-03-25 10:30 UTC\nBy Jane Roe", "Jane Roe", datetime(2019, 3, 25, 10, 30)),
    ("\nMonday, 25 March 2019", None, datetime(2019, 3, 25)),
])
def test_date_line_under_the_headline(header: str, author: str | None, date: datetime) -> None:
    article = read_text(f"Harbour plan approved\n{header}\n\nThe council approved the plan.".encode(),
                        "x.txt")
    assert (article.author, article.date) == (author, date)
    assert article.body == "The council approved the plan."


@pytest.mark.parametrize("second_line", [
    "The plan was approved on March 25, 2019.",
    "In 2019 the council met twice.",
])
def test_sentences_with_dates_stay_body(second_line: str) -> None:
    article = read_text(f"Harbour plan approved\n\n{second_line}\n\nMore text.".encode(), "x.txt")
    assert article.date is None
    assert article.body.startswith(second_line)


def test_wrapped_paragraphs_without_separators_only_split_at_real_boundaries() -> None:
    # paragraphs wrapped at 64 columns, with neither blank lines nor indents between
    # them: a short line that ends a sentence is the only hint of a paragraph end
    import textwrap
    raw = (FIXTURES / "plain-paragraphs.txt").read_text(encoding="utf-8").strip().split("\n\n")[1:]
    out = clean_plain_body("\n".join(textwrap.fill(p, 64) for p in raw)).split("\n\n")
    assert " ".join(out) == " ".join(raw)

    def start_offsets(paragraphs: list[str]) -> set[int]:
        offsets, at = set(), 0
        for paragraph in paragraphs:
            offsets.add(at)
            at += len(paragraph) + 1
        return offsets

    assert start_offsets(out) <= start_offsets(raw)  # never split inside a paragraph
    assert len(out) > 1


def reflow_one_line_at_a_time(text: str) -> list[str]:
    """The reflow rules of `clean_plain_body`, written plainly (a line at a time) as a reference:
    blank lines separate blocks; a block with a line over 100 characters keeps its lines apart;
    otherwise a paragraph starts at an indented line, at and after a table row, and after a line
    that ends a sentence well short of the wrap width when the next word would have fitted."""
    blocks: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.strip():
            blocks[-1].append(line.rstrip())
        elif blocks[-1]:
            blocks.append([])
    paragraphs = []
    for block in filter(None, blocks):
        stripped = [line.strip() for line in block]
        width = max(map(len, stripped))
        if width > 100:
            paragraphs += [" ".join(line.split()) for line in block]
            continue
        indents = [len(line) - len(line.lstrip()) for line in block]
        rows = [re.search(r"\S(?:\.{3,}| {3,})\S", line) is not None for line in stripped]
        current = [block[0]]
        for i in range(1, len(block)):
            previous = stripped[i - 1]
            deliberate = (previous[-1] in ".!?:\"”’)"
                          and len(previous) + 1 + len(stripped[i].split()[0]) < 0.75 * width)
            if indents[i] > min(indents) or rows[i] or rows[i - 1] or deliberate:
                paragraphs.append(" ".join(" ".join(current).split()))
                current = []
            current.append(block[i])
        paragraphs.append(" ".join(" ".join(current).split()))
    return paragraphs


_wrapped_lines = st.lists(st.tuples(
    st.sampled_from(["", " ", "    ", "\u00a0 "]),  # indentation
    st.lists(st.sampled_from(["grain", "Board", "1,655.8", "(nil)", "tonnes", "said.", "said:", "\u201cyes.\u201d",
                              "(up)", "...", "....", "x" * 40, "ünïcode", "?"]), min_size=1, max_size=12),
    st.sampled_from([" ", "   ", "  \u3000", " .... "]),  # the gap between words
    st.sampled_from(["", "  "]),  # trailing spaces
), max_size=25).map(lambda lines: "\n".join(indent + gap.join(words) + tail if words[0] != "?" else ""
                                            for indent, words, gap, tail in lines))


@settings(max_examples=400, deadline=None)
@given(_wrapped_lines)
def test_reflow_matches_the_one_line_at_a_time_rules(text: str) -> None:
    assert clean_plain_body(text).split("\n\n") == (reflow_one_line_at_a_time(text) or [""])


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab.\n \t\r\x0b\x0c\x1c\x1f\x85\xa0\u2028\u2029\u3000\ufeffé")),
               max_size=80))
def test_lines_are_right_stripped_whatever_the_whitespace(text: str) -> None:
    """`_normalise_lines` skips the strip where nothing can need it (ASCII with no
    space before a line end); the lines are the same as stripping every one."""
    assert _normalise_lines(text) == [line.rstrip() for line in _plain_breaks(text).split("\n")]
