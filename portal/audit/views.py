"""Browsing the audit log (administrators)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, current_app, render_template, request

from ..accounts.decorators import roles_required
from ..accounts.models import Role
from ..centers.services import get_center_by_code
from ..extensions import db
from ..shared.timeutils import DISPLAY_TZ
from . import services
from .forms import AuditFilterForm

bp = Blueprint("audit", __name__, url_prefix="/audit", template_folder="templates")


def _local_midnight_utc(day) -> datetime:
    """Start of ``day`` in Vietnam, as the naive UTC datetime stored in the database."""
    return datetime.combine(day, time.min, tzinfo=DISPLAY_TZ).astimezone(UTC).replace(tzinfo=None)


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    form = AuditFilterForm(request.args)
    valid = form.validate()
    center_id = None
    if valid and form.center_code.data:
        center = get_center_by_code(form.center_code.data.strip())
        center_id = center.id if center else -1
    stmt = services.search_entries(
        action=(form.action.data or "").strip() if valid else "",
        object_type=(form.object_type.data or "").strip() if valid else "",
        actor_prefix=(form.actor.data or "").strip() if valid else "",
        center_id=center_id,
        date_from=_local_midnight_utc(form.date_from.data)
        if valid and form.date_from.data
        else None,
        date_to=(
            _local_midnight_utc(form.date_to.data + timedelta(days=1))
            if valid and form.date_to.data
            else None
        ),
    )
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("audit/index.html", form=form, page=page, loads=json.loads)
