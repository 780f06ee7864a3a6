"""Cổng Một cửa số — the One-Stop Digital portal."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from .config import CONFIGS, ROOT, check_production_rate_limits, check_production_secret
from .floor import PortalFlask, PortalSessionInterface


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the portal application."""
    app = PortalFlask(__name__, static_folder=str(ROOT / "static"), instance_relative_config=True)
    app.session_interface = PortalSessionInterface()
    config_name = os.environ.get("PORTAL_ENV", "development")
    app.config.from_object(CONFIGS[config_name])
    app.config.from_prefixed_env("PORTAL")
    if test_config is not None:
        app.config.update(test_config)
    if config_name == "production":
        check_production_secret(app.config.get("SECRET_KEY"))
        warning = check_production_rate_limits(app.config.get("RATELIMIT_STORAGE_URI"))
        if warning:
            logging.getLogger("portal").warning(warning)
    os.makedirs(app.instance_path, exist_ok=True)

    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401 - every model registered for Alembic
    from .audit.events import register_request_events
    from .database import read_body_first, register_database_events
    from .extensions import babel, csrf, db, limiter, login_manager, migrate
    from .floor import trim_csrf_hook, trim_limiter_hooks
    from .i18n import (
        locale_selector,
        register_template_helpers,
        remember_language_from_query,
        select_timezone,
    )
    from .navigation import register_navigation
    from .security import register_security
    from .shared.uploads import apply_upload_limits
    from .shared.validation import IdConverter, refuse_bad_input

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A SQLite connection is a file handle: there is no server to ping before each
        # request (a handle that fails is invalidated on its error, as on PostgreSQL).
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["pool_pre_ping"] = False
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    register_database_events(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    babel.init_app(app, locale_selector=locale_selector, timezone_selector=select_timezone)
    # Before CSRF protection, which reads the form: a few views take larger uploads.
    app.before_request(apply_upload_limits)
    app.before_request(read_body_first)  # no database access while a body trickles in
    app.before_request(refuse_bad_input)
    # Before any blueprint adds its rules: every <int:…> is a 64-bit id in ASCII digits.
    app.url_map.converters["int"] = IdConverter
    csrf.init_app(app)
    trim_csrf_hook(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    trim_limiter_hooks(app, limiter)
    register_security(app)
    register_request_events(app)
    register_template_helpers(app)
    register_navigation(app)
    app.before_request(remember_language_from_query)


def register_blueprints(app: Flask) -> None:
    from . import (
        accounts,
        admin,
        api,
        assessments,
        centers,
        complaints,
        dashboards,
        documents,
        exports,
        inspections,
        kiosk,
        main,
        privacy,
        rankings,
        ratings,
        standards,
        statistics,
    )

    for blueprint in (
        main.bp,
        accounts.bp,
        centers.bp,
        standards.bp,
        assessments.bp,
        inspections.bp,
        rankings.bp,
        dashboards.bp,
        statistics.bp,
        exports.bp,
        documents.bp,
        admin.bp,
        ratings.public_bp,
        ratings.bp,
        kiosk.public_bp,
        kiosk.bp,
        complaints.bp,
        api.bp,
        privacy.bp,
    ):
        app.register_blueprint(blueprint)


def register_error_handlers(app: Flask) -> None:
    from .errors import register_error_handlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from .accounts.cli import cli as accounts_cli
    from .api.cli import cli as api_cli
    from .audit.cli import cli as audit_cli
    from .backup import backup_command, restore_command
    from .centers.cli import cli as centers_cli
    from .cli import translate
    from .demo.cli import cli as demo_cli
    from .documents.cli import cli as documents_cli
    from .exports.cli import cli as exports_cli
    from .rankings.cli import alerts_cli
    from .rankings.cli import cli as scores_cli
    from .ratings.cli import qr_cli, ratings_cli, rollups_cli
    from .standards.cli import cli as standards_cli
    from .statistics.cli import cli as statistics_cli

    for group in (
        accounts_cli,
        centers_cli,
        standards_cli,
        audit_cli,
        demo_cli,
        translate,
        backup_command,
        restore_command,
        qr_cli,
        ratings_cli,
        rollups_cli,
        api_cli,
        alerts_cli,
        scores_cli,
        statistics_cli,
        exports_cli,
        documents_cli,
    ):
        app.cli.add_command(group)
