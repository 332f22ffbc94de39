"""What never reaches the audit log: the values of fields that hold secrets.

A column marked ``secret()`` already reaches the commit hooks as the unit of work's marker; this
rule is the second net, by name, for everything else: any field whose name says password, hash,
secret, token, salt, private key, key material, one-time or recovery code, credential or nonce
is stored as ``REDACTED`` whatever its value.
"""

from __future__ import annotations

import re
from typing import Any, Final

from atrium.core.uow import REDACTED

SECRET_NAME: Final = re.compile(
    r"pass(word|wd)|hash|secret|token|salt|private|key_?material|^keys?$|_keys?_|totp|otp_|"
    r"recovery|credential|nonce|cipher",
    re.IGNORECASE,
)


def is_secret(field: str) -> bool:
    """Whether a field's value must never be stored (by its name)."""
    return SECRET_NAME.search(field) is not None


def redacted(field: str, value: Any) -> Any:
    """The value as the log may keep it: the marker for a secret (an absent value stays absent)."""
    if value is None or not is_secret(field):
        return value
    return REDACTED
