"""Users' settings group: the password rules and the hashing cost (``ATRIUM_AUTH__PASSWORD_*``,
the section they have always been read from)."""

from __future__ import annotations

from pydantic import Field

from atrium.config import SettingsGroup


class PasswordSettings(SettingsGroup, section="auth"):
    """What a new password must be, and what hashing one costs."""

    password_min_length: int = Field(default=8, ge=4)
    password_max_length: int = Field(default=128, ge=8, le=1024)
    # How many of: lowercase, uppercase, digits, other characters a new password must mix.
    password_min_char_classes: int = Field(default=1, ge=1, le=4)
    # Refuse a password that contains the username (case-insensitive).
    password_forbid_username: bool = True
    # Argon2id cost; unset uses the library's recommended defaults (keep them in production).
    # Tests set tiny values (time 1, 1024 KiB, parallelism 1) so hashing takes ~1 ms.
    password_hash_time_cost: int | None = Field(default=None, ge=1)
    password_hash_memory_kib: int | None = Field(default=None, ge=8)
    password_hash_parallelism: int | None = Field(default=None, ge=1)
