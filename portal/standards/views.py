"""Admin pages: the imported standards, their versions, areas, weights and criteria."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..accounts.decorators import roles_required
from ..accounts.models import Role
from ..extensions import db
from . import services
from .models import StandardVersion

bp = Blueprint("standards", __name__, url_prefix="/standards", template_folder="templates")


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    return render_template("standards/index.html", versions=services.list_versions())


@bp.route("/versions/<int:version_id>")
@roles_required(Role.ADMIN)
def version(version_id: int):
    v = db.get_or_404(StandardVersion, version_id)
    return render_template("standards/version.html", v=v)
