"""JSON API under ``/api/v1`` (PRODUCT.md "Contracts"), described at ``/api/v1/openapi.json``.

Read endpoints are public aggregates (center-level only; officers never appear).
``POST /receipts`` needs an API key (``Authorization: Bearer KEY``); the blueprint is
exempt from CSRF because it uses no cookies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import OrderedDict

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, request, url_for

from ..centers.models import Center, Counter, Officer
from ..extensions import csrf, db, limiter
from ..rankings import services as score_services
from ..ratings import services as rating_services
from ..ratings.models import DossierOutcome, RollupScope
from ..shared import qr
from ..shared.timeutils import now_utc, parse_period, today_local
from ..shared.uploads import form_limits
from ..shared.validation import parse_id
from ..statistics import importers as stat_importers
from ..statistics import services as stat_services
from .models import ApiKey, hash_key
from .openapi import OPENAPI

bp = Blueprint("api", __name__, url_prefix="/api/v1")
#: A receipt request is a few hundred bytes; anything much larger is refused with 413.
MAX_BODY_BYTES = 64 * 1024
csrf.exempt(bp)


def _error(code: int, message: str):
    return jsonify({"error": {"code": code, "message": message}}), code


@bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)


@bp.get("/centers")
def centers():
    rows = db.session.execute(
        sa.select(
            Center.code, Center.name, Center.level, Center.province_code, Center.province_name
        ).order_by(Center.code)
    ).all()
    return jsonify(
        {
            "centers": [
                {
                    "code": r.code,
                    "name": r.name,
                    "level": r.level,
                    "province_code": r.province_code,
                    "province_name": r.province_name,
                }
                for r in rows
            ]
        }
    )


@bp.get("/centers/<code>/satisfaction")
def center_satisfaction(code: str):
    center = db.session.scalar(sa.select(Center).where(Center.code == code))
    if center is None:
        return _error(404, "no such center")
    try:
        start, end = parse_period(request.args)
    except ValueError:
        return _error(400, "from and to must be ISO dates (YYYY-MM-DD), from <= to")
    s = score_services.satisfaction_figures(RollupScope.CENTER, [center.id], start, end)[center.id]
    counts = s.counts
    return jsonify(
        {
            "center": center.code,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "n_ratings": s.n,
            "counts": {str(score): counts[score - 1] for score in range(1, 6)},
            "csat": s.csat,
            "csat_wilson_lower": s.wilson_lower,
            "satisfaction_index": s.index,
        }
    )


def _api_key() -> ApiKey | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    key = header[len("Bearer ") :].strip()
    if not key or len(key) > 200:
        return None
    row = db.session.scalar(sa.select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
    if row is None or not row.is_active or not hmac.compare_digest(row.key_hash, hash_key(key)):
        return None
    return row


def _api_rate_key() -> str:
    header = request.headers.get("Authorization", "")
    return "api:" + hash_key(header)[:24]


def _json_body():
    """The parsed JSON body, or ``None`` if it is not JSON. Beyond :data:`MAX_BODY_BYTES`
    reading it raises 413; nesting deeper than Python's recursion limit is not JSON here."""
    raw = request.get_data(cache=True)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


@bp.post("/receipts")
@form_limits(
    max_content_length=MAX_BODY_BYTES, max_form_memory_size=MAX_BODY_BYTES, max_form_parts=20
)
@limiter.limit("600 per minute", key_func=_api_rate_key)
def receipts():
    key = _api_key()
    if key is None:
        return _error(401, "a valid API key is required (Authorization: Bearer KEY)")
    body = _json_body()
    if not isinstance(body, dict):
        return _error(400, "the body must be a JSON object")
    center_code = body.get("center")
    dossier = body.get("dossier_code")
    outcome = body.get("outcome", DossierOutcome.COMPLETED.value)
    if not isinstance(center_code, str) or not isinstance(dossier, str):
        return _error(400, "center and dossier_code are required strings")
    if "\x00" in center_code or "\x00" in dossier:
        return _error(400, "strings must not contain NUL characters")
    dossier = dossier.strip()
    if not dossier or len(dossier) > 64:
        return _error(400, "dossier_code must have 1 to 64 characters")
    if not isinstance(outcome, str) or outcome not in {o.value for o in DossierOutcome}:
        return _error(400, "outcome must be completed, refused or returned")
    center = db.session.scalar(sa.select(Center).where(Center.code == center_code))
    if center is None or (
        key.province_code is not None and center.province_code != key.province_code
    ):
        return _error(404, "no such center for this key")
    counter = officer = None
    if body.get("counter") is not None:
        number = body["counter"]
        if not isinstance(number, int) or isinstance(number, bool):
            return _error(400, "counter must be the counter number (integer)")
        if parse_id(number) is None:
            return _error(422, "counter must be between 1 and 2147483647")
        counter = db.session.scalar(
            sa.select(Counter).where(Counter.center_id == center.id, Counter.number == number)
        )
        if counter is None:
            return _error(404, "no such counter at this center")
    if body.get("officer") is not None:
        officer_id = body["officer"]
        if not isinstance(officer_id, int) or isinstance(officer_id, bool):
            return _error(400, "officer must be the officer id (integer)")
        if parse_id(officer_id) is None:
            return _error(422, "officer must be between 1 and 2147483647")
        officer = db.session.get(Officer, officer_id)
        if officer is None or officer.center_id != center.id:
            return _error(404, "no such officer at this center")
    try:
        base = rating_services.public_base_url()
    except rating_services.PublicUrlMissing:
        return _error(503, "PUBLIC_BASE_URL is not configured: no receipt link can be issued")
    receipt = rating_services.issue_receipt(
        center,
        dossier_code=dossier,
        outcome=outcome,
        counter=counter,
        officer=officer,
        api_key=key,
    )
    key.last_used_at = now_utc()
    # The receipt's link and short code exist only in this answer: the portal keeps a
    # hash of their secret, and never shows them to staff.
    token = rating_services.receipt_token(receipt)
    short_code = rating_services.receipt_short_code(receipt)
    url = base + url_for("rate.rate", token=token)
    expires_at = receipt.expires_at.isoformat() + "Z"
    receipt_id = receipt.id
    db.session.commit()
    return (
        jsonify(
            {
                "id": receipt_id,
                "url": url,
                "short_code": short_code,
                "expires_at": expires_at,
                "qr_svg": qr.qr_svg(url),
            }
        ),
        201,
    )


@bp.errorhandler(405)
def _method_not_allowed(_error_):
    return _error(405, "method not allowed")


# Published scores and rankings (only published periods; read from rankings.services) -------


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def _period_record(period, revision=None) -> dict:
    status = score_services.period_status(period, revision)
    state = "final" if status.final else "provisional"
    return {
        "code": period.code,
        "name": period.name,
        "opens_on": period.opens_on.isoformat(),
        "closes_on": period.closes_on.isoformat(),
        "published_on": _iso(status.published_on),
        "state": state,
        "status": state,
        "final_on": _iso(status.final_on),
        "revision": status.revision,
        "revised_on": _iso(status.revised_on),
        "revision_reason": status.reason,
        "cut_off": _iso(status.cut_off),
        "latest": status.latest,
    }


RANKING_FIELDS = (
    "code",
    "name",
    "compliance_self",
    "compliance_verified",
    "satisfaction_index",
    "satisfaction_adjusted",
    "csat",
    "csat_wilson_lower",
    "n_ratings",
    "quality",
    "class",
    "rank",
    "satisfaction_rank",
    "standardized",
    "state",
    "under_appeal",
)


@bp.get("/periods")
def periods():
    return jsonify({"periods": [_period_record(p) for p in score_services.published_periods()]})


def _rankings_etag(period, revision) -> str:
    """An entity tag over everything ``/rankings`` shows: the published figures (the
    ranking's own version: recomputes, publication, finality), the period's fields and
    the centers' codes and names (a rename changes the answer without a recompute).
    The answer has no translated text, so the language does not enter.

    The centers enter by their number and latest change (``updated_at`` moves with every
    change of a center, through the ORM or a Core ``UPDATE``): one aggregate instead of
    reading and hashing every listed center's code and name on each request (3,355 rows
    for the country). A change to a center that is not listed changes the tag too, which
    costs a client one full answer, never a stale one."""
    digest = hashlib.sha256(score_services.ranking_version(period, revision).encode())
    digest.update(json.dumps(_period_record(period, revision), sort_keys=True).encode())
    count, latest = db.session.execute(
        sa.select(sa.func.count(Center.id), sa.func.max(Center.updated_at))
    ).one()
    digest.update(f"\x00{count}\x1f{latest}".encode())
    return digest.hexdigest()[:32]


#: Serialized answers of ``/rankings`` by entity tag, per application (``app.extensions``):
#: the tag covers everything the answer shows, so an answer is read and serialized once per
#: revision (3,355 centers: most of the request), then copied. Least recently used first out.
_RANKINGS_BODIES_MAX = 16
_RANKINGS_LOCK = threading.Lock()


def _rankings_body(period, revision, version: str) -> bytes:
    bodies: OrderedDict[str, bytes] = current_app.extensions.setdefault(
        "api_rankings_bodies", OrderedDict()
    )
    with _RANKINGS_LOCK:
        body = bodies.get(version)
        if body is not None:
            bodies.move_to_end(version)
            return body
    rows = score_services.ranking_records(period, revision)
    body = jsonify(
        {
            "period": _period_record(period, revision),
            "centers": [{k: r[k] for k in RANKING_FIELDS} for r in rows],
        }
    ).get_data()
    with _RANKINGS_LOCK:
        bodies[version] = body
        while len(bodies) > _RANKINGS_BODIES_MAX:
            bodies.popitem(last=False)
    return body


@bp.get("/rankings")
def rankings():
    code = request.args.get("period") or None
    period = score_services.published_period(code)
    if period is None:
        return _error(404, "no published period with this code")
    number = request.args.get("revision") or None
    if number is None:
        revision = score_services.latest_revision(period)
    elif not number.isdigit() or len(number) > 6:
        return _error(400, "revision must be a revision number")
    else:
        revision = score_services.revision_number(period, int(number))
    if revision is None:
        return _error(404, "no such revision of this period")
    # A client (or a cache) that has this version gets 304 without the ranking being read
    # and serialised again. If-None-Match compares weakly (RFC 9110 §13.1.2): a cache may
    # hand back W/"…", a list of tags or "*".
    version = _rankings_etag(period, revision)
    if request.if_none_match.contains_weak(version):
        response = Response(status=304)
    else:
        response = current_app.response_class(
            _rankings_body(period, revision, version), mimetype=current_app.json.mimetype
        )
    response.set_etag(version)
    response.headers["Cache-Control"] = "public, no-cache"
    return response


@bp.get("/centers/<code>/scores")
def center_scores(code: str):
    center = db.session.scalar(sa.select(Center).where(Center.code == code))
    if center is None:
        return _error(404, "no such center")
    out = []
    for period, snapshot in score_services.class_history(center):
        record = score_services.snapshot_record(snapshot)
        out.append(
            {
                "period": _period_record(period),
                **{k: record[k] for k in RANKING_FIELDS if k not in ("code", "name")},
                "areas": {
                    area: {"self": pair[0], "verified": pair[1]}
                    for area, pair in snapshot.areas.items()
                },
            }
        )
    return jsonify({"center": center.code, "name": center.name, "scores": out})


#: One month of a province's counters fits easily; more is refused with 400.
MAX_STAT_ROWS = 2000
STAT_FIELDS = ("center", "counter", "month", "received", "on_time", "late", "returned", "online")


@bp.post("/dossier-stats")
@form_limits(
    max_content_length=4 * MAX_BODY_BYTES,
    max_form_memory_size=4 * MAX_BODY_BYTES,
    max_form_parts=20,
)
@limiter.limit("60 per minute", key_func=_api_rate_key)
def dossier_stats():
    """Replace months of dossier statistics (validated as the CSV import; all or nothing)."""
    key = _api_key()
    if key is None:
        return _error(401, "a valid API key is required (Authorization: Bearer KEY)")
    body = _json_body()
    rows = body.get("rows") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not rows or len(rows) > MAX_STAT_ROWS:
        return _error(400, f"rows must be a list of 1 to {MAX_STAT_ROWS} objects")
    records = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            return _error(400, f"row {i} must be an object")
        record: dict = {"line": i}
        for name in STAT_FIELDS:
            value = row.get(name)
            if isinstance(value, bool) or not isinstance(value, str | int | type(None)):
                return _error(400, f"row {i}: {name} must be a string or an integer")
            if isinstance(value, str) and ("\x00" in value or len(value) > 40):
                return _error(400, f"row {i}: {name} is not valid")
            record[name] = "" if value is None else str(value)
        records.append(record)
    codes = {r["center"] for r in records}
    allowed = set(
        db.session.scalars(
            sa.select(Center.code).where(
                Center.code.in_(codes),
                sa.true()
                if key.province_code is None
                else Center.province_code == key.province_code,
            )
        )
    )
    if codes - allowed:
        return _error(
            404, "no such center for this key: " + ", ".join(sorted(codes - allowed))[:200]
        )
    try:
        checked = stat_importers.check_dossier_rows(records, today=today_local())
    except stat_importers.ImportProblems as exc:
        db.session.rollback()
        return jsonify(
            {"error": {"code": 400, "message": "invalid rows"}, "problems": exc.problems}
        ), 400
    result = stat_services.import_dossiers(
        checked, actor=None, source=f"api:{key.prefix}", api_key=key
    )
    key.last_used_at = now_utc()
    db.session.commit()
    return jsonify(
        {
            "rows": result.rows,
            "replaced": result.replaced,
            "centers": result.centers,
            "months": result.months,
        }
    ), 200
