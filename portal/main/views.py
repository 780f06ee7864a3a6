"""The home page, the signed-in start page, and where each role lands."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template
from flask_login import current_user, login_required

from ..accounts.models import Role
from ..inspections.state import center_states
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
    """Every page the signed-in role can open, in words; a manager also sees where the
    center's self-assessments stand and what to do next."""
    states = []
    if current_user.role == Role.MANAGER and current_user.center is not None:
        states = center_states(current_user.center, current_user)
    return render_template("main/start.html", items=menu_for(current_user), states=states)


#: The health check's answer, serialized once: a load balancer asks many times a second.
HEALTHY = b'{"status":"ok"}\n'


@bp.route("/healthz")
def healthz():
    return current_app.response_class(HEALTHY, mimetype="application/json")
