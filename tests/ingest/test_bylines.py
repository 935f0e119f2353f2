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
])
def test_bylines_name_people(byline, authors):
    assert normalise_byline(byline) == authors


def test_the_publication_itself_is_no_author():
    assert normalise_byline("Salzburger Nachrichten", publication="Salzburger Nachrichten") is None
    site = "Salzburger Nachrichten"
    assert normalise_byline(["By Jane Roe", site], publication=site) == "Jane Roe"


def test_stored_form_reads_back():
    assert split_authors(normalise_byline(["By Jane Roe", "John Doe and Jane Roe"])) == ["Jane Roe", "John Doe"]
    assert split_authors(None) == []


@pytest.mark.parametrize("name", ["AP", "The Associated Press", "Reuters", "dpa", "AFP Deutschland", "Kyodo News"])
def test_agencies(name):
    assert is_agency(name)
    assert not is_agency("Jane Roe")
