"""Letting go of the apps a test built.

FastAPI classifies every endpoint and dependency callable once and keeps the answer in
``lru_cache``s of 4,096 entries each, keyed by the callable itself. An app's routes and
dependencies are closures over that app, so those caches kept the last hundred or so apps of the
suite alive (2.7 GB of heap by the end, and every full collection walking all of it). A running
server builds one app, so this is the suite's concern only.
"""

from __future__ import annotations

from fastapi.dependencies import models

_CLASSIFIERS = (
    "_is_gen_callable_cached",
    "_is_async_gen_callable_cached",
    "_is_coroutine_callable_cached",
)


def forget_app_callables() -> None:
    """Empty FastAPI's callable caches (each holds closures over the apps built so far)."""
    for name in _CLASSIFIERS:
        cached = getattr(models, name, None)
        clear = getattr(cached, "cache_clear", None)
        if clear is not None:
            clear()
