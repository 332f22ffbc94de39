"""The request's half of the enumeration-safe flows: register, resend the verification, forgot
the password.

A request only checks what it can check without asking who exists (the mode, the rate limits,
the encrypted password and the policy), hashes the password when there is one, and hands the
rest to a task (``accounts.tasks``, which runs ``accounts.registration``). Every request
therefore costs the same, and answers the same, for an existing and an unknown account.

The registration task carries the Argon2 hash of the password (never the password) through the
broker.
"""

from __future__ import annotations

from atrium.accounts.errors import RegistrationClosed
from atrium.accounts.limits import AccountLimiter
from atrium.accounts.schemas import Registration
from atrium.accounts.settings import RegistrationMode
from atrium.accounts.tasks import complete_registration, forgot_password, resend_verification
from atrium.auth import service as auth_service
from atrium.auth.principal import ClientInfo
from atrium.auth.runtime import AuthRuntime


async def register(
    auth: AuthRuntime,
    limiter: AccountLimiter,
    data: Registration,
    client: ClientInfo,
    mode: RegistrationMode,
) -> None:
    """Check and hash; the task creates the account (or mails the address's owner)."""
    if mode is RegistrationMode.CLOSED:
        raise RegistrationClosed()
    # The username is a target too: its "taken" mail would otherwise confirm names at will.
    await limiter.hit("register", client.ip, str(data.email), data.username)
    password = await auth_service.decrypt_password(auth, data.kid, data.password)
    auth.policy.check(password, data.username)
    password_hash = await auth.hasher.hash(password)
    await complete_registration.send(
        data.username, str(data.email), data.display_name, password_hash
    )


async def resend_request(limiter: AccountLimiter, email: str, client: ClientInfo) -> None:
    """The task mails a new link if ``email`` is a registration waiting for verification."""
    await limiter.hit("resend", client.ip, email)
    await resend_verification.send(email)


async def forgot_request(limiter: AccountLimiter, login: str, client: ClientInfo) -> None:
    """The task mails a reset link if ``login`` (username or email) is an account."""
    await limiter.hit("forgot", client.ip, login)
    await forgot_password.send(login)
