"""Error pages in both languages, rendered from one template per code."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("Bad request"),
            _("The request could not be understood. Please go back and try again."),
        ),
        403: (_("Access denied"), _("You do not have permission to see this page.")),
        404: (_("Page not found"), _("The page you asked for does not exist or has moved.")),
        405: (_("Method not allowed"), _("This address does not accept this kind of request.")),
        413: (_("Too large"), _("What you sent is too large.")),
        429: (
            _("Too many attempts"),
            _("Too many requests in a short time. Please wait a little and try again."),
        ),
        500: (
            _("Something went wrong"),
            _("An unexpected error happened. It has been recorded; please try again later."),
        ),
    }


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"
    )


def render_error(error: Exception):
    code = error.code if isinstance(error, HTTPException) and error.code else 500
    if code >= 500:
        db.session.rollback()
    titles = _titles()
    title, message = titles.get(code, (str(code), ""))
    if isinstance(error, CSRFError):
        message = _(
            "Your form has expired or was sent from another site. Please reload the "
            "page and try again."
        )
    if _wants_json():
        return {"error": {"code": code, "title": title, "message": message}}, code
    back_url = _back_url()
    start_url = url_for("main.start")
    if start_url == request.path:  # never offer the failing page as the way out
        start_url = url_for("main.home") if request.path != "/" else None
    context = {
        "code": code,
        "title": title,
        "message": message,
        "back_url": back_url,
        "start_url": start_url,
        "request_id": g.get("request_id"),
    }
    try:
        return render_template("errors/error.html", **context), code
    except Exception:  # the menu itself failed (e.g. the database is down): a bare page
        current_app.logger.exception("error page could not be rendered with the menu")
        db.session.rollback()
        return (
            render_template(
                "errors/minimal.html",
                back_label=_("Back to the previous page"),
                home_label=_("Back to the home page"),
                **context,
            ),
            code,
        )


def _back_url() -> str | None:
    """The previous page of this site, if the browser says which one and it is not this one."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or parts.scheme not in ("http", "https"):
        return None
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    current = request.full_path.rstrip("?")
    if target in (request.path, current):
        return None
    return target


def register_error_handlers(app: Flask) -> None:
    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, render_error)
