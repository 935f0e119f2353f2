"""The researcher's own state: named collections of articles with notes and tags, and citations.

A sub-package of its own because, unlike everything under `indexer.index` and
`indexer.search`, nothing here is derived from the sources: a collection is
written by the researcher, lives in a SQLite file beside (never inside) the
index generations, and must survive every rebuild, including one that drops
an article it lists (it stays listed, as missing). `collections` stores it;
`citations` writes it out (CSV, JSON Lines, RIS, CSL-JSON).
"""
