"""The per-request floor: what every request pays before and after its view.

Measured with wrk under gunicorn (``bench/run.py``), a trivial route inside the portal
(``/healthz``) ran at about a quarter to a half of a bare Flask hello-world: the cost was
not in the view but in the machinery around it, paid by every request whether it used it
or not. Each part here keeps the behaviour and drops the work a request does not need:

* Flask asks ``inspect.iscoroutinefunction`` of every hook on every request (about twenty
  hooks here): :class:`PortalFlask` remembers the answer per function.
* The cookie session built an ``itsdangerous`` serializer on every request, even one that
  carries no session cookie (a citizen, a health check, an API client):
  :class:`PortalSessionInterface` builds it once per key and opens an empty session
  without it.
* Flask-Limiter's before-request hook evaluates application-wide and default limits; the
  portal has none (its limits are decorators, checked inside their views, or
  ``portal.shared.ratelimit`` in the rating POST). :func:`trim_limiter_hooks` calls the
  hooks only when there is such a limit, or when a decorated view used the limiter in
  this request (its ``X-RateLimit-*`` headers).
* Flask-WTF looked up a view's CSRF exemptions before the method, on every GET:
  :func:`trim_csrf_hook` looks at the method first.
* Flask-Talisman rebuilt its options and its Content-Security-Policy string on every
  response: :class:`PortalTalisman` builds each view's headers once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask
from flask import Flask
from flask.globals import request_ctx
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_talisman import Talisman
from itsdangerous import URLSafeTimedSerializer


class PortalFlask(Flask):
    """Flask, with the sync/async check of each hook made once per function."""

    _sync: dict[Callable, Callable]

    def ensure_sync(self, func: Callable) -> Callable:
        cache = self.__dict__.setdefault("_sync", {})
        try:
            return cache[func]
        except KeyError:
            result = cache[func] = super().ensure_sync(func)
            return result
        except TypeError:  # an unhashable callable: ask every time, as Flask does
            return super().ensure_sync(func)


class PortalSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, without the per-request serializer: a request with
    no session cookie gets an empty session at once, and the serializer of a given key
    (and fallback keys) is built once per process."""

    _serializers: dict[tuple, URLSafeTimedSerializer]

    def __init__(self) -> None:
        self._serializers = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        fallbacks = app.config.get("SECRET_KEY_FALLBACKS") or ()
        key = (app.secret_key, tuple(fallbacks), self.salt, self.key_derivation)
        serializer = self._serializers.get(key)
        if serializer is None:
            if len(self._serializers) > 16:  # keys only change in tests
                self._serializers.clear()
            serializer = self._serializers[key] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app: Flask, request) -> SecureCookieSession | None:
        if not app.secret_key:
            return None
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        if not session and not session.modified:
            # Nothing to write or delete; only the Vary header, as Flask adds it.
            if session.accessed:
                if "Vary" in response.headers:
                    response.vary.add("Cookie")
                else:
                    response.headers._list.append(("Vary", "Cookie"))
            return
        super().save_session(app, session, response)


def current_view() -> Callable | None:
    """The view function of the current request (``None`` for a 404), read without the
    ``current_app``/``request`` proxies: every request's hooks ask for it."""
    ctx = request_ctx._get_current_object()
    rule = ctx.request.url_rule
    return ctx.app.view_functions.get(rule.endpoint) if rule is not None else None


def trim_csrf_hook(app: Flask) -> None:
    """Flask-WTF's before-request hook looks up the view's exemptions before it looks at
    the method; a GET is never checked, so it now returns at once for the methods CSRF
    protection does not cover (same outcome, without the look-ups)."""
    hooks = app.before_request_funcs.get(None, [])
    for i, hook in enumerate(hooks):
        if getattr(hook, "__qualname__", "") == "CSRFProtect.init_app.<locals>.csrf_protect":

            def csrf_protect(hook=hook):
                if request_ctx.request.method not in app.config["WTF_CSRF_METHODS"]:
                    return None
                return hook()

            hooks[i] = csrf_protect


# Flask-Limiter -----------------------------------------------------------------------------

_LIMITER_HOOK_NAMES = ("_check_request_limit", "__inject_headers", "__release_context")


def _limiter_middleware_has_work(limiter: Any) -> bool:
    """Whether the limiter's before-request hook can apply any limit: only application,
    default, blueprint, meta or fallback limits are checked there (a decorated view's
    limits are checked by its decorator, inside the view)."""
    manager = limiter.limit_manager
    return bool(
        manager._application_limits
        or manager._default_limits
        or manager._blueprint_limits
        or limiter._meta_limits
        or limiter._in_memory_fallback
    )


def _limiter_used(limiter: Any) -> bool:
    ctx = request_ctx._get_current_object()
    contexts = getattr(ctx, "_limiter_request_context", None)
    return bool(contexts) and limiter in contexts


def _hook_name(func: Any) -> str:
    inner = getattr(func, "func", func)  # functools.partial
    return getattr(inner, "__name__", "")


def trim_limiter_hooks(app: Flask, limiter: Any) -> None:
    """Replace Flask-Limiter's three per-request hooks by guarded ones that call them
    only when they have something to do (see the module docstring)."""

    def guard_before(hook: Callable) -> Callable:
        def check_request_limit():
            if _limiter_middleware_has_work(limiter):
                return hook()
            return None

        return check_request_limit

    def guard_after(hook: Callable) -> Callable:
        def inject_headers(response):
            if _limiter_middleware_has_work(limiter) or _limiter_used(limiter):
                return hook(response)
            return response

        return inject_headers

    def guard_teardown(hook: Callable) -> Callable:
        def release_context(exc=None):
            if _limiter_used(limiter):
                hook(exc)

        return release_context

    for registry, guard in (
        (app.before_request_funcs, guard_before),
        (app.after_request_funcs, guard_after),
        (app.teardown_request_funcs, guard_teardown),
    ):
        hooks = registry.get(None, [])
        for i, hook in enumerate(hooks):
            owner = getattr(getattr(hook, "func", hook), "__self__", None)
            args = getattr(hook, "args", ())
            name = _hook_name(hook)
            if (owner is limiter or limiter in args) and name.endswith(_LIMITER_HOOK_NAMES):
                hooks[i] = guard(hook)


# Security headers ----------------------------------------------------------------------------


class PortalTalisman(Talisman):
    """Flask-Talisman with its work done once per view instead of once per request.

    Talisman rebuilds every view's options and parses its Content-Security-Policy into a
    string on every response. The options of a view never change (they are its
    ``@talisman(...)`` decorator), so they are read once per view, and the security
    headers are built once per view and per scheme (HSTS only over HTTPS) and copied onto
    each response. A view with a CSP nonce (``content_security_policy_nonce_in``) still
    gets its headers built per request.
    """

    def init_app(self, app: Flask, **kwargs: Any) -> None:
        self._options: dict[Any, dict] = {}
        self._headers: dict[tuple, tuple[list[tuple[str, str]], frozenset[str]]] = {}
        super().init_app(app, **kwargs)

    def _force_https(self):
        if not self._get_local_options()["force_https"]:
            if self.session_cookie_secure and not self.app.debug:
                self.app.config["SESSION_COOKIE_SECURE"] = True
            return None
        return super()._force_https()

    def _get_local_options(self) -> dict:
        view = current_view()
        try:
            return self._options[view]
        except KeyError:
            options = self._options[view] = super()._get_local_options()
            return options

    def _make_nonce(self):
        if self._get_local_options()["content_security_policy_nonce_in"]:
            super()._make_nonce()

    def _set_response_headers(self, response):
        options = self._get_local_options()
        if options["content_security_policy_nonce_in"]:
            return super()._set_response_headers(response)
        request = request_ctx.request
        secure = request.is_secure or request.headers.get("X-Forwarded-Proto") == "https"
        key = (current_view(), secure)
        cached = self._headers.get(key)
        if cached is None:
            blank = flask.current_app.response_class()
            blank.headers.clear()
            super()._set_response_headers(blank)
            items = list(blank.headers.items())
            cached = self._headers[key] = (items, frozenset(k.lower() for k, _v in items))
        headers, names = cached
        existing = response.headers
        if names.isdisjoint(k.lower() for k, _v in existing):
            # Values Talisman built and werkzeug checked once: appended without the
            # per-value check of ``Headers.extend``.
            existing._list.extend(headers)
        else:  # a view set one of them: Talisman's value wins, as before
            for name, value in headers:
                existing[name] = value
        return response
