"""Phone numbers: normalised to E.164, encrypted (Fernet) and hashed (HMAC) under keys
derived from the app secret with HKDF. Pure: no Flask, no database."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


@functools.lru_cache(maxsize=64)
def _hkdf(secret: str | bytes, info: bytes) -> bytes:
    # Once per process, secret and purpose: the same inputs always derive the same key.
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"portal-v1", info=info).derive(secret)


def derive_key(secret: str | bytes, purpose: bytes) -> bytes:
    """A 32-byte key for one purpose, derived from a secret (HKDF-SHA256)."""
    return _hkdf(secret, purpose)


def fernet(secret: str | bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_hkdf(secret, b"phone-encryption")))


def fernet_for(secret: str | bytes, purpose: str) -> Fernet:
    """A Fernet (encrypt-then-MAC, with a timestamp) under a key of its own per purpose."""
    return Fernet(base64.urlsafe_b64encode(_hkdf(secret, b"fernet:" + purpose.encode())))


_PHONE_SEPARATORS = re.compile(r"[\s().\-]")


def normalise_vn_phone(text: str) -> str | None:
    """A Vietnamese mobile or landline number in E.164 (``+84…``), or ``None`` if invalid.

    Accepts ``0912345678``, ``+84 912 345 678``, ``84912345678``.
    """
    raw = _PHONE_SEPARATORS.sub("", text or "")
    if not raw or len(raw) > 16:
        return None
    if raw.startswith("+84"):
        national = raw[3:]
    elif raw.startswith("84") and len(raw) in (11, 12):
        national = raw[2:]
    elif raw.startswith("0"):
        national = raw[1:]
    else:
        return None
    if not national.isascii() or not national.isdigit() or not 9 <= len(national) <= 10:
        return None
    if national.startswith("0"):
        return None
    return "+84" + national


def encrypt_phone(secret: str | bytes, e164: str) -> str:
    return fernet(secret).encrypt(e164.encode("ascii")).decode("ascii")


def decrypt_phone(secret: str | bytes, token: str) -> str | None:
    try:
        return fernet(secret).decrypt(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        return None


def phone_hmac(secret: str | bytes, e164: str) -> str:
    return hmac.new(_hkdf(secret, b"phone-hmac"), e164.encode("ascii"), hashlib.sha256).hexdigest()


def mask_phone(e164: str | None) -> str:
    """``+84912345678`` → ``09******78`` (national form, middle hidden)."""
    if not e164:
        return ""
    national = "0" + e164[3:] if e164.startswith("+84") else e164
    return national[:2] + "*" * (len(national) - 4) + national[-2:]
