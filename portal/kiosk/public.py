"""The tablet's pages: the one-time enrolment, the installable rating app, its service
worker and manifest, and the sync endpoint.

The app page holds nothing secret (the tablet's key lives in its browser's IndexedDB, as
a non-extractable WebCrypto key): it is cached by the service worker on enrolment and
shown with the network down. Without JavaScript or a service worker the counter's
online kiosk (``/kiosk/<token>``, :mod:`portal.ratings.public`) works as before.

CSRF: ``POST /kiosk/sync`` is exempt from the global CSRFProtect. It carries no cookie
(the tablet sends it with ``credentials: "omit"``) and acts on no session's authority:
every rating in it is authenticated by its own HMAC signature under the tablet's key,
and the batch by a signature over its device, time and pending count. It is rate-limited
per tablet and network. The enrolment POST is a normal CSRF-checked form.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)

from ..extensions import csrf, db
from ..ratings import services as ratings
from ..ratings.forms import FACE_EMOJI, FACES
from ..shared import ratelimit
from . import services
from .forms import ConfirmForm
from .models import KioskDevice

bp = Blueprint("kiosk_app", __name__, template_folder="templates")
log = logging.getLogger("portal.kiosk")

#: A batch of KIOSK_BATCH_MAX ratings with 1,000-character comments fits.
SYNC_MAX_BYTES = 512 * 1024


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(template: str, status: int = 200, **context):
    return _no_store(current_app.make_response((render_template(template, **context), status)))


# Enrolment ---------------------------------------------------------------------------------


@bp.route("/kiosk/enrol/<token>", methods=["GET", "POST"])
def enrol(token: str):
    """GET shows the counter and a button (a link preview must not use the link); its
    POST enrols this browser: the page hands the key to the app's script, once."""
    enrolment = services.open_enrolment(token)
    if enrolment is None:
        return _page("kiosk/enrol_invalid.html", 410)
    form = ConfirmForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _page("kiosk/enrol.html", enrolment=enrolment, form=form)
    redeemed = services.redeem_enrolment(token)
    if redeemed is None:
        db.session.rollback()
        return _page("kiosk/enrol_invalid.html", 410)
    device, key = redeemed
    db.session.commit()
    return _page(
        "kiosk/enrolled.html",
        device=device,
        key=services.key_text(key),
        app_url=url_for(".app", device_id=device.id, lang="vi"),
        cached=json.dumps(_cached_urls(device)),
        online_url=_online_kiosk_url(device),
    )


def _online_kiosk_url(device: KioskDevice) -> str:
    """The counter's online kiosk (no JavaScript needed)."""
    return url_for("rate.kiosk", token=ratings.counter_token(device.counter, kiosk=True))


def _cached_urls(device: KioskDevice) -> list[str]:
    """What the service worker keeps for the app to open with the network down."""
    return [
        *(url_for(".app", device_id=device.id, lang=code) for code in ("vi", "en")),
        url_for(".manifest", device_id=device.id),
        url_for("static", filename="css/rate.css"),
        url_for("static", filename="css/kiosk.css"),
        url_for("static", filename="js/kiosk-app.js"),
        url_for("static", filename="img/kiosk-icon.svg"),
    ]


# The app -----------------------------------------------------------------------------------


def _device_or_404(device_id: int) -> KioskDevice:
    device = db.session.get(KioskDevice, device_id)
    if device is None:
        abort(404)
    return device


@bp.route("/kiosk/app/<int:device_id>")
def app(device_id: int):
    """The rating app of one tablet: five faces, an optional comment, thanks, back to start.
    Everything it shows is in this page (both languages are cached on enrolment)."""
    device = _device_or_404(device_id)
    if device.is_revoked:
        return _page("kiosk/enrol_invalid.html", 410, revoked=True)
    response = current_app.make_response(
        render_template(
            "kiosk/app.html",
            device=device,
            faces={k: str(v) for k, v in FACES.items()},
            face_emoji=FACE_EMOJI,
            config=current_app.config,
            cached=json.dumps(_cached_urls(device)),
            online_url=_online_kiosk_url(device),
        )
    )
    # Revalidated on every load when online; the service worker answers offline.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/kiosk/app/<int:device_id>/manifest.webmanifest")
def manifest(device_id: int):
    """The installable app's manifest (start page, full screen, icon)."""
    device = _device_or_404(device_id)
    name = f"Đánh giá · Quầy {device.counter.number}"  # the tablet starts in Vietnamese
    body = {
        "name": name,
        "short_name": name,
        "lang": "vi",
        "start_url": url_for(".app", device_id=device.id, lang="vi"),
        "scope": url_for(".app", device_id=device.id).rsplit("/", 1)[0] + "/",
        "display": "fullscreen",
        "orientation": "any",
        "background_color": "#f6f7f9",
        "theme_color": "#b3261e",
        "icons": [
            {
                "src": url_for("static", filename="img/kiosk-icon.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
                "purpose": "any",
            }
        ],
    }
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json"
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/kiosk/sw.js")
def service_worker():
    """The service worker, served from ``/kiosk/`` so that it may control the app pages."""
    path = Path(current_app.static_folder) / "js" / "kiosk-sw.js"
    response = current_app.response_class(path.read_bytes(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


# Sync --------------------------------------------------------------------------------------


def _network() -> str:
    addr = request.remote_addr or "0.0.0.0"  # noqa: S104 - a key, not a bind address
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return addr
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _refusal(status: int, code: str, items=()):
    body = {"error": code}
    if status == 403:  # revoked: every item is refused, the tablet stops sending
        body["items"] = [
            {"id": i.get("id"), "status": "refused", "reason": code}
            for i in items
            if isinstance(i, dict) and isinstance(i.get("id"), str)
        ]
    response = jsonify(body)
    response.status_code = status
    return _no_store(response)


@bp.route("/kiosk/sync", methods=["POST"])
@csrf.exempt
def sync():
    """Store a tablet's batch of signed ratings once each; answer per item."""
    request.max_content_length = SYNC_MAX_BYTES
    payload = request.get_json(silent=True)
    device_key = payload.get("device") if isinstance(payload, dict) else None
    ratelimit.enforce(
        [
            (current_app.config["KIOSK_SYNC_LIMIT"], f"kiosk-sync:{device_key}:{_network()}"),
            (current_app.config["RATING_LIMIT_NETWORK"], f"kiosk-sync-net:{_network()}"),
        ]
    )
    try:
        result = services.sync_batch(payload)
    except services.SyncRefused as refused:
        if refused.status == 403:
            db.session.commit()  # the refusal is audited
        else:
            db.session.rollback()
        log.warning("kiosk sync refused: reason=%s device=%s", refused.code, device_key)
        items = payload.get("items") if isinstance(payload, dict) else None
        return _refusal(refused.status, refused.code, items if isinstance(items, list) else ())
    db.session.commit()
    return _no_store(
        jsonify({"device": result.device.id, "items": [i.as_json() for i in result.items]})
    )
