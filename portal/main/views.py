"""The home page: what the portal is, and where each role starts."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from ..accounts.models import Role

bp = Blueprint("main", __name__, template_folder="templates")


@bp.route("/")
def home():
    if current_user.is_authenticated:
        if current_user.role == Role.OFFICER:
            return redirect(url_for("ratings.mine"))
        if current_user.center_id is not None:
            return redirect(url_for("centers.detail", code=current_user.center.code))
        return redirect(url_for("centers.index"))
    return render_template("main/home.html")


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}
