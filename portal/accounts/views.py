"""Login, logout, own password and language."""

from __future__ import annotations

import time
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

from ..database import begin_writing, reads_before_writing
from ..extensions import db, limiter, login_manager
from ..i18n import LANGUAGES
from ..shared.netkeys import client_network
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


LOGIN_AT = "login_at"


def _may_be_signed_in() -> bool:
    """Whether the request carries what Flask-Login signs a user in from (the session's
    user id or a remember cookie): a citizen's rating request never loads a user."""
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return "_user_id" in session or cookie in request.cookies


def _clear_session() -> None:
    """Empty the session but for the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.before_app_request
def end_old_sessions():
    """Absolute session timeout (ASVS 7.3.2): a session ends ``SESSION_ABSOLUTE_HOURS``
    after its login, however active it has been."""
    if not _may_be_signed_in() or not current_user.is_authenticated:
        return None
    started = session.get(LOGIN_AT)
    limit = current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600
    if isinstance(started, int) and 0 <= time.time() - started < limit:
        return None
    logout_user()
    _clear_session()
    flash(_("Your session has ended. Please log in again."), "info")
    return redirect(
        url_for("accounts.login", next=request.full_path if request.method == "GET" else None)
    )


@bp.after_app_request
def no_store_for_signed_in_pages(response):
    """Pages of a signed-in user are never kept by the browser or a proxy: the back
    button after logout, or a shared computer, shows nothing of them."""
    if "_user_id" in session:  # Flask-Login's key: no user load for static files
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.before_app_request
def force_password_change():
    if (
        _may_be_signed_in()
        and current_user.is_authenticated
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


def login_limit_key() -> str:
    """The login rate limit's key: the client's address, its /64 for IPv6 (one IPv6
    subscriber holds a whole /64 and could walk through it)."""
    return "login:" + client_network(v4_prefix=32, v6_prefix=64)


@bp.route("/login", methods=["GET", "POST"])
@reads_before_writing
@limiter.limit(_login_limit, key_func=login_limit_key, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        config = current_app.config
        # The password hash is checked in a read-only transaction; only then the short
        # write (audit entry, throttle row) takes the write lock.
        attempt = services.check_credentials(
            form.username.data, form.password.data, network=client_network()
        )
        begin_writing()
        try:
            user = services.record_login(
                attempt,
                free=config["LOGIN_MAX_FAILURES"],
                base_seconds=config["LOGIN_DELAY_SECONDS"],
                max_seconds=config["LOGIN_DELAY_MAX_SECONDS"],
                network_free=config["LOGIN_NETWORK_MAX_FAILURES"],
            )
        except services.LoginError as exc:
            db.session.commit()  # keep the failure count and the audit entry
            form.password.errors.append(exc.message)
        else:
            db.session.commit()
            _clear_session()  # a fresh session on login (ASVS 7.2.4)
            # Permanent: the session expires after PERMANENT_SESSION_LIFETIME without
            # activity, and in any case SESSION_ABSOLUTE_HOURS after this login.
            session.permanent = True
            session[LOGIN_AT] = int(time.time())
            login_user(user)
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
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
        _clear_session()
        flash(_("You have logged out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/password", methods=["GET", "POST"])
@reads_before_writing
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        try:
            new_hash = services.check_password_change(
                user,
                current_password=form.current_password.data,
                new_password=form.new_password.data,
            )
        except services.AccountError as exc:
            db.session.rollback()
            form.new_password.errors.append(exc.message)
        else:
            begin_writing()  # the hashes are done: only the short write holds the lock
            user = db.session.get(User, current_user.id)
            services.apply_password_change(user, new_hash)
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
