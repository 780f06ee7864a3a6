"""The ratings feature's services, by name: an index of the modules that hold them.

Other features, the API and the tests import these names from here; the ratings
feature's own modules import them from where they live:

- ``tokens``: counter and kiosk tokens, short codes, rating targets, poster reprints;
- ``fingerprints``: keyed hashes of a client's network and device cookie;
- ``nonces``: single-use form nonces and the confirmation token;
- ``screening``: the anomaly checks that hold a rating for review;
- ``submission``: storing a rating, tracking codes, the thank-you reference;
- ``rollup_rows``: keeping the rollup rows in step, and reading them;
- ``receipts``: issuing and resolving rating receipts;
- ``moderation``: flag verdicts and hidden comments;
- ``held``: the province-wide queue of held ratings and its bulk verdicts;
- ``retention``: retention purges and "delete my data".

``Channel``, ``local_day`` and ``now_utc`` stay importable from here for older callers.
"""

from __future__ import annotations

from ..shared.timeutils import local_day, now_utc
from .fingerprints import DEVICE_COOKIE, Fingerprint, client_fingerprint
from .held import BulkResult, HeldFilter, held_count, held_query, review_due, review_many
from .models import Channel
from .moderation import REASON_MAX, review_flags, set_comment_hidden
from .nonces import (
    CONFIRMATION_MAX_AGE_SECONDS,
    TARGET_CODES,
    NonceCheck,
    NonceUsed,
    check_confirmation,
    check_nonce,
    confirmation_token,
    consume_nonce,
    issue_nonce,
    nonce_key,
    purge_nonces,
)
from .receipts import (
    LinkNotShown,
    ReceiptState,
    ReceiptUsed,
    issue_receipt,
    receipt_short_code,
    receipt_token,
    reprint_receipt,
    resolve_receipt_short_code,
    resolve_receipt_token,
)
from .retention import erase_personal_data, purge_comments, purge_phone_numbers
from .rollup_rows import apply_to_rollups, rollup_counts, rollup_keys
from .screening import (
    Screening,
    anomaly_flags,
    holding_flags,
    screen_rating,
    self_issued_shares,
    staff_rating_flags,
)
from .submission import (
    CONSENT_VERSION,
    THANKS_MAX_AGE_SECONDS,
    TRACKING_ALPHABET,
    RatingInput,
    ThanksRef,
    new_tracking_code,
    read_thanks_reference,
    submit_rating,
    submit_staff_assisted,
    thanks_reference,
)
from .tokens import (
    CenterRef,
    CounterRef,
    OfficerRef,
    PublicUrlMissing,
    Target,
    TokenProblem,
    counter_short_code,
    counter_token,
    counter_token_problem,
    counter_version,
    public_base_url,
    resolve_counter_token,
    resolve_short_code,
    revoke_counter_posters,
    secret,
    short_code_replaced,
)

__all__ = [
    "CONFIRMATION_MAX_AGE_SECONDS",
    "CONSENT_VERSION",
    "DEVICE_COOKIE",
    "REASON_MAX",
    "TARGET_CODES",
    "THANKS_MAX_AGE_SECONDS",
    "TRACKING_ALPHABET",
    "BulkResult",
    "CenterRef",
    "Channel",
    "CounterRef",
    "Fingerprint",
    "HeldFilter",
    "NonceCheck",
    "NonceUsed",
    "OfficerRef",
    "PublicUrlMissing",
    "RatingInput",
    "ReceiptState",
    "ReceiptUsed",
    "LinkNotShown",
    "Screening",
    "Target",
    "ThanksRef",
    "TokenProblem",
    "anomaly_flags",
    "apply_to_rollups",
    "check_confirmation",
    "check_nonce",
    "client_fingerprint",
    "confirmation_token",
    "consume_nonce",
    "counter_short_code",
    "counter_token",
    "counter_token_problem",
    "counter_version",
    "erase_personal_data",
    "held_count",
    "held_query",
    "holding_flags",
    "issue_nonce",
    "issue_receipt",
    "local_day",
    "new_tracking_code",
    "nonce_key",
    "now_utc",
    "public_base_url",
    "purge_comments",
    "purge_nonces",
    "purge_phone_numbers",
    "read_thanks_reference",
    "receipt_short_code",
    "receipt_token",
    "reprint_receipt",
    "resolve_receipt_short_code",
    "resolve_counter_token",
    "resolve_receipt_token",
    "resolve_short_code",
    "review_due",
    "review_flags",
    "review_many",
    "revoke_counter_posters",
    "rollup_counts",
    "rollup_keys",
    "screen_rating",
    "secret",
    "self_issued_shares",
    "staff_rating_flags",
    "set_comment_hidden",
    "short_code_replaced",
    "submit_rating",
    "submit_staff_assisted",
    "thanks_reference",
]
