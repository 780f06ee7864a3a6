"""Login, logout, own password and language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter, login_manager
from ..i18n import LANGUAGES
from . import services
from .forms import ConfirmForm, LoginForm, PasswordChangeForm
from .models import User, new_session_token

bp = Blueprint("accounts", __name__, url_prefix="/account", template_folder="templates")

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    ident, _sep, token = user_id.partition(":")
    if not (ident.isascii() and ident.isdigit()) or len(ident) > 18 or not token:
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user


@bp.before_app_request
def force_password_change():
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in {"accounts.password", "accounts.logout", "static"}
    ):
        flash(_("Please choose a new password before you continue."), "warning")
        return redirect(url_for("accounts.password"))
    return None


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are accepted as a post-login redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.username.data,
                form.password.data,
                max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                lock_minutes=current_app.config["LOGIN_LOCK_MINUTES"],
            )
        except services.LoginError as exc:
            db.session.commit()  # keep the failure count and the audit entry
            form.password.errors.append(exc.message)
        else:
            db.session.commit()
            lang = session.get("lang")
            session.clear()  # a fresh session on login (ASVS 7.2.4)
            if lang:
                session["lang"] = lang
            # Permanent: the session expires after PERMANENT_SESSION_LIFETIME without activity.
            session.permanent = True
            login_user(user)
            flash(_("Welcome, %(name)s.", name=user.full_name), "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        services.record_logout(user)
        # Rotating the token kills this session everywhere, even a copied cookie.
        user.session_token = new_session_token()
        db.session.commit()
        logout_user()
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        flash(_("You have logged out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        try:
            services.change_password(
                user,
                current_password=form.current_password.data,
                new_password=form.new_password.data,
            )
        except services.AccountError as exc:
            db.session.rollback()
            form.new_password.errors.append(exc.message)
        else:
            db.session.commit()
            login_user(user)  # the session token changed with the password
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.home"))
    return render_template("accounts/password.html", form=form)


@bp.route("/language/<lang>")
def language(lang: str):
    """Switch the interface language and return to the page the user came from."""
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
