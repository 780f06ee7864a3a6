"""JSON API under ``/api/v1`` (PRODUCT.md "Contracts"), described at ``/api/v1/openapi.json``.

Read endpoints are public aggregates (center-level only; officers never appear).
``POST /receipts`` needs an API key (``Authorization: Bearer KEY``); the blueprint is
exempt from CSRF because it uses no cookies.
"""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request, url_for

from ..centers.models import Center, Counter, Officer
from ..extensions import csrf, db, limiter
from ..rankings import services as score_services
from ..ratings import services as rating_services
from ..ratings.models import DossierOutcome, RollupScope
from ..ratings.views import parse_period
from ..scoring.rules import satisfaction
from ..shared import qr
from ..shared.timeutils import now_utc
from .models import ApiKey, hash_key
from .openapi import OPENAPI

bp = Blueprint("api", __name__, url_prefix="/api/v1")
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
    counts = rating_services.rollup_counts(RollupScope.CENTER, [center.id], start, end).get(
        center.id, (0, 0, 0, 0, 0)
    )
    s = satisfaction(counts)
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


@bp.post("/receipts")
@limiter.limit("600 per minute", key_func=_api_rate_key)
def receipts():
    key = _api_key()
    if key is None:
        return _error(401, "a valid API key is required (Authorization: Bearer KEY)")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, "the body must be a JSON object")
    center_code = body.get("center")
    dossier = body.get("dossier_code")
    outcome = body.get("outcome", DossierOutcome.COMPLETED.value)
    if not isinstance(center_code, str) or not isinstance(dossier, str):
        return _error(400, "center and dossier_code are required strings")
    dossier = dossier.strip()
    if not dossier or len(dossier) > 64:
        return _error(400, "dossier_code must have 1 to 64 characters")
    if outcome not in {o.value for o in DossierOutcome}:
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
        counter = db.session.scalar(
            sa.select(Counter).where(Counter.center_id == center.id, Counter.number == number)
        )
        if counter is None:
            return _error(404, "no such counter at this center")
    if body.get("officer") is not None:
        officer_id = body["officer"]
        if not isinstance(officer_id, int) or isinstance(officer_id, bool):
            return _error(400, "officer must be the officer id (integer)")
        officer = db.session.get(Officer, officer_id)
        if officer is None or officer.center_id != center.id:
            return _error(404, "no such officer at this center")
    receipt = rating_services.issue_receipt(
        center,
        dossier_code=dossier,
        outcome=outcome,
        counter=counter,
        officer=officer,
        api_key=key,
    )
    key.last_used_at = now_utc()
    token = rating_services.receipt_token(receipt)
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    url = base.rstrip("/") + url_for("rate.rate", token=token)
    expires_at = receipt.expires_at.isoformat() + "Z"
    receipt_id = receipt.id
    db.session.commit()
    return (
        jsonify(
            {
                "id": receipt_id,
                "url": url,
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


def _period_record(period) -> dict:
    status = score_services.period_status(period)
    return {
        "code": period.code,
        "name": period.name,
        "opens_on": period.opens_on.isoformat(),
        "closes_on": period.closes_on.isoformat(),
        "published_on": status.published_on.isoformat() if status.published_on else None,
        "state": "final" if status.final else "provisional",
        "final_on": status.final_on.isoformat() if status.final_on else None,
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
)


@bp.get("/periods")
def periods():
    return jsonify({"periods": [_period_record(p) for p in score_services.published_periods()]})


@bp.get("/rankings")
def rankings():
    code = request.args.get("period") or None
    period = score_services.published_period(code)
    if period is None:
        return _error(404, "no published period with this code")
    rows = [score_services.snapshot_record(s) for s in score_services.ranking_rows(period)]
    return jsonify(
        {
            "period": _period_record(period),
            "centers": [{k: r[k] for k in RANKING_FIELDS} for r in rows],
        }
    )


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
                "state": snapshot.state,
                "areas": {
                    area: {"self": pair[0], "verified": pair[1]}
                    for area, pair in snapshot.areas.items()
                },
            }
        )
    return jsonify({"center": center.code, "name": center.name, "scores": out})
