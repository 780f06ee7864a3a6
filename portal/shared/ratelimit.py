"""Rate limits checked in the view, straight against the limiter's shared storage.

Flask-Limiter's decorators cost a rating POST about a quarter of its time (its
per-request bookkeeping, and two more storage round trips after the view for the
``X-RateLimit-*`` headers a citizen's phone never reads). The rating submission calls
:func:`enforce` instead: one ``hit`` per limit on the same storage (Redis with
``REDIS_URL``, shared by every worker), under the same switch (``RATELIMIT_ENABLED``)
and key prefix. A refusal is the portal's 429 page with a ``Retry-After``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable

from flask import current_app
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import TooManyRequests

from ..extensions import limiter


@functools.lru_cache(maxsize=64)
def _items(spec: str) -> tuple[RateLimitItem, ...]:
    """``"6 per hour;20 per day"`` parsed once per process."""
    return tuple(parse_many(spec))


def enforce(checks: Iterable[tuple[str, str]]) -> None:
    """Count this request against each ``(limit spec, key)`` and refuse it (429) if any
    limit is exceeded. Every limit is counted, as Flask-Limiter does, so a refused
    request still uses up the other ceilings."""
    if not limiter.enabled:
        return
    strategy = limiter.limiter
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "portal"
    refused: list[tuple[RateLimitItem, str]] = []
    for spec, key in checks:
        for item in _items(spec):
            if not strategy.hit(item, prefix, key):
                refused.append((item, key))
    if refused:
        reset = max(strategy.get_window_stats(it, prefix, key).reset_time for it, key in refused)
        raise TooManyRequests(retry_after=max(1, int(reset - time.time()) + 1))
