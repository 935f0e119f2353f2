"""Index: `Article`s in, a searchable index generation on disk out.

`sources` walks the paths and plans what changed; `build` reads them in worker
processes (through `indexer.ingest`) and writes; `schema` turns an Article into
a Whoosh document; `analysis`, `codec`, `segment` and `writers` tokenise and
write postings (`children` ties the build's processes to it);
`signatures` and `vocabulary` store what versions and "did you mean" need;
`store` owns the index folder: generations, the atomic swap, the lock.
"""
