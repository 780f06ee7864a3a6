"""Configuration read from the environment.

Every setting can be overridden with a ``PORTAL_``-prefixed environment variable
(``PORTAL_SECRET_KEY``, ``PORTAL_SQLALCHEMY_DATABASE_URI`` …); ``DATABASE_URL`` and
``REDIS_URL`` are honoured as the conventional names for the database and the
rate-limit storage.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused by ProductionConfig


def database_url_from_env() -> str | None:
    """Return ``DATABASE_URL`` rewritten for psycopg 3, or ``None`` when unset."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    # Seals the audit chain (HMAC of every entry). Unset: derived from SECRET_KEY. Set it to
    # keep seals verifiable across a SECRET_KEY rotation; never store it in the database.
    AUDIT_KEY = os.environ.get("AUDIT_KEY", "")
    # Shown on the privacy notice (/privacy): who citizens contact about their data.
    PRIVACY_CONTACT = os.environ.get("PRIVACY_CONTACT", "")
    SQLALCHEMY_DATABASE_URI = database_url_from_env() or "sqlite:///portal.sqlite3"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # "FULL" fsyncs every commit: an acknowledged rating survives a power loss.
    SQLITE_SYNCHRONOUS = os.environ.get("SQLITE_SYNCHRONOUS", "FULL")
    SQLITE_BUSY_TIMEOUT_MS = 10_000

    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    WTF_CSRF_TIME_LIMIT = 4 * 3600
    FORCE_HTTPS = False

    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 500_000
    MAX_FORM_PARTS = 200

    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Always set: Flask-Limiter's init_app keeps the shared limiter's previous `enabled`
    # when an app's config lacks the key, so one app created with limits off (a test, a
    # script) would silently switch them off for every app created after it.
    RATELIMIT_ENABLED = True
    RATELIMIT_KEY_PREFIX = "portal"
    # Per client address (IPv6: per /64); shared by all workers with REDIS_URL.
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    # Per username and network (/24, /64), in the database: from the LOGIN_MAX_FAILURES-th
    # failed attempt on, the next one waits LOGIN_DELAY_SECONDS, doubling, at most
    # LOGIN_DELAY_MAX_SECONDS. Never a lock: the owner on another network is not slowed.
    LOGIN_MAX_FAILURES = 5
    LOGIN_DELAY_SECONDS = 30
    LOGIN_DELAY_MAX_SECONDS = 15 * 60
    # The same per network for every username together (in the database, so it holds
    # across workers even without Redis): a guesser walking through usernames.
    LOGIN_NETWORK_MAX_FAILURES = 50
    # A session ends this long after its login, however active (ASVS 7.3.2).
    SESSION_ABSOLUTE_HOURS = 12

    # Behind nginx: how many proxies set X-Forwarded-For (0 = trust none).
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
    PER_PAGE = 50
    # Days after finalization during which a center may appeal an inspection result.
    APPEAL_WINDOW_DAYS = 10

    # Evidence files: stored outside static/, served only through an authorized view.
    # None = "<instance folder>/evidence", resolved at runtime.
    EVIDENCE_DIR: str | None = os.environ.get("EVIDENCE_DIR") or None
    EVIDENCE_MAX_BYTES = 10 * 1024 * 1024  # one file
    EVIDENCE_MAX_PIXELS = 40_000_000  # 40 MP, checked before decoding
    EVIDENCE_MAX_REQUEST_BYTES = 40 * 1024 * 1024  # one checklist save with its photos
    EVIDENCE_MAX_FORM_PARTS = 1000
    EVIDENCE_MAX_FILES_PER_SAVE = 10  # photos and PDFs taken from one checklist save

    # Citizen ratings (PRODUCT.md §3; QUALITY.md §2.4).
    # The public address printed in QR codes (never taken from a request's Host header).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Without PUBLIC_BASE_URL, development and tests print this address (the request's
    # Host header, which a client controls, is never used); production has no fallback.
    PUBLIC_BASE_URL_FALLBACK = "http://127.0.0.1:5000"
    RECEIPT_VALID_DAYS = 30
    RATING_NONCE_MAX_AGE_SECONDS = 4 * 3600
    RATING_MIN_FILL_SECONDS = 2.0
    RATING_COMMENT_MAX = 1000
    #: Group commit (``portal/ratings/group_commit.py``): one writer thread per worker
    #: process stores the citizens' ratings several per transaction. For threaded workers
    #: (``gunicorn -k gthread --threads N``); a sync worker has nothing to group.
    RATING_GROUP_COMMIT = False
    RATING_GROUP_COMMIT_MAX = 64
    RATING_GROUP_COMMIT_WAIT_MS = 0
    #: The rating page (GET) keeps a verified poster's counter and center per worker for
    #: this long. A change to a counter, its center or its posters made on this host
    #: reaches every worker at once (``instance/rating-targets.generation``); this bounds
    #: how long another host may show the page of a poster reprinted meanwhile (its
    #: submission is always checked against the database).
    RATING_PAGE_TARGET_SECONDS = 30.0
    # Per device cookie and counter; per /24 (IPv4) or /64 (IPv6) network and center.
    # A busy center's Wi-Fi puts hundreds of citizens behind one address: the network
    # limit is a high ceiling, the device limit is the tight one.
    RATING_LIMIT_DEVICE = "6 per hour"
    RATING_LIMIT_NETWORK = "600 per hour"
    # Short-code and tracking-code lookups, per network: slows down guessing codes.
    RATING_LIMIT_LOOKUP = "120 per minute"
    # Anomaly flags: the rating is kept but held for an inspector's review.
    RATING_BURST_WINDOW_SECONDS = 300
    RATING_BURST_MAX = 30
    RATING_OPENING_HOURS = (7.0, 18.0)  # local time, [start, end)
    RATING_CLOSED_WEEKDAYS = (6,)  # Sunday
    RATING_RECEIPT_SLACK = 5
    #: Working days within which an inspector checks a rating held for review (the
    #: citizen's thank-you and tracking pages say so; the queue marks the late ones).
    RATING_REVIEW_WORKING_DAYS = 5
    # Self-rating: a receipt rating from a network the center's staff signed in or issued
    # receipts from within this many days, or from a device cookie a staff member of the
    # center used within this many days, is held for an inspector.
    RATING_STAFF_NETWORK_DAYS = 30
    RATING_STAFF_DEVICE_DAYS = 365
    # The offline counter kiosk (issue 23): an enrolment link's life; the tablet's minimum
    # time between two ratings (and the server's: faster is a burst); how far a tablet's
    # clock may run ahead and how old a queued rating may be before it is held; a day of
    # one tablet far above its counter's dossiers (this many times the daily average, and
    # at least the floor when no dossier figures are imported) is held; sync requests
    # per tablet and the size of one batch.
    KIOSK_ENROL_MINUTES = 15
    KIOSK_MIN_GAP_SECONDS = 4.0
    KIOSK_FUTURE_SLACK_SECONDS = 300
    KIOSK_MAX_AGE_DAYS = 7
    KIOSK_VOLUME_FACTOR = 3.0
    KIOSK_VOLUME_FLOOR = 300
    KIOSK_SYNC_LIMIT = "120 per minute"
    KIOSK_BATCH_MAX = 100
    # The tablet's screens: how long "add a comment?" waits, how long "thank you" shows.
    KIOSK_COMMENT_SECONDS = 12
    KIOSK_THANKS_SECONDS = 3.0
    CASE_DUE_WORKING_DAYS = 5
    # Below this many ratings a share is "not enough ratings" (PRODUCT.md §6, minimum n).
    RATING_MIN_N = 30
    # The inspector's review flags a center's typed outcome share (e.g. QT10, on-time
    # dossiers) that differs from the imported dossier statistics by more than this many
    # percentage points.
    DOSSIER_GAP_POINTS = 10.0
    # Officers' classes on S_adj (DOMAIN.md §3 rubric): > excellent, > good, ≥ done.
    OFFICER_BAND_EXCELLENT = 90.0
    OFFICER_BAND_GOOD = 80.0
    OFFICER_BAND_DONE = 50.0
    # Alerts.
    ALERT_DISSATISFIED_SHARE = 0.3
    ALERT_WINDOW_DAYS = 7
    ALERT_MIN_COUNT = 10
    ALERT_SILENT_DAYS = 7
    #: An acknowledged alert leaves the open list for this many days (then opens again
    #: if the situation lasts).
    ALERT_ACK_DAYS = 7
    # Exports (issue 10): files under EXPORTS_DIR (None = "<instance>/exports"); with
    # REDIS_URL slow ones run on an RQ worker (queue EXPORTS_QUEUE), else in a thread pool.
    EXPORTS_DIR: str | None = os.environ.get("EXPORTS_DIR") or None
    EXPORTS_REDIS_URL = os.environ.get("REDIS_URL", "")
    EXPORTS_QUEUE = "portal-exports"
    EXPORTS_THREADS = 2
    EXPORTS_KEEP_DAYS = 7
    # A running export without progress for this long lost its worker (killed, restarted);
    # a queued one not started after the second lost its queue. Both are marked failed.
    EXPORTS_STALE_SECONDS = 10 * 60
    EXPORTS_QUEUED_STALE_SECONDS = 60 * 60
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "")


class ProductionConfig(Config):
    # No fallback to per-process memory: every gunicorn worker would count its own limits
    # (logins, ratings, tracking-code lookups). Checked at start-up (check_production_rate_limits).
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "")
    PUBLIC_BASE_URL_FALLBACK = ""
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = True


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    SQLITE_SYNCHRONOUS = "NORMAL"


CONFIGS = {"development": Config, "production": ProductionConfig, "testing": TestConfig}


def check_production_secret(secret_key: str | None) -> None:
    """Refuse to run in production with a missing, default or short secret key."""
    if not secret_key or secret_key == DEV_SECRET_KEY or len(secret_key) < 32:
        raise RuntimeError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            '(python -c "import secrets; print(secrets.token_urlsafe(48))").'
        )


def check_production_rate_limits(storage_uri: str | None) -> str | None:
    """Refuse to run in production without a rate-limit storage shared by every worker.

    With ``memory://`` each worker process counts on its own, so four workers let four
    times the limit through. Returns a warning when ``memory://`` is chosen explicitly
    (``PORTAL_RATELIMIT_STORAGE_URI=memory://``), which is right for one worker process only.
    """
    if not storage_uri:
        raise RuntimeError(
            "REDIS_URL must be set in production (e.g. redis://127.0.0.1:6379/0): rate limits "
            "on logins, ratings and tracking-code lookups must be counted in one storage shared "
            "by every worker. A deployment with exactly one worker process may instead set "
            "PORTAL_RATELIMIT_STORAGE_URI=memory:// explicitly."
        )
    if storage_uri.startswith("memory://"):
        return (
            "Rate limits are counted in this process's memory (RATELIMIT_STORAGE_URI=memory://): "
            "correct only with one worker process; set REDIS_URL when running several."
        )
    return None
