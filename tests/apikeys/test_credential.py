"""The key string: a recognisable prefix a secret scanner can match, a lookup part, 256 random
bits of secret, and a stored hash that reveals none of it."""

from __future__ import annotations

import re

from atrium.apikeys import credential

SCANNER = re.compile(r"atr_[a-z2-7]{16}_[A-Za-z0-9_-]{43}")


def test_a_new_key_matches_the_published_pattern_and_its_parts() -> None:
    made = credential.new_key()
    assert SCANNER.fullmatch(made.key)
    assert made.key.startswith(made.prefix + "_")
    assert credential.lookup_of(made.key) == made.lookup
    assert credential.matches(made.key, made.secret_hash)
    assert made.key not in made.secret_hash
    assert len({credential.new_key().key for _ in range(100)}) == 100


def test_anything_else_has_no_lookup_and_matches_no_hash() -> None:
    made = credential.new_key()
    for text in ("", "atr_", made.key + "x", made.key.upper(), "Bearer " + made.key, "x" * 1000):
        assert credential.lookup_of(text) is None, text
    other = credential.new_key()
    assert not credential.matches(other.key, made.secret_hash)
