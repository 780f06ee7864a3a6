"""The home page, the signed-in start page, and where each role lands."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template
from flask_login import current_user, login_required

from ..navigation import landing_url, menu_for

bp = Blueprint("main", __name__, template_folder="templates")


@bp.route("/")
def home():
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    return render_template("main/home.html")


@bp.route("/start")
@login_required
def start():
    """Every page the signed-in role can open, in words; reads nothing but the account."""
    return render_template("main/start.html", items=menu_for(current_user))


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}
