"""The public, anonymous pages: the rating form at ``/r/TOKEN``, the short-code page,
the kiosk and the tracking page.

CSRF: these views are exempt from the global CSRFProtect. Flask-WTF's token is
tied to a session cookie, and a citizen scanning a poster has no session; the
form instead carries a server-signed, single-use nonce bound to this QR target
(consumed in the transaction of the insert), the session cookie is
SameSite=Lax, and no logged-in user's authority is involved. A forged
cross-site POST can do no more than a citizen can do by opening the page.

A form sent faster than the minimum fill time gets one confirmation step ("Send this
rating?") with a fresh nonce and a confirmation token bound to it; a bot repeating its blind
post never gets past it. A stored rating redirects (303) to a thank-you URL holding a sealed
reference to its tracking code, so reloading or translating that page sends nothing again.
Errors on these pages render citizen pages, never the staff portal's.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
import secrets
import threading
import time
from collections import OrderedDict

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.http import dump_cookie

from ..complaints import services as complaints
from ..database import begin_writing, is_sqlite, reads_before_writing
from ..extensions import csrf, db, limiter
from ..shared import qr, ratelimit
from ..shared.uploads import form_limits
from . import group_commit, held, receipts, retention, submission, tokens
from . import nonces as form_nonces
from . import screening as screens
from .forms import (
    ASPECT_LABELS,
    BAD_CHIPS,
    CHIP_LABELS,
    FACE_EMOJI,
    FACES,
    GOOD_CHIPS,
    SCALE_HIGH,
    SCALE_LOW,
    BadRequest,
    EraseForm,
    ShortCodeForm,
    TrackForm,
    parse_rating_form,
)
from .models import ASPECTS, Rating
from .receipts import ReceiptState

bp = Blueprint("rate", __name__, template_folder="templates")
log = logging.getLogger("portal.ratings")

DEVICE_COOKIE = "rdev"
FORM_LIMITS = {"max_content_length": 64 * 1024, "max_form_memory_size": 16 * 1024}
MAX_FORM_PARTS = 40
#: Vietnamese dates on every citizen page: dd/mm/yyyy, 24-hour time.
DATE_FORMAT = "dd/MM/yyyy"
DATETIME_FORMAT = "dd/MM/yyyy HH:mm"


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


#: Query arguments the language switch carries over (the looked-up code, the done notice).
KEPT_ARGS = ("code", "erased")


#: The form page of each rating endpoint (a POST's page in another language is its form).
FORM_PAGES = {
    "rate.rate": "rate.rate",
    "rate.submit": "rate.rate",
    "rate.kiosk": "rate.kiosk",
    "rate.kiosk_submit": "rate.kiosk",
}
KIOSK_ENDPOINTS = ("rate.kiosk", "rate.kiosk_submit")


def kiosk_start(token: str) -> str:
    """Where every kiosk page returns: the blank form, in Vietnamese for the next citizen."""
    return url_for("rate.kiosk", token=token, lang="vi")


def _language_url(code: str) -> str:
    """The same public page in language ``code``: the citizen keeps their place.

    The rating form and the kiosk keep only their token (their page is cached per token);
    a page answering a POST (the form with errors, the confirmation) goes back to its form.
    """
    endpoint = request.endpoint
    view_args = dict(request.view_args or {})
    if endpoint in FORM_PAGES:
        return url_for(FORM_PAGES[endpoint], **view_args, lang=code)
    if endpoint is None or endpoint == "rate.erase" or request.method not in ("GET", "HEAD"):
        return url_for("rate.track", lang=code)
    # Only the arguments a public page reads: never ``_external`` and the like of url_for.
    args = {k: request.args[k] for k in KEPT_ARGS if k in request.args and k not in view_args}
    return url_for(endpoint, **view_args, **args, lang=code)


# App-wide: other citizen pages (the privacy notice) share the public layout.
@bp.app_context_processor
def _public_helpers():
    return {
        "language_url": _language_url,
        "kiosk_start": kiosk_start,
        "DATETIME_FORMAT": DATETIME_FORMAT,
        "DATE_FORMAT": DATE_FORMAT,
    }


def _gone(token: str, *, kiosk: bool):
    """An old poster or kiosk link explains itself; a forged one gets the citizens' 404."""
    problem = (
        tokens.TokenProblem.UNKNOWN
        if token.startswith("r") and not kiosk
        else tokens.counter_token_problem(token, kiosk=kiosk)
    )
    if problem == tokens.TokenProblem.UNKNOWN:
        abort(404)
    html = render_template("ratings/replaced.html", problem=problem, kiosk=kiosk)
    response = current_app.make_response((html, 410))
    response.headers["Cache-Control"] = "no-store"
    abort(response)


def _resolve(token: str, *, kiosk: bool = False):
    """``(target, receipt_state)``; an explanation for old posters, 404 for anything forged."""
    submitting = request.method == "POST"
    if kiosk:
        target = tokens.resolve_counter_token(
            token, kiosk=True, with_officer=submitting, page=not submitting
        )
        state = ReceiptState.OK
    elif token.startswith("r"):
        target, state = receipts.resolve_receipt_token(token)
    else:
        target = tokens.resolve_counter_token(token, with_officer=submitting, page=not submitting)
        state = ReceiptState.OK
    if target is None:
        _gone(token, kiosk=kiosk)
    return target, state


#: Rendered blank forms, keyed by everything that appears on the page; the per-request
#: nonce is substituted for a per-process placeholder. Every key part comes from the
#: database row read in this request, so a renamed center or a revoked poster never
#: shows a stale page.
_FORM_CACHE: OrderedDict[tuple, str] = OrderedDict()
#: Least recently used pages leave first: a province's counters in both languages fit
#: (Phú Thọ: 521 counters, about 6 KiB a page, so at most ~25 MiB per worker at the cap).
_FORM_CACHE_MAX = 4096
_FORM_CACHE_LOCK = threading.Lock()
_NONCE_PLACEHOLDER = "nonce-" + secrets.token_hex(16)


def _labels() -> dict:
    # Lazy labels resolved once per page, not once per use in the loops.
    return {
        "faces": {k: str(v) for k, v in FACES.items()},
        "face_emoji": FACE_EMOJI,
        "aspects": ASPECTS,
        "aspect_labels": {k: str(v) for k, v in ASPECT_LABELS.items()},
        "good_chips": GOOD_CHIPS,
        "bad_chips": BAD_CHIPS,
        "chip_labels": {k: str(v) for k, v in CHIP_LABELS.items()},
        "scale_low": str(SCALE_LOW),
        "scale_high": str(SCALE_HIGH),
    }


def _action(target, *, kiosk: bool) -> str:
    return url_for("rate.kiosk" if kiosk else "rate.rate", token=target.token)


def _form_html(target, *, nonce: str, errors, values, kiosk: bool) -> str:
    def render(nonce_value: str) -> str:
        return render_template(
            "ratings/rate.html",
            target=target,
            nonce=nonce_value,
            errors=errors or {},
            values=values or MultiDict(),
            kiosk=kiosk,
            action=_action(target, kiosk=kiosk),
            comment_max=current_app.config["RATING_COMMENT_MAX"],
            **_labels(),
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
    with _FORM_CACHE_LOCK:
        html = _FORM_CACHE.get(key)
        if html is not None:
            _FORM_CACHE.move_to_end(key)
    if html is None:
        html = render(_NONCE_PLACEHOLDER)
        with _FORM_CACHE_LOCK:
            _FORM_CACHE[key] = html
            while len(_FORM_CACHE) > _FORM_CACHE_MAX:
                _FORM_CACHE.popitem(last=False)
    return html.replace(_NONCE_PLACEHOLDER, nonce)


def _no_store(html: str, status: int = 200):
    response = current_app.make_response((html, status))
    response.headers["Cache-Control"] = "no-store"
    return response


def _render_form(target, *, nonce: str, errors=None, values=None, kiosk=False, status=200):
    html = _form_html(target, nonce=nonce, errors=errors, values=values, kiosk=kiosk)
    response = _no_store(html, status)
    if not kiosk and DEVICE_COOKIE not in request.cookies:
        secure = bool(current_app.config["SESSION_COOKIE_SECURE"])
        response.headers.add(
            "Set-Cookie",
            _device_cookie_template(int(time.time()), secure).replace(
                _NONCE_PLACEHOLDER, secrets.token_urlsafe(16)
            ),
        )
    return response


@functools.lru_cache(maxsize=4)
def _device_cookie_template(second: int, secure: bool) -> str:
    """The device cookie's ``Set-Cookie`` value as werkzeug writes it, with a placeholder
    for the random value: built once a second (its Expires date) instead of per page.
    ``token_urlsafe`` values need no quoting, so the substitution is exact."""
    return dump_cookie(
        DEVICE_COOKIE,
        _NONCE_PLACEHOLDER,
        max_age=365 * 86400,
        expires=second + 365 * 86400,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


def _confirm(target, form, data, *, kiosk: bool):
    """ "Send this rating?": the answers again, with a fresh nonce (and so a fresh fill
    timer) that the confirmation token satisfies. Nothing is stored yet."""
    nonce = form_nonces.issue_nonce(target)
    html = render_template(
        "ratings/confirm.html",
        target=target,
        nonce=nonce,
        confirm=form_nonces.confirmation_token(nonce),
        data=data,
        values=form,
        kiosk=kiosk,
        action=_action(target, kiosk=kiosk),
        **_labels(),
    )
    return _no_store(html)


def _to_thanks(tracking_code: str, *, target, case: bool = False, held: bool = False):
    """Post/Redirect/Get: the thank-you page can be reloaded or translated safely."""
    reference = submission.thanks_reference(tracking_code, token=target.token, case=case, held=held)
    return redirect(url_for("rate.thanks", ref=reference), 303)


def _drop(reason: str, target):
    """A bot: the same response as a success, nothing stored, a log line without personal data."""
    log.warning(
        "rating dropped: reason=%s channel=%s center=%s", reason, target.channel, target.center.id
    )
    return _to_thanks(submission.new_tracking_code(), target=target)


def _handle(token: str, *, kiosk: bool):
    target, state = _resolve(token, kiosk=kiosk)
    if state != ReceiptState.OK:
        return (
            render_template("ratings/unavailable.html", state=state, target=target, kiosk=kiosk),
            410,
        )
    if request.method in ("GET", "HEAD"):
        return _render_form(target, nonce=form_nonces.issue_nonce(target), kiosk=kiosk)

    _set_form_limits()
    form = request.form
    nonces = form.getlist("nonce")
    if len(nonces) != 1:
        abort(400)
    check = form_nonces.check_nonce(nonces[0], target)
    if not check.valid:
        abort(400)
    try:
        parsed = parse_rating_form(form, comment_max=current_app.config["RATING_COMMENT_MAX"])
    except BadRequest:
        abort(400)
    if parsed.honeypot:
        return _drop("honeypot", target)
    if parsed.data is None:
        return _render_form(
            target, nonce=nonces[0], errors=parsed.errors, values=form, kiosk=kiosk, status=400
        )
    confirmed = form_nonces.check_confirmation(nonces[0], form.get("confirm"), check)
    if confirmed and form.get("edit"):
        return _render_form(target, nonce=nonces[0], values=form, kiosk=kiosk)
    if not confirmed and check.age_seconds < current_app.config["RATING_MIN_FILL_SECONDS"]:
        log.info(
            "rating held for confirmation: reason=too_fast channel=%s center=%s",
            target.channel,
            target.center.id,
        )
        return _confirm(target, form, parsed.data, kiosk=kiosk)
    # Everything so far only read (a deferred transaction on SQLite, which no writer
    # waits for); the write lock is taken here, for the nonce, the rating and its rollups.
    # PostgreSQL has no database-wide write lock: one transaction, no extra round trips.
    screening = screens.screen_rating(target)
    has_case = (
        complaints.case_source(
            score=parsed.data.score, comment=parsed.data.comment, explicit=parsed.data.complaint
        )
        is not None
    )
    try:
        if group_commit.enabled():
            # The writer thread stores it with others in one commit; this thread's read
            # transaction ends first, and the answer waits for that commit.
            item = submission.prepare_rating(
                target, parsed.data, nonce_key=check.key, screening=screening
            )
            db.session.rollback()
            tracking_code, held = group_commit.committer().run(
                lambda: _stored(submission.store_rating(item))
            )
        else:
            if is_sqlite(db.engine):
                begin_writing()
            rating = submission.submit_rating(
                target, parsed.data, nonce_key=check.key, screening=screening
            )
            tracking_code, held = _stored(rating)
            db.session.commit()
    except form_nonces.NonceUsed:
        db.session.rollback()
        return _unavailable("submitted", target, kiosk=kiosk)
    except receipts.ReceiptUsed:
        db.session.rollback()
        return _unavailable("used", target, kiosk=kiosk)
    return _to_thanks(tracking_code, target=target, case=has_case, held=held)


def _stored(rating) -> tuple[str, bool]:
    """What the thank-you page needs of a stored rating."""
    return rating.tracking_code, rating.is_pending_review


def _unavailable(state: str, target, *, kiosk: bool):
    html = render_template("ratings/unavailable.html", state=state, target=target, kiosk=kiosk)
    return _no_store(html, 409)


# The page (GET) and the submission (POST) of a form are two views on one URL: the page
# pays for no rate limit and reads no form; the submission has every check.


def _submission(view):
    """The decorators of both rating submission views (POST), written once, in their order."""
    limited = form_limits(**FORM_LIMITS, max_form_parts=MAX_FORM_PARTS, cleans_text=True)
    return reads_before_writing(csrf.exempt(limited(view)))


@bp.route("/r/<token>", methods=["GET"])
def rate(token: str):
    return _handle(token, kiosk=False)


@bp.route("/r/<token>", methods=["POST"], endpoint="submit")
@_submission
def submit(token: str):
    ratelimit.enforce([(_device_limit(), device_key()), (_network_limit(), network_key())])
    return _handle(token, kiosk=False)


@bp.route("/kiosk/<token>", methods=["GET"])
def kiosk(token: str):
    """A tablet at the center: no device limit (one device, many citizens); the page
    resets itself after each rating and after idle time (meta refresh, no JavaScript)."""
    return _handle(token, kiosk=True)


@bp.route("/kiosk/<token>", methods=["POST"], endpoint="kiosk_submit")
@_submission
def kiosk_submit(token: str):
    ratelimit.enforce([(_network_limit(), network_key())])
    return _handle(token, kiosk=True)


def _lookup_key() -> str:
    return f"lookup:{_network()}"


@bp.route("/r/", methods=["GET"])
@limiter.limit(lambda: current_app.config["RATING_LIMIT_LOOKUP"], key_func=_lookup_key)
def short_code():
    form = ShortCodeForm(request.args)
    error = None
    if request.args and form.validate():
        # A receipt's own code (single use, its length only) or a counter poster's code.
        receipt_code = receipts.is_receipt_short_code(form.code.data)
        if receipt_code:
            token, state = receipts.resolve_receipt_short_code(form.code.data)
            if token and state != ReceiptState.OK:
                target, _state = receipts.resolve_receipt_token(token)
                html = render_template(
                    "ratings/unavailable.html", state=state, target=target, kiosk=False
                )
                return _no_store(html, 410)
        else:
            token = tokens.resolve_short_code(form.code.data)
        if token:
            return redirect(url_for(".rate", token=token))
        replaced = not receipt_code and tokens.short_code_replaced(form.code.data)
        error = "replaced" if replaced else "invalid"
    return render_template("ratings/code.html", form=form, error=error), 404 if error else 200


@bp.route("/r/thanks/<ref>", methods=["GET"])
@limiter.limit(lambda: current_app.config["RATING_LIMIT_LOOKUP"], key_func=_lookup_key)
def thanks(ref: str):
    """The thank-you page after a rating (Post/Redirect/Get): reloading it or switching
    its language shows the same tracking code and sends nothing again."""
    reference = submission.read_thanks_reference(ref)
    if reference is None:
        abort(404)
    kiosk = reference.token.startswith("k")
    if reference.token.startswith("r"):
        target, _state = receipts.resolve_receipt_token(reference.token)
    else:
        target = tokens.resolve_counter_token(reference.token, kiosk=kiosk, with_officer=False)
    html = render_template(
        "ratings/thanks.html",
        tracking_code=reference.tracking_code,
        center_name=target.center.name if target is not None else "",
        kiosk_url=kiosk_start(reference.token) if kiosk else None,
        case=reference.case,
        held=reference.held,
        review_days=current_app.config["RATING_REVIEW_WORKING_DAYS"],
    )
    return _no_store(html)


@bp.route("/t/", methods=["GET"])
@limiter.limit(lambda: current_app.config["RATING_LIMIT_LOOKUP"], key_func=_lookup_key)
def track():
    form = TrackForm(request.args)
    rating = case = None
    review_due = ""
    searched = bool(form.code.data) and form.validate()
    if searched:
        rating = _rating_by_code(form.code.data)
        if rating is not None:
            case = complaints.case_for_rating(rating.id)
            if rating.is_pending_review:
                review_due = format_date(held.review_due(rating.day), DATE_FORMAT)
    html = render_template(
        "ratings/track.html",
        form=form,
        rating=rating,
        case=case,
        searched=searched,
        erased=request.args.get("erased") == "1",
        faces={k: str(v) for k, v in FACES.items()},
        due_on=format_date(case.due_on, DATE_FORMAT) if case is not None else "",
        review_due=review_due,
        review_days=current_app.config["RATING_REVIEW_WORKING_DAYS"],
    )
    return _no_store(html)


def _rating_by_code(text: str) -> Rating | None:
    code = qr.normalise_short_code(text)
    return db.session.scalar(
        db.select(Rating)
        .options(orm.joinedload(Rating.center), orm.joinedload(Rating.counter))
        .where(Rating.tracking_code == code)
    )


@bp.route("/t/erase/confirm", methods=["GET"])
@limiter.limit(lambda: current_app.config["RATING_LIMIT_LOOKUP"], key_func=_lookup_key)
def erase_confirm():
    """ "Delete my phone number and comment?": the step before :func:`erase` (no JavaScript)."""
    form = TrackForm(request.args)
    rating = _rating_by_code(form.code.data) if form.code.data and form.validate() else None
    if rating is None:
        abort(404)
    if not (rating.phone_encrypted or rating.comment):
        return redirect(url_for(".track", code=rating.tracking_code))
    html = render_template(
        "ratings/erase_confirm.html", rating=rating, erase_form=EraseForm(code=rating.tracking_code)
    )
    return _no_store(html)


@bp.route("/t/erase", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATING_LIMIT_LOOKUP"], key_func=_lookup_key)
def erase():
    """The citizen deletes the phone number and comment of their rating (CSRF-protected:
    the tracking page is a normal page with a session)."""
    form = EraseForm()
    if not form.validate_on_submit():
        abort(400)
    code = qr.normalise_short_code(form.code.data)
    rating = _rating_by_code(code)
    if rating is None:
        abort(404)
    retention.erase_personal_data(rating)
    db.session.commit()
    return redirect(url_for(".track", code=code, erased="1"))


# Errors: a citizen's page never leads into the staff portal ------------------------------------

_ERRORS = {
    400: (
        _l("This form can no longer be sent"),
        _l("It may have been open too long or sent twice. Please open the rating page again."),
    ),
    404: (
        _l("We could not find this page"),
        _l(
            "This QR code or link is not valid. Check that the whole code was scanned, or type "
            "the short code printed under the QR code on the poster."
        ),
    ),
    413: (_l("Too long"), _l("What you sent is too long. Please shorten the comment.")),
    429: (
        _l("Too many attempts"),
        _l("Too many ratings in a short time from here. Please wait a little and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error happened. It has been recorded; please try again later."),
    ),
}


def public_error(error: HTTPException):
    code = error.code or 500
    if code >= 500:
        db.session.rollback()
    title, message = _ERRORS.get(code, _ERRORS[400])
    # A kiosk page always offers its start (no database read here: it may be what failed);
    # a 404 on the kiosk means its link is not genuine, so there is no start to go back to.
    token = (request.view_args or {}).get("token", "")
    kiosk = request.endpoint in KIOSK_ENDPOINTS
    kiosk_url = kiosk_start(token) if kiosk and code != 404 else None
    html = render_template(
        "ratings/error.html", code=code, title=title, message=message, kiosk_url=kiosk_url
    )
    response = _no_store(html, code)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:  # a refused rating: when the phone may try again
        response.headers["Retry-After"] = str(retry_after)
    return response


for _code in _ERRORS:
    bp.register_error_handler(_code, public_error)
