"""What every test's app would compute again, computed once per test process.

Every test builds its own app (``tests/conftest.py``), and an app compiles its URL rules and
the templates it renders from scratch: about a sixth of the suite's CPU in a py-spy sample.
The memos below give the next app what an earlier one compiled, keyed by everything the
result depends on, so a changed rule or template is compiled again. Tests only: a
production process builds one app.
"""

from __future__ import annotations

import collections
import functools

import jinja2
import jinja2.bccache
import sqlalchemy as sa
from flask import Flask


def install() -> None:
    _compile_url_rules_once()
    _share_template_code()
    _share_engines()


def _compile_url_rules_once() -> None:
    """Memoize werkzeug's compilation of URL rules, per test process.

    Every test builds its own app, and werkzeug parses each of its 140 URL rules and
    generates and compiles Python code to build their URLs: about 40 ms of CPU per app,
    most of ``create_app``, times some 2,400 tests per database. What ``Rule.compile``
    computes is a pure function of the rule's text, domain and the map's converters: the
    same rule in the next app takes the parsed parts, trace and generated builders of the
    first one and only makes its own converter objects (they hold their map).
    """
    from werkzeug.routing.rules import Rule

    original = Rule.compile
    compiled: dict[tuple, tuple] = {}

    @functools.wraps(original)
    def compile(self) -> None:
        try:
            url_map = self.map
            domain = (self.host if url_map.host_matching else self.subdomain) or ""
            key = (
                self.rule,
                domain,
                self.merge_slashes,
                url_map.host_matching,
                repr(sorted((self.defaults or {}).items())),
                tuple(sorted(url_map.converters.items())),
            )
        except AttributeError:  # another werkzeug: compile as it does
            return original(self)
        hit = compiled.get(key)
        if hit is None:
            made: list[tuple] = []

            def get_converter(variable, converter, args, kwargs):
                made.append((variable, converter, args, kwargs))
                return Rule.get_converter(self, variable, converter, args, kwargs)

            self.get_converter = get_converter
            try:
                original(self)
            finally:
                del self.get_converter
            compiled[key] = (
                tuple(self._parts),
                tuple(self._trace),
                tuple(made),
                self._build.__func__,
                self._build_unknown.__func__,
            )
            return None
        parts, trace, made, build, build_unknown = hit
        self._parts = list(parts)
        self._trace = list(trace)
        self._converters = {v: self.get_converter(v, c, a, kw) for v, c, a, kw in made}
        self.arguments.update(v for v, *_rest in made)
        self._build = build.__get__(self, None)
        self._build_unknown = build_unknown.__get__(self, None)
        return None

    Rule.compile = compile


class _SharedTemplateCode(jinja2.BytecodeCache):
    """Compiled Jinja templates shared by every app of a test process.

    Each test's app has its own Jinja environment, which parsed and compiled every
    template it rendered again: a minute of CPU per database over the suite. The bucket's
    key is the template's name and file, and Jinja checks the source's checksum before it
    uses the code, so a changed template is compiled again.
    """

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


def _share_template_code() -> None:
    shared = _SharedTemplateCode()
    original = Flask.create_jinja_environment

    @functools.wraps(original)
    def create_jinja_environment(self):
        environment = original(self)
        environment.bytecode_cache = shared
        return environment

    Flask.create_jinja_environment = create_jinja_environment


#: How many engines a test process keeps for the next apps (each demo copy is a database
#: of its own; the per-worker test database is the one that is asked for again and again).
KEPT_ENGINES = 4


def _listeners(engine: sa.Engine) -> tuple[int, ...]:
    """How many listeners the engine and its pool hold, per event."""
    return tuple(
        len(getattr(dispatch, name))
        for dispatch in (engine.dispatch, engine.pool.dispatch)
        for name in sorted(dispatch._event_names)
    )


def _share_engines() -> None:
    """Give apps with the same database and engine settings the same SQLAlchemy engine.

    SQLAlchemy caches compiled SQL per engine (its dialect is part of the key), and every
    test's app built a new engine: every statement of every test was compiled again,
    about a tenth of the suite's CPU in a py-spy sample. An engine is handed out again
    only for the same URL, options and SQLite settings, and only while it holds exactly
    the listeners it was configured with: a test that adds its own and leaves them gets
    the next app a new engine, not its listeners. Each test still disposes its app's pool.
    """
    from flask_sqlalchemy import SQLAlchemy

    from portal import database

    make = SQLAlchemy._make_engine
    configure = database.configure_sqlite
    kept: collections.OrderedDict[tuple, sa.Engine] = collections.OrderedDict()
    configured: dict[int, tuple[int, ...]] = {}  # id(engine) -> its listeners when made

    @functools.wraps(make)
    def make_engine(self, bind_key, options, app):
        key = (
            bind_key,
            repr(sorted(options.items())),
            app.config.get("SQLITE_SYNCHRONOUS"),
            app.config.get("SQLITE_BUSY_TIMEOUT_MS"),
        )
        engine = kept.pop(key, None)
        if engine is not None and _listeners(engine) == configured[id(engine)]:
            kept[key] = engine
            return engine
        if engine is not None:
            engine.dispose()
            del configured[id(engine)]
        engine = make(self, bind_key, options, app)
        configured[id(engine)] = _listeners(engine)
        kept[key] = engine
        while len(kept) > KEPT_ENGINES:
            _key, old = kept.popitem(last=False)
            old.dispose()
            del configured[id(old)]
        return engine

    @functools.wraps(configure)
    def configure_sqlite(engine, **settings) -> None:
        configure(engine, **settings)
        if id(engine) in configured:
            configured[id(engine)] = _listeners(engine)

    SQLAlchemy._make_engine = make_engine
    database.configure_sqlite = configure_sqlite
