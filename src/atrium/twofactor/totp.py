"""TOTP (RFC 6238) through pyotp: new secrets, the ``otpauth://`` URI and its QR code (SVG,
segno), and checking a code, which answers the time step it matched so a code is taken once."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

import pyotp
import segno

from atrium.twofactor.settings import TwoFactorSettings

CODE_MAX_LENGTH = 8


@dataclass(frozen=True, slots=True)
class Totp:
    """The TOTP parameters of one deployment."""

    issuer: str
    digits: int
    period: int
    window: int

    @classmethod
    def from_settings(cls, settings: TwoFactorSettings) -> Totp:
        return cls(settings.issuer, settings.digits, settings.period_seconds, settings.valid_window)

    def _otp(self, secret: str) -> pyotp.TOTP:
        return pyotp.TOTP(secret, digits=self.digits, interval=self.period, issuer=self.issuer)

    def uri(self, secret: str, account: str) -> str:
        """``otpauth://totp/Issuer:account?secret=...``: what the QR code holds."""
        return self._otp(secret).provisioning_uri(name=account, issuer_name=self.issuer)

    def matched_step(self, secret: str, code: str, now: float | None = None) -> int | None:
        """The time step (counter) ``code`` is valid for within the window, or None."""
        code = code.strip().replace(" ", "")
        if not code.isdigit() or len(code) != self.digits:
            return None
        otp = self._otp(secret)
        at = time.time() if now is None else now
        current = otp.timecode(at)
        for step in range(current - self.window, current + self.window + 1):
            if pyotp.utils.strings_equal(otp.generate_otp(step), code):
                return step
        return None

    def code_at(self, secret: str, at: float) -> str:
        """The code valid at ``at`` (Unix seconds): what an authenticator app shows."""
        return self._otp(secret).at(at)


def new_secret() -> str:
    """A random 160-bit base32 secret (RFC 4226's recommended length)."""
    return pyotp.random_base32(length=32)


def qr_svg(uri: str) -> str:
    """The URI as a QR code, an SVG document (no external resources)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True)
    return out.getvalue().decode()
