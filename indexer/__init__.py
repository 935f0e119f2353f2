"""newsindex: full-text search over a news archive (the engine; the web UI lives in `webui`)."""

__version__ = "0.1.0"
