"""Search without ``$text``: each document keeps the normalised words of its title and content
(``words``, a multikey index), and a query matches the documents holding every word asked for.

SecantusDB has no text index; a plain array of words is indexed by any MongoDB just as well.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

WORD = re.compile(r"\w+")
MAX_WORD_LENGTH = 64
MAX_QUERY_WORDS = 10


def normalised(text: str) -> list[str]:
    """The words of ``text``: case-folded, accents kept apart (NFKC), in order, each once."""
    found = WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    return list(dict.fromkeys(word[:MAX_WORD_LENGTH] for word in found))


def words_of(title: str, content: str) -> list[str]:
    return normalised(f"{title}\n{content}")


def matching(query: str) -> dict[str, Any]:
    """The filter of documents holding every word of ``query`` (none: every document)."""
    wanted = normalised(query)[:MAX_QUERY_WORDS]
    if not wanted:
        return {}
    return {"$and": [{"words": word} for word in wanted]}
