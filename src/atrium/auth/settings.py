"""Auth's settings group (``ATRIUM_AUTH__*``); the password rules of the same section are users'."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator

from atrium.config import DEV_SECRET_PREFIX, SettingsGroup, check_rate, is_default_secret

# Shortest JWT secret staging and production accept (HS256 wants at least its 256 bits).
MIN_JWT_SECRET_BYTES = 32


class AuthSettings(SettingsGroup, section="auth"):
    """Login, tokens, sessions, rate limits and the first superuser (``ATRIUM_AUTH__*``)."""

    jwt_secret: SecretStr = SecretStr(f"{DEV_SECRET_PREFIX}jwt-secret-change-me-0123456789abcdef")
    jwt_algorithm: str = "HS256"
    access_token_ttl_seconds: int = Field(default=900, ge=30)
    refresh_token_ttl_seconds: int = Field(default=14 * 24 * 3600, ge=60)
    # RSA private keys for login encryption: PEM text or file paths, keyed by key id.
    rsa_private_keys: dict[str, str] = {}
    rsa_active_kid: str | None = None
    rsa_key_file: Path = Path("var/keys/login-rsa.pem")
    login_skew_seconds: int = Field(default=120, ge=5)
    # Login attempts per username from one client address, and per client address.
    login_rate_per_username: str = "10/minute"
    login_rate_per_address: str = "60/minute"
    # Lockout of one (account, client address) pair after consecutive failed passwords.
    lockout_threshold: int = Field(default=5, ge=1)
    lockout_base_seconds: int = Field(default=30, ge=1)
    lockout_max_seconds: int = Field(default=3600, ge=1)
    # Slow-down of one login name, whatever the address: past this many failures (each kept
    # the window after the last), attempts on it are serialised one delay apart, the delay
    # base seconds doubling per further failure up to max; an attempt whose turn is more than
    # max_wait seconds away is refused (429) rather than held.
    account_slowdown_threshold: int = Field(default=20, ge=1)
    account_slowdown_base_seconds: float = Field(default=0.5, gt=0)
    account_slowdown_max_seconds: float = Field(default=10.0, gt=0, le=60)
    account_slowdown_max_wait_seconds: float = Field(default=30.0, gt=0, le=120)
    account_failure_window_seconds: int = Field(default=900, ge=1)
    # In-process cache of "this session is still valid" (0 disables it). Revocations reach
    # every node through Redis pub/sub before they are reported done; this is the safety net.
    session_cache_seconds: float = Field(default=30.0, ge=0)
    # How long a revocation waits for every node to acknowledge the invalidation.
    revocation_ack_timeout_seconds: float = Field(default=2.0, gt=0)
    login_log_retention_days: int = Field(default=90, ge=1)
    # The cookie the refresh token travels in when a client asks for it (``X-Refresh-Cookie``).
    refresh_cookie_name: str = Field(default="atrium_refresh", pattern=r"^[A-Za-z0-9_\-]{1,64}$")
    first_superuser_username: str = "admin"
    first_superuser_email: str = "admin@example.com"
    first_superuser_password: SecretStr | None = None

    _rates = field_validator("login_rate_per_username", "login_rate_per_address")(check_rate)

    def deployment_problems(self) -> list[str]:
        problems = []
        secret = self.jwt_secret.get_secret_value()
        if is_default_secret(secret):
            problems.append("ATRIUM_AUTH__JWT_SECRET")
        elif len(secret.encode()) < MIN_JWT_SECRET_BYTES:
            problems.append(f"ATRIUM_AUTH__JWT_SECRET (at least {MIN_JWT_SECRET_BYTES} bytes)")
        if not self.rsa_private_keys:
            problems.append("ATRIUM_AUTH__RSA_PRIVATE_KEYS")
        return problems
