"""The OpenAPI 3.1 description of ``/api/v1`` (kept next to the views it describes)."""

from __future__ import annotations

from ..statistics.importers import MAX_COUNT

_ERROR = {"$ref": "#/components/schemas/Error"}
#: Ids and counter numbers are INTEGER columns (32-bit on PostgreSQL): beyond this, 422.
_ID_MAX = 2**31 - 1


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _json_body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _list_of(component: str, **limits: int) -> dict:
    """An array of one of the components' schemas."""
    return {"type": "array", **limits, "items": {"$ref": f"#/components/schemas/{component}"}}


OPENAPI: dict = {
    "openapi": "3.1.0",
    "info": {"title": "Cổng Một cửa số API", "version": "1"},
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "properties": {
                            "code": {"type": "integer"},
                            "message": {"type": "string"},
                        },
                    }
                },
            },
        },
    },
    "paths": {
        "/centers": {
            "get": {
                "summary": "Every center: code, name, level, province.",
                "responses": {"200": {"description": "The centers, ordered by code."}},
            }
        },
        "/centers/{code}/satisfaction": {
            "get": {
                "summary": "Reportable citizen ratings of a center over a period (from rollups).",
                "parameters": [
                    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "from",
                        "in": "query",
                        "schema": {"type": "string", "format": "date"},
                        "description": "First day (local), default 29 days before `to`.",
                    },
                    {
                        "name": "to",
                        "in": "query",
                        "schema": {"type": "string", "format": "date"},
                        "description": "Last day (local, inclusive), default today.",
                    },
                ],
                "responses": {
                    "200": {
                        "description": "n_ratings, counts per score 1–5, csat (0–1), "
                        "csat_wilson_lower (0–1), satisfaction_index (0–100); null when n = 0.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "center": {"type": "string"},
                                        "from": {"type": "string", "format": "date"},
                                        "to": {"type": "string", "format": "date"},
                                        "n_ratings": {"type": "integer"},
                                        "counts": {
                                            "type": "object",
                                            "additionalProperties": {"type": "integer"},
                                        },
                                        "csat": {"type": ["number", "null"]},
                                        "csat_wilson_lower": {"type": ["number", "null"]},
                                        "satisfaction_index": {"type": ["number", "null"]},
                                    },
                                }
                            }
                        },
                    },
                    "400": _json(_ERROR, "Bad period"),
                    "404": _json(_ERROR, "No such center"),
                },
            }
        },
        "/receipts": {
            "post": {
                "summary": "Issue a single-use rating receipt for a dossier (mã hồ sơ).",
                "security": [{"apiKey": []}],
                "requestBody": _json_body(
                    {
                        "type": "object",
                        "required": ["center", "dossier_code"],
                        "properties": {
                            "center": {"type": "string", "description": "Center code"},
                            "counter": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": _ID_MAX,
                                "description": "Counter number",
                            },
                            "officer": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": _ID_MAX,
                                "description": "Officer id",
                            },
                            "dossier_code": {"type": "string", "maxLength": 64},
                            "outcome": {
                                "type": "string",
                                "enum": ["completed", "refused", "returned"],
                                "default": "completed",
                            },
                        },
                    }
                ),
                "responses": {
                    "201": {
                        "description": (
                            "The rating URL, its expiry (UTC), the QR as SVG and the receipt's "
                            "own single-use short code for citizens who cannot scan. The link "
                            "and code are given only here: the portal never shows them to staff."
                        ),
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "id": {"type": "integer"},
                                        "url": {"type": "string"},
                                        "expires_at": {"type": "string", "format": "date-time"},
                                        "qr_svg": {"type": "string"},
                                        "short_code": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "400": _json(_ERROR, "Invalid body"),
                    "401": _json(_ERROR, "Missing or invalid API key"),
                    "404": _json(_ERROR, "Unknown center, counter or officer"),
                    "422": _json(_ERROR, "A counter or officer number outside 1 to 2147483647"),
                },
            }
        },
    },
}

# Published scores and rankings (PRODUCT.md "Contracts") ------------------------------------

_NUMBER_OR_NULL = {"type": ["number", "null"]}
_PERIOD = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "code",
        "name",
        "opens_on",
        "closes_on",
        "published_on",
        "state",
        "status",
        "final_on",
        "revision",
        "revised_on",
        "revision_reason",
        "cut_off",
        "latest",
    ],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "opens_on": {"type": "string", "format": "date"},
        "closes_on": {"type": "string", "format": "date"},
        "published_on": {
            "type": ["string", "null"],
            "format": "date",
            "description": "The day of the first publication (revision 1).",
        },
        "state": {"type": "string", "enum": ["provisional", "final"], "description": "= status"},
        "status": {
            "type": "string",
            "enum": ["provisional", "final"],
            "description": "provisional (tạm tính, published during the period or before its "
            "appeal windows closed) or final.",
        },
        "final_on": {"type": ["string", "null"], "format": "date"},
        "revision": {
            "type": "integer",
            "minimum": 1,
            "description": "The revision number: 1 is the publication, every later change "
            "of a published figure (an appeal, a late finalization, a recompute) is the next.",
        },
        "revised_on": {"type": "string", "format": "date"},
        "revision_reason": {"type": "string"},
        "cut_off": {
            "type": "string",
            "format": "date",
            "description": "The last day whose ratings the revision counts.",
        },
        "latest": {"type": "boolean", "description": "Whether this is the latest revision."},
    },
}
_SCORES = {
    "compliance_self": {**_NUMBER_OR_NULL, "description": "C_self, 0–100, two decimals"},
    "compliance_verified": {**_NUMBER_OR_NULL, "description": "C_verified, 0–100"},
    "satisfaction_index": {**_NUMBER_OR_NULL, "description": "S, 0–100"},
    "satisfaction_adjusted": {**_NUMBER_OR_NULL, "description": "S_adj, 0–100"},
    "csat": {**_NUMBER_OR_NULL, "description": "share of ratings 4–5, 0–1, four decimals"},
    "csat_wilson_lower": {**_NUMBER_OR_NULL, "description": "Wilson 95% lower bound, 0–1"},
    "n_ratings": {"type": "integer", "minimum": 0},
    "quality": {**_NUMBER_OR_NULL, "description": "Q, 0–100; null when not verified"},
    "class": {
        "type": ["string", "null"],
        "enum": ["excellent", "good", "fair", "average", "weak", None],
    },
    "rank": {"type": ["integer", "null"], "minimum": 1},
    "satisfaction_rank": {"type": ["integer", "null"], "minimum": 1},
    "standardized": {"type": "boolean"},
    "state": {
        "type": "string",
        "enum": ["not_verified", "provisional", "under_appeal", "final"],
        "description": "The center's verified result: provisional while its appeal window "
        "is open, under_appeal while an appeal waits for a decision.",
    },
    "under_appeal": {"type": "boolean", "description": "The center has appealed its result."},
}
_RANKED_CENTER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["code", "name", *_SCORES],
    "properties": {"code": {"type": "string"}, "name": {"type": "string"}, **_SCORES},
}
_CENTER_PERIOD = {
    "type": "object",
    "additionalProperties": False,
    "required": ["period", "areas", *_SCORES],
    "properties": {
        "period": {"$ref": "#/components/schemas/Period"},
        "areas": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {"self": _NUMBER_OR_NULL, "verified": _NUMBER_OR_NULL},
            },
        },
        **_SCORES,
    },
}
OPENAPI["components"]["schemas"].update(
    {"Period": _PERIOD, "RankedCenter": _RANKED_CENTER, "CenterPeriodScores": _CENTER_PERIOD}
)


OPENAPI["paths"].update(
    {
        "/periods": {
            "get": {
                "summary": "Published assessment periods, newest first.",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["periods"],
                            "properties": {"periods": _list_of("Period")},
                        },
                        "Periods whose ranking is public (provisional until appeals close).",
                    )
                },
            }
        },
        "/rankings": {
            "get": {
                "summary": "The published ranking of a period (the latest when omitted), "
                "as one revision published it (the latest when omitted).",
                "description": (
                    "The answer carries an ETag that changes whenever anything it shows "
                    "changes (a new revision, a center or period renamed); send it back in "
                    "If-None-Match (weak W/ tags and lists accepted) to get 304."
                ),
                "parameters": [
                    {"name": "period", "in": "query", "schema": {"type": "string"}},
                    {
                        "name": "revision",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1},
                        "description": "A revision number of the period; default the latest.",
                    },
                    {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["period", "centers"],
                            "properties": {
                                "period": {"$ref": "#/components/schemas/Period"},
                                "centers": _list_of("RankedCenter"),
                            },
                        },
                        "Every center: ranked ones by rank, then the others by code.",
                    ),
                    "304": {"description": "Not modified: If-None-Match holds the ETag"},
                    "400": _json(_ERROR, "The revision is not a number"),
                    "404": _json(_ERROR, "No published period or revision with this code"),
                },
            }
        },
        "/centers/{code}/scores": {
            "get": {
                "summary": "A center's scores in the latest revision of every published "
                "period, oldest first.",
                "parameters": [
                    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["center", "name", "scores"],
                            "properties": {
                                "center": {"type": "string"},
                                "name": {"type": "string"},
                                "scores": _list_of("CenterPeriodScores"),
                            },
                        },
                        "Published periods only.",
                    ),
                    "404": _json(_ERROR, "No such center"),
                },
            }
        },
    }
)

# Dossier statistics from the province's one-stop software ------------------------------------

_COUNT = {"type": "integer", "minimum": 0, "maximum": MAX_COUNT}
OPENAPI["paths"]["/dossier-stats"] = {
    "post": {
        "summary": "Replace months of dossier statistics (per center, optional counter, month). "
        "Checked like the CSV import: on any problem nothing is stored.",
        "security": [{"apiKey": []}],
        "requestBody": _json_body(
            {
                "type": "object",
                "required": ["rows"],
                "properties": {
                    "rows": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 2000,
                        "items": {
                            "type": "object",
                            "required": [
                                "center",
                                "month",
                                "received",
                                "on_time",
                                "late",
                                "returned",
                                "online",
                            ],
                            "properties": {
                                "center": {"type": "string", "description": "Center code"},
                                "counter": {
                                    "type": ["integer", "null"],
                                    "minimum": 1,
                                    "maximum": _ID_MAX,
                                    "description": "Counter number (omit for the center)",
                                },
                                "month": {
                                    "type": "string",
                                    "pattern": "^[0-9]{4}-[0-9]{2}$",
                                    "description": "YYYY-MM, from 2000-01 to this month",
                                },
                                "received": _COUNT,
                                "on_time": _COUNT,
                                "late": _COUNT,
                                "returned": _COUNT,
                                "online": {**_COUNT, "description": "Received online"},
                            },
                        },
                    }
                },
            }
        ),
        "responses": {
            "200": {
                "description": "Stored: the month's earlier figures for these centers replaced.",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["rows", "replaced", "centers", "months"],
                            "properties": {
                                "rows": {"type": "integer"},
                                "replaced": {"type": "integer"},
                                "centers": {"type": "integer"},
                                "months": {"type": "integer"},
                            },
                        }
                    }
                },
            },
            "400": _json(_ERROR, "Invalid body; ``problems`` names each row and field"),
            "401": _json(_ERROR, "Missing or invalid API key"),
            "404": _json(_ERROR, "A center unknown or outside the key's province"),
        },
    }
}

# The offline kiosk's sync (portal/kiosk/public.py) lives outside /api/v1: a tablet, not an
# API key, calls it, and every rating in it is authenticated by its own signature.
_KIOSK_ITEM = {
    "type": "object",
    "required": ["id", "t", "score", "comment", "sig"],
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9a-f]{32}$", "description": "Random id."},
        "t": {"type": "integer", "description": "The tablet's clock at the tap, ms since 1970."},
        "score": {"type": "integer", "minimum": 1, "maximum": 5},
        "comment": {"type": "string", "maxLength": 1000},
        "sig": {
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "description": "Hex HMAC-SHA256 under the tablet's key of the UTF-8 lines "
            '"v1", device, id, t, score, comment, joined by "\\n".',
        },
    },
}
_KIOSK_ANSWER = {
    "type": "object",
    "required": ["id", "status"],
    "properties": {
        "id": {"type": "string"},
        "status": {"type": "string", "enum": ["stored", "duplicate", "refused"]},
        "reason": {"type": "string", "enum": ["signature", "malformed", "revoked"]},
        "held": {"type": "boolean", "description": "Stored but held for an inspector."},
    },
}
OPENAPI["components"]["schemas"].update({"KioskItem": _KIOSK_ITEM, "KioskAnswer": _KIOSK_ANSWER})
OPENAPI["paths"]["/sync"] = {
    "servers": [{"url": "/kiosk", "description": "Outside /api/v1: POST /kiosk/sync"}],
    "post": {
        "summary": "An enrolled kiosk tablet sends a batch of its signed, queued ratings.",
        "description": "Each rating is stored at most once per tablet and id: a replayed or "
        "resent batch answers `duplicate`. The tablet deletes from its queue exactly the "
        "items answered for. Ratings with an implausible time (before enrolment, ahead of "
        "the server, too old, outside opening hours), faster than a person taps, or far "
        "above the counter's dossiers are stored but held (`held: true`). No cookie, no "
        "CSRF token: rate-limited per tablet and network.",
        "security": [],
        "requestBody": _json_body(
            {
                "type": "object",
                "required": ["device", "sent", "pending", "sig", "items"],
                "properties": {
                    "device": {"type": "integer"},
                    "sent": {"type": "integer", "description": "ms since 1970"},
                    "pending": {"type": "integer", "minimum": 0},
                    "sig": {
                        "type": "string",
                        "description": 'HMAC of "v1", "batch", device, sent, '
                        'pending joined by "\\n".',
                    },
                    "items": _list_of("KioskItem", maxItems=100),
                },
            }
        ),
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "device": {"type": "integer"},
                        "items": _list_of("KioskAnswer"),
                    },
                },
                "One answer per item, in order.",
            ),
            "400": {"description": "Malformed batch."},
            "401": {"description": "The batch signature does not verify."},
            "403": {"description": "The tablet was revoked: every item is refused."},
            "404": {"description": "Unknown tablet."},
            "410": {"description": "The tablet's counter no longer takes ratings."},
            "413": {"description": "More items than a batch may hold."},
            "429": {"description": "Too many syncs from this tablet and network."},
        },
    },
}
