"""One byline normaliser for every reader (HTML, records, text): people only, each once."""

from __future__ import annotations

import pytest

from indexer.ingest.bylines import is_agency, normalise_byline, split_authors


@pytest.mark.parametrize("byline, authors", [
    ("By Jane Roe and John Doe, AP Writer | Nov 18, 2019", "Jane Roe, John Doe"),  # two people
    ("Von Felix Schröder und Jörg Soldwisch, dpa", "Felix Schröder, Jörg Soldwisch"),  # German, an agency
    ("Samya Kullab; Vasilisa Stepanenko", "Samya Kullab, Vasilisa Stepanenko"),
    ("牛镛、岳弘彬", "牛镛, 岳弘彬"),  # Chinese list comma
    ("Developed By Heba Musa", None),  # a site credit (DC.Creator), not the writer
    ("AFP Deutschland", None),         # an agency alone is no author
    ("BR24 Redaktion", None),          # a newsroom is no person
    ("Staff Reporter", None),
    ("Martin Untersinger (avec Damien Leloup et Morgane Tual)", "Martin Untersinger, Damien Leloup, Morgane Tual"),
    ("Richard (R.J.) Eskow", "Richard Eskow"),  # a nickname in brackets is no cut
    ("Jane Roe (AP)", "Jane Roe"),
    ("Associated Press in Valencia", None),     # an agency, and where it filed from
    ("Jane Roe in Kyiv", "Jane Roe"),
    ("By TPN, in News, Portugal, Business", "TPN"),  # the sections it is filed in
    ("Von", None),                                  # a prefix alone
    # session 8: bylines seen on L3S-GN1 and Google-Trends pages (not copied: research use only, GPL-3.0)
    ("By JOSEPH WHITE AP Sports Writer", "JOSEPH WHITE"),          # agency and job title after the name
    ("By JASON STRAZIUSO Associated Press Writer", "JASON STRAZIUSO"),
    ("MIRJAM SWANSON THE PRESS-ENTERPRISE", "MIRJAM SWANSON"),     # the outlet after the name
    ("Jessica Wang Editorial Assistant", "Jessica Wang"),
    ("OUR SPECIAL CORRESPONDENT", None),                            # a job title, no name before it
    ("By JEFF KAROUB, AP Business Writer", "JEFF KAROUB"),         # not a second author "AP Business"
    ("Keith Griffith For Dailymail.com", "Keith Griffith"),        # the outlet she writes for
    ("HERB KEINON AND AP", "HERB KEINON"),                         # "AND" in an upper-case byline
    ("BY PATRICK RIZZO AND PATTI DOMM", "PATRICK RIZZO, PATTI DOMM"),  # a Reuters record's byline
    ("16th Jan 2008, 09:28am by Damien McFerran.", "Damien McFerran"),  # the name after a date
    ("Erstellt von Andri Bryner", "Andri Bryner"), ("Eingestellt von Unknown", None),
    ("Author Andreas Kalt", "Andreas Kalt"),
    ("Автор: Иван Петров", "Иван Петров"),
    ("TIMESOFINDIA.COM", None), ("CBNNews.com", None),             # a web address: the publication
    ("CBS News", None), ("CBSNews", None), ("Press Trust Of India", None), ("PA Sport", None),  # media, agencies
    ("The Times-Picayune", None), ("Deutscher Caritasverband", None), ("AUTO ZEITUNG", None),
    ('{ "', None), ("D", None),                                   # pieces of code, a letter
    ("Alexa von Heyden", "Alexa von Heyden"), ("Emily Post", "Emily Post"),  # names that stay
    ('Dwayne "The Rock" Johnson', 'Dwayne "The Rock" Johnson'),
])
def test_bylines_name_people(byline, authors):
    assert normalise_byline(byline) == authors


def test_the_publication_itself_is_no_author():
    assert normalise_byline("Salzburger Nachrichten", publication="Salzburger Nachrichten") is None
    site = "Salzburger Nachrichten"
    assert normalise_byline(["By Jane Roe", site], publication=site) == "Jane Roe"


def test_the_publications_short_forms_are_no_author():
    assert normalise_byline("LTO", publication="Legal Tribune Online") is None  # its initials
    assert normalise_byline("TPN", publication="The Portugal News") is None
    assert normalise_byline("LTO", domain="lto.de") is None                      # its domain's name
    assert normalise_byline("Jane Roe", publication="Jane Roe's Kitchen", domain="janeroe.com") == "Jane Roe"


def test_visible_text_phrases_are_no_names():
    # a byline-classed button or an about-the-author box; declared metadata keeps its words
    assert normalise_byline("Themen bearbeiten", from_text=True) is None
    assert normalise_byline(["By Scott Cunningham", "About the author"], from_text=True) == "Scott Cunningham"
    assert normalise_byline("Ursula von der Leyen", from_text=True) == "Ursula von der Leyen"
    assert normalise_byline("Dublin Core property author") == "Dublin Core property author"


def test_stored_form_reads_back():
    assert split_authors(normalise_byline(["By Jane Roe", "John Doe and Jane Roe"])) == ["Jane Roe", "John Doe"]
    assert split_authors(None) == []


@pytest.mark.parametrize("name", ["AP", "The Associated Press", "Reuters", "dpa", "AFP Deutschland", "Kyodo News"])
def test_agencies(name):
    assert is_agency(name)
    assert not is_agency("Jane Roe")
