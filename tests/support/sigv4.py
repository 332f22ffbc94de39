"""An independent check of AWS Signature V4 presigned URLs, as S3 and MinIO apply it.

moto's S3 server (5.2.5, the test server here) verifies neither signatures nor expiry: it serves
a presigned URL after its ``X-Amz-Expires`` has passed, and with a tampered signature (checked
by hand). So the tests fetch through moto to show a URL *works*, and use this check, written
from the AWS SigV4 specification (query-string authentication) rather than with the SDK that
signed the URL, to show when it *stops* working on a real S3 or MinIO.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _canonical_query(pairs: list[tuple[str, str]]) -> str:
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def signed_at(url: str) -> tuple[datetime, timedelta]:
    """When the URL was signed, and for how long it is valid."""
    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    start = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return start, timedelta(seconds=int(query["X-Amz-Expires"]))


def refusal(url: str, secret_key: str, method: str, now: datetime) -> str | None:
    """Why S3 would refuse this presigned request at ``now`` (None: it would accept it)."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = dict(pairs)
    if query.get("X-Amz-Algorithm") != ALGORITHM or query.get("X-Amz-SignedHeaders") != "host":
        return "unsupported signing"
    start, valid_for = signed_at(url)
    if now < start - timedelta(minutes=15):  # S3 allows this much clock skew
        return "not yet valid"
    if now > start + valid_for:
        return "expired"
    _access, date, region, service, terminal = query["X-Amz-Credential"].split("/")
    canonical = "\n".join(
        [
            method,
            parts.path or "/",
            _canonical_query([(k, v) for k, v in pairs if k != "X-Amz-Signature"]),
            f"host:{parts.netloc}\n",
            "host",
            "UNSIGNED-PAYLOAD",
        ]
    )
    scope = f"{date}/{region}/{service}/{terminal}"
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    to_sign = f"{ALGORITHM}\n{query['X-Amz-Date']}\n{scope}\n{digest}"
    key = f"AWS4{secret_key}".encode()
    for part in (date, region, service, terminal):
        key = _hmac(key, part)
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, query.get("X-Amz-Signature", "")):
        return "signature does not match"
    return None
