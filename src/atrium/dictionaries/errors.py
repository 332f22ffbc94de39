"""The dictionaries domain's errors: one class per code, one status per code."""

from __future__ import annotations

from atrium.core.errors import Conflict, NotFound, ServiceUnavailable


class DictionaryNotFound(NotFound):
    """No dictionary type with this id (admin routes) or, for the frontend's read, no enabled
    one with this code."""

    code = "DICTIONARY_NOT_FOUND"
    message = "No such dictionary."


class DictionaryItemNotFound(NotFound):
    """No item with this id in this dictionary type."""

    code = "DICTIONARY_ITEM_NOT_FOUND"
    message = "No such dictionary item."


class DictionaryCodeTaken(Conflict):
    """Another dictionary type has this code."""

    code = "DICTIONARY_CODE_TAKEN"
    message = "A dictionary with this code exists."


class DictionaryValueTaken(Conflict):
    """The dictionary type has an item with this value."""

    code = "DICTIONARY_VALUE_TAKEN"
    message = "This dictionary has an item with this value."


class DictionarySeeded(Conflict):
    """A type a domain seeds cannot be deleted (the next ``initdb`` would bring it back, and the
    domain's records use its values): disable it, or its items, instead."""

    code = "DICTIONARY_SEEDED"
    message = "This dictionary belongs to a domain; disable it instead of deleting it."


class DictionaryPropagationFailed(ServiceUnavailable):
    """The change is saved, but the caches of other nodes could not be told (Redis is down):
    they serve the old values until their lease ends."""

    code = "DICTIONARY_PROPAGATION_FAILED"
    message = "Saved, but other nodes could not be told yet; they catch up within a minute."
