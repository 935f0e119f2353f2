"""Article ids in URLs: any id, written as one path segment that survives the trip.

A record's id is the publisher's text: `/2019/story`, `..`, `a\\nb`. Put in a path
as it is, `/` splits it (and Werkzeug merges the `//` of a leading one and
redirects), browsers resolve `.` and `..` segments away before sending, and a
control character fails the route. So `/article/<id>` writes the characters
that would not come back as `~` and two hex digits (`~2F` for `/`, `~2E` for a
leading `.`, `~0A` for a newline, `~7E` for `~` itself); everything else is
percent-encoded as usual. Ids of letters, digits, `-`, `_` and inner dots (the
derived hex ids, `reuters-5168`) read the same as before, and an old link that
carried an id's `/` as written still opens it: see `ArticleRef.candidates`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from werkzeug.routing import BaseConverter

ESCAPE = "~"
# Characters written as ~XX: the escape itself, the path separator, a backslash
# (browsers read it as `/`) and the C0/C1 controls and DEL.
_ESCAPED = re.compile(r"[~/\\\x00-\x1f\x7f-\x9f]")
_ESCAPE_SEQUENCE = re.compile(r"~([0-9A-Fa-f]{2})")


def encode_id(article_id: str) -> str:
    """`article_id` as one path segment that no client or router rewrites."""
    text = _ESCAPED.sub(lambda m: f"{ESCAPE}{ord(m.group()):02X}", article_id)
    if text.startswith("."):  # `.`, `..`, `.hidden`: never a dot segment
        text = f"{ESCAPE}2E" + text[1:]
    return text


def decode_id(segment: str) -> str:
    """The id `encode_id` wrote (a `~` not followed by two hex digits is kept)."""
    return _ESCAPE_SEQUENCE.sub(lambda m: chr(int(m.group(1), 16)), segment)


class ArticleRef(NamedTuple):
    """The id part of an article URL: decoded, and as it came (for old links)."""

    segment: str

    @property
    def id(self) -> str:
        return decode_id(self.segment)

    def candidates(self) -> tuple[str, ...]:
        """Ids to look up, in order: the decoded one, then the text as written,
        which is what a link made before the escaping carried (an id that itself
        holds `~2F` and so on)."""
        decoded = self.id
        return (decoded,) if decoded == self.segment else (decoded, self.segment)


class ArticleIdConverter(BaseConverter):
    """`<article_id:...>`: `encode_id` on the way out, an `ArticleRef` on the way in.

    It takes slashes (links made before the escaping carry them as written), so
    the rule must come last in its path."""

    regex = "[^/].*?"
    part_isolating = False
    weight = 200

    def to_python(self, value: str) -> ArticleRef:
        return ArticleRef(value)

    def to_url(self, value: str) -> str:
        return super().to_url(encode_id(value))


CONVERTER_NAME = "article_id"
