"""The public, anonymous pages: the rating form at ``/r/TOKEN``, the short-code page,
the kiosk and the tracking page.

CSRF: these views are exempt from the global CSRFProtect. Flask-WTF's token is
tied to a session cookie, and a citizen scanning a poster has no session; the
form instead carries a server-signed, single-use nonce bound to this QR target
(consumed in the transaction of the insert), the session cookie is
SameSite=Lax, and no logged-in user's authority is involved. A forged
cross-site POST can do no more than a citizen can do by opening the page.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from werkzeug.datastructures import MultiDict

from ..complaints.models import Case
from ..extensions import csrf, db, limiter
from ..shared import qr
from ..shared.uploads import form_limits
from . import services
from .forms import (
    ASPECT_LABELS,
    BAD_CHIPS,
    CHIP_LABELS,
    FACE_EMOJI,
    FACES,
    GOOD_CHIPS,
    BadRequest,
    EraseForm,
    ShortCodeForm,
    TrackForm,
    parse_rating_form,
)
from .models import ASPECTS, Rating
from .services import ReceiptState

bp = Blueprint("rate", __name__, template_folder="templates")
log = logging.getLogger("portal.ratings")

DEVICE_COOKIE = "rdev"
FORM_LIMITS = {"max_content_length": 64 * 1024, "max_form_memory_size": 16 * 1024}
MAX_FORM_PARTS = 40


# Rate-limit keys: never the IP alone -------------------------------------------------------


def _network() -> str:
    """The client's /24 (IPv4) or /64 (IPv6). ``remote_addr`` is set by ProxyFix only when
    ``PROXY_FIX_X_FOR`` trusts a proxy, so a forged X-Forwarded-For changes nothing."""
    addr = request.remote_addr or "0.0.0.0"  # noqa: S104 - a key, not a bind address
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return addr
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _target_key() -> str:
    # Kind and first value of the token (counter or receipt id), without a database read.
    token = (request.view_args or {}).get("token", "")
    head = token.split(".", 1)[0][:24]
    return head


def device_key() -> str:
    device = request.cookies.get(DEVICE_COOKIE, "")
    if not device or len(device) > 64:
        agent = request.headers.get("User-Agent", "")[:200]
        device = "ip:" + hashlib.sha256(f"{request.remote_addr}|{agent}".encode()).hexdigest()[:24]
    return f"rate-dev:{_target_key()}:{device}"


def network_key() -> str:
    return f"rate-net:{_target_key()}:{_network()}"


def _device_limit() -> str:
    return current_app.config["RATING_LIMIT_DEVICE"]


def _network_limit() -> str:
    return current_app.config["RATING_LIMIT_NETWORK"]


def _set_form_limits() -> None:
    request.max_content_length = FORM_LIMITS["max_content_length"]
    request.max_form_memory_size = FORM_LIMITS["max_form_memory_size"]
    request.max_form_parts = MAX_FORM_PARTS


# Pages -------------------------------------------------------------------------------------


def _resolve(token: str, *, kiosk: bool = False):
    """``(target, receipt_state)``; 404 for anything forged, revoked or unknown."""
    submitting = request.method == "POST"
    if kiosk:
        target = services.resolve_counter_token(token, kiosk=True, with_officer=submitting)
        state = ReceiptState.OK
    elif token.startswith("r"):
        target, state = services.resolve_receipt_token(token)
    else:
        target = services.resolve_counter_token(token, with_officer=submitting)
        state = ReceiptState.OK
    if target is None:
        abort(404)
    return target, state


#: Rendered blank forms, keyed by everything that appears on the page; the per-request
#: nonce is substituted for a per-process placeholder. Every key part comes from the
#: database row read in this request, so a renamed center or a revoked poster never
#: shows a stale page.
_FORM_CACHE: dict[tuple, str] = {}
_FORM_CACHE_MAX = 1024
_NONCE_PLACEHOLDER = "nonce-" + secrets.token_hex(16)


def _form_html(target, *, nonce: str, errors, values, kiosk: bool) -> str:
    def render(nonce_value: str) -> str:
        return render_template(
            "ratings/rate.html",
            target=target,
            nonce=nonce_value,
            errors=errors or {},
            values=values or MultiDict(),
            # Lazy labels resolved once per page, not once per use in the loops.
            faces={k: str(v) for k, v in FACES.items()},
            face_emoji=FACE_EMOJI,
            aspects=ASPECTS,
            aspect_labels={k: str(v) for k, v in ASPECT_LABELS.items()},
            good_chips=GOOD_CHIPS,
            bad_chips=BAD_CHIPS,
            chip_labels={k: str(v) for k, v in CHIP_LABELS.items()},
            kiosk=kiosk,
            action=url_for("rate.kiosk" if kiosk else "rate.rate", token=target.token),
            comment_max=current_app.config["RATING_COMMENT_MAX"],
        )

    if errors or values:
        return render(nonce)
    key = (
        target.token,
        kiosk,
        str(get_locale()),
        target.center.name,
        target.counter.number if target.counter else None,
        target.counter.field if target.counter else None,
        current_app.config["RATING_COMMENT_MAX"],
        request.script_root,
    )
    html = _FORM_CACHE.get(key)
    if html is None:
        html = render(_NONCE_PLACEHOLDER)
        if len(_FORM_CACHE) >= _FORM_CACHE_MAX:
            _FORM_CACHE.clear()
        _FORM_CACHE[key] = html
    return html.replace(_NONCE_PLACEHOLDER, nonce)


def _render_form(target, *, nonce: str, errors=None, values=None, kiosk=False, status=200):
    html = _form_html(target, nonce=nonce, errors=errors, values=values, kiosk=kiosk)
    response = current_app.make_response((html, status))
    response.headers["Cache-Control"] = "no-store"
    if not kiosk and DEVICE_COOKIE not in request.cookies:
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(16),
            max_age=365 * 86400,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


_TRACKING_PLACEHOLDER = "TRACK" + secrets.token_hex(8).upper()


def _thanks(tracking_code: str, *, target, kiosk: bool, case: bool = False):
    # Same idea as the form cache: the page differs between citizens only by the code.
    key = ("thanks", target.token, kiosk, case, str(get_locale()), target.center.name)
    html = _FORM_CACHE.get(key)
    if html is None:
        html = render_template(
            "ratings/thanks.html",
            tracking_code=_TRACKING_PLACEHOLDER,
            target=target,
            kiosk=kiosk,
            case=case,
        )
        if len(_FORM_CACHE) >= _FORM_CACHE_MAX:
            _FORM_CACHE.clear()
        _FORM_CACHE[key] = html
    response = current_app.make_response(html.replace(_TRACKING_PLACEHOLDER, tracking_code))
    response.headers["Cache-Control"] = "no-store"
    return response


def _drop(reason: str, target, *, kiosk: bool):
    """A bot: the same response as a success, nothing stored, a log line without personal data."""
    log.warning(
        "rating dropped: reason=%s channel=%s center=%s", reason, target.channel, target.center.id
    )
    return _thanks(services.new_tracking_code(), target=target, kiosk=kiosk)


def _handle(token: str, *, kiosk: bool):
    target, state = _resolve(token, kiosk=kiosk)
    if state != ReceiptState.OK:
        return (
            render_template("ratings/unavailable.html", state=state, target=target),
            410,
        )
    if request.method in ("GET", "HEAD"):
        return _render_form(target, nonce=services.issue_nonce(target), kiosk=kiosk)

    _set_form_limits()
    form = request.form
    nonces = form.getlist("nonce")
    if len(nonces) != 1:
        abort(400)
    check = services.check_nonce(nonces[0], target)
    if not check.valid:
        abort(400)
    try:
        parsed = parse_rating_form(form, comment_max=current_app.config["RATING_COMMENT_MAX"])
    except BadRequest:
        abort(400)
    if parsed.honeypot:
        return _drop("honeypot", target, kiosk=kiosk)
    if check.age_seconds < current_app.config["RATING_MIN_FILL_SECONDS"]:
        return _drop("too_fast", target, kiosk=kiosk)
    if parsed.data is None:
        return _render_form(
            target, nonce=nonces[0], errors=parsed.errors, values=form, kiosk=kiosk, status=400
        )
    try:
        rating = services.submit_rating(target, parsed.data, nonce_key=check.key)
    except services.NonceUsed:
        db.session.rollback()
        return render_template("ratings/unavailable.html", state="submitted", target=target), 409
    except services.ReceiptUsed:
        db.session.rollback()
        return render_template("ratings/unavailable.html", state="used", target=target), 409
    has_case = rating.opened_case is not None
    tracking_code = rating.tracking_code
    db.session.commit()
    return _thanks(tracking_code, target=target, kiosk=kiosk, case=has_case)


@bp.route("/r/<token>", methods=["GET", "POST"])
@csrf.exempt
@form_limits(**FORM_LIMITS, max_form_parts=MAX_FORM_PARTS, cleans_text=True)
@limiter.limit(_device_limit, key_func=device_key, methods=["POST"])
@limiter.limit(_network_limit, key_func=network_key, methods=["POST"])
def rate(token: str):
    return _handle(token, kiosk=False)


@bp.route("/kiosk/<token>", methods=["GET", "POST"])
@csrf.exempt
@form_limits(**FORM_LIMITS, max_form_parts=MAX_FORM_PARTS, cleans_text=True)
@limiter.limit(_network_limit, key_func=network_key, methods=["POST"])
def kiosk(token: str):
    """A tablet at the center: no device limit (one device, many citizens); the page
    resets itself after each rating and after idle time (meta refresh, no JavaScript)."""
    return _handle(token, kiosk=True)


def _lookup_key() -> str:
    return f"lookup:{_network()}"


@bp.route("/r/", methods=["GET"])
@limiter.limit(lambda: current_app.config["RATING_LIMIT_LOOKUP"], key_func=_lookup_key)
def short_code():
    form = ShortCodeForm(request.args)
    error = None
    if request.args and form.validate():
        token = services.resolve_short_code(form.code.data)
        if token:
            return redirect(url_for(".rate", token=token))
        error = True
    return render_template("ratings/code.html", form=form, error=error), 404 if error else 200


@bp.route("/t/", methods=["GET"])
@limiter.limit(lambda: current_app.config["RATING_LIMIT_LOOKUP"], key_func=_lookup_key)
def track():
    form = TrackForm(request.args)
    rating = case = None
    searched = bool(form.code.data) and form.validate()
    if searched:
        code = qr.normalise_short_code(form.code.data)
        rating = db.session.scalar(db.select(Rating).where(Rating.tracking_code == code))
        if rating is not None:
            case = db.session.scalar(db.select(Case).where(Case.rating_id == rating.id))
    erase_form = EraseForm(code=rating.tracking_code) if rating is not None else None
    response = current_app.make_response(
        render_template(
            "ratings/track.html",
            form=form,
            rating=rating,
            case=case,
            searched=searched,
            erase_form=erase_form,
            erased=request.args.get("erased") == "1",
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/t/erase", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATING_LIMIT_LOOKUP"], key_func=_lookup_key)
def erase():
    """The citizen deletes the phone number and comment of their rating (CSRF-protected:
    the tracking page is a normal page with a session)."""
    form = EraseForm()
    if not form.validate_on_submit():
        abort(400)
    code = qr.normalise_short_code(form.code.data)
    rating = db.session.scalar(db.select(Rating).where(Rating.tracking_code == code))
    if rating is None:
        abort(404)
    services.erase_personal_data(rating)
    db.session.commit()
    return redirect(url_for(".track", code=code, erased="1"))
