"""Client fingerprints: keyed hashes of a client's network and device cookie, kept with
a receipt its issuer printed and compared with the network and browser of its rating."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from flask import current_app, has_request_context, request

from ..shared import qr
from .tokens import secret

#: The rating pages' device cookie (``public.DEVICE_COOKIE``): a random id per browser.
DEVICE_COOKIE = "rdev"


@dataclass(frozen=True)
class Fingerprint:
    """Keyed hashes of a client's network (/24, /64) and device cookie: comparable, but
    neither the address nor the cookie can be read back from them."""

    network: str | None = None
    device: str | None = None


def _keyed(value: str) -> str:
    return hmac.new(qr.derive_key(secret(), "fingerprint"), value.encode(), "sha256").hexdigest()[
        :32
    ]


def client_fingerprint(device_cookie: str | None = None) -> Fingerprint:
    """The current request's fingerprint (empty outside a request). ``device_cookie``
    overrides the cookie sent (a staff browser that gets its cookie with this response)."""
    if not has_request_context():
        return Fingerprint()
    from ..shared.netkeys import client_network

    device = device_cookie or request.cookies.get(DEVICE_COOKIE)
    return Fingerprint(
        network=_keyed("net:" + client_network()),
        device=_keyed("dev:" + device) if device and len(device) <= 64 else None,
    )


def set_device_cookie(response, device: str) -> None:
    """Give a browser the rating pages' device cookie (a random id, nothing else)."""
    response.set_cookie(
        DEVICE_COOKIE,
        device,
        max_age=365 * 86400,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
