"""Search: a query in, result objects out (for an HTML page, JSON, CSV or a terminal).

`archive` is the facade (`Archive`) over the rest: `results` holds the request
and result types; `parsing` reads the query language and `querysyntax` documents
it; `searchers` pools Whoosh searchers; `collect` evaluates a
query's matcher tree with numpy; `ranking` orders; `snippets` marks matches;
`versions` folds re-sent stories; `suggest` offers "did you mean"; `trend`
counts matches per period; `kwic` lists matches in context; `export` writes CSV
and JSON Lines.
"""
