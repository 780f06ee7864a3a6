"""Signed tokens for rating URLs, and QR rendering. Pure: no Flask, no database.

A token is ``<kind><id>.<id>….<mac>``: a one-letter kind, dot-separated
non-negative integers, and a truncated HMAC-SHA256 (128 bits, base64url) over
both under a key derived from the app secret. Tokens stay short so the QR code
printed on a poster stays small and readable from a distance. Nobody without
the secret can make a token for another center, counter, officer or receipt.

Kinds: ``c`` counter poster (counter id, poster version), ``k`` kiosk tablet
(counter id, poster version), ``r`` receipt (receipt id), ``n`` form nonce
(target kind code, target id, issue time in ms, random 48 bits).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import io
import re

import segno

KINDS = frozenset("ckrn")
MAC_BYTES = 16
MAX_TOKEN_LENGTH = 120
# Whole-string match of ASCII digits only: ``$`` would also match before a trailing
# newline, and ``\d`` matches Arabic-Indic or full-width digits.
_TOKEN_RE = re.compile(r"([a-z])([0-9]{1,19}(?:\.[0-9]{1,19}){0,5})\.([A-Za-z0-9_-]{22})", re.ASCII)

#: Short typable codes: no 0/O, 1/I/L, so they survive being read aloud or typed.
SHORT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@functools.lru_cache(maxsize=64)
def derive_key(secret: str | bytes, purpose: str) -> bytes:
    """A per-purpose key, so a token of one kind can never verify as another use.

    Derived once per process and secret: every rating page verifies a token and signs a
    nonce (the secret itself is in memory anyway)."""
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    return hmac.new(secret, b"portal-token-key:" + purpose.encode(), hashlib.sha256).digest()


def _mac(key: bytes, body: str) -> str:
    digest = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()[:MAC_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def sign(secret: str | bytes, kind: str, *values: int) -> str:
    """Make a token of ``kind`` carrying ``values`` (non-negative integers)."""
    if kind not in KINDS:
        raise ValueError(f"unknown token kind {kind!r}")
    if not values or any((not isinstance(v, int)) or v < 0 or v >= 2**63 for v in values):
        raise ValueError("token values must be integers in [0, 2**63)")
    body = kind + ".".join(str(v) for v in values)
    return f"{body}.{_mac(derive_key(secret, 'qr'), body)}"


def verify(secret: str | bytes, token: str, kind: str, *, arity: int) -> tuple[int, ...] | None:
    """Return the values of a valid ``kind`` token with ``arity`` values, else ``None``."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        return None
    match = _TOKEN_RE.fullmatch(token)
    if match is None or match.group(1) != kind:
        return None
    body = match.group(1) + match.group(2)
    if not hmac.compare_digest(_mac(derive_key(secret, "qr"), body), match.group(3)):
        return None
    values = tuple(int(v) for v in match.group(2).split("."))
    if body != kind + ".".join(str(v) for v in values):
        return None  # leading zeros: only the canonical spelling is a token
    if len(values) != arity or any(v >= 2**63 for v in values):
        return None
    return values


# QR rendering ---------------------------------------------------------------------------


def qr_code(url: str) -> segno.QRCode:
    # Error correction M: survives a crease or a smudge on a printed poster.
    return segno.make_qr(url, error="m", boost_error=False)


def qr_svg(url: str, *, scale: int = 4, title: str | None = None) -> str:
    buffer = io.BytesIO()
    qr_code(url).save(
        buffer, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True, title=title
    )
    return buffer.getvalue().decode("utf-8")


def qr_png(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


# Short typable codes ----------------------------------------------------------------------

SHORT_MAC_LENGTH = 5


def _b31(n: int) -> str:
    digits = []
    while True:
        n, r = divmod(n, len(SHORT_CODE_ALPHABET))
        digits.append(SHORT_CODE_ALPHABET[r])
        if n == 0:
            return "".join(reversed(digits))


def _short_mac(secret: str | bytes, counter_id: int, version: int) -> str:
    digest = hmac.new(
        derive_key(secret, "short"), f"{counter_id}.{version}".encode(), hashlib.sha256
    ).digest()
    value = int.from_bytes(digest[:8], "big")
    return "".join(
        SHORT_CODE_ALPHABET[(value // len(SHORT_CODE_ALPHABET) ** i) % len(SHORT_CODE_ALPHABET)]
        for i in range(SHORT_MAC_LENGTH)
    )


def short_code(secret: str | bytes, counter_id: int, version: int) -> str:
    """A code a citizen can type instead of scanning: the counter id plus a 5-letter MAC."""
    return _b31(counter_id) + _short_mac(secret, counter_id, version)


def normalise_short_code(text: str) -> str:
    return re.sub(r"[\s\-.]", "", text or "").upper()[:32]


def parse_short_code(code: str) -> tuple[int, str] | None:
    """``(counter_id, mac)`` of a syntactically valid short code (not yet verified)."""
    code = normalise_short_code(code)
    if not 1 + SHORT_MAC_LENGTH <= len(code) <= 13 + SHORT_MAC_LENGTH:
        return None
    if any(ch not in SHORT_CODE_ALPHABET for ch in code):
        return None
    head, mac = code[:-SHORT_MAC_LENGTH], code[-SHORT_MAC_LENGTH:]
    counter_id = 0
    for ch in head:
        counter_id = counter_id * len(SHORT_CODE_ALPHABET) + SHORT_CODE_ALPHABET.index(ch)
    if counter_id >= 2**63:
        return None
    return counter_id, mac


def verify_short_code(secret: str | bytes, code: str, counter_id: int, version: int) -> bool:
    return hmac.compare_digest(short_code(secret, counter_id, version), normalise_short_code(code))


def format_short_code(code: str) -> str:
    """Group for reading: ``2KABCDE`` → ``2K-ABCDE``."""
    return f"{code[:-SHORT_MAC_LENGTH]}-{code[-SHORT_MAC_LENGTH:]}"
