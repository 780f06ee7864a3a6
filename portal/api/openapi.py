"""The OpenAPI 3.1 description of ``/api/v1`` (kept next to the views it describes)."""

from __future__ import annotations

_ERROR = {"$ref": "#/components/schemas/Error"}

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
                    "400": {
                        "description": "Bad period",
                        "content": {"application/json": {"schema": _ERROR}},
                    },
                    "404": {
                        "description": "No such center",
                        "content": {"application/json": {"schema": _ERROR}},
                    },
                },
            }
        },
        "/receipts": {
            "post": {
                "summary": "Issue a single-use rating receipt for a dossier (mã hồ sơ).",
                "security": [{"apiKey": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["center", "dossier_code"],
                                "properties": {
                                    "center": {"type": "string", "description": "Center code"},
                                    "counter": {"type": "integer", "description": "Counter number"},
                                    "officer": {"type": "integer", "description": "Officer id"},
                                    "dossier_code": {"type": "string", "maxLength": 64},
                                    "outcome": {
                                        "type": "string",
                                        "enum": ["completed", "refused", "returned"],
                                        "default": "completed",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "The rating URL, its expiry (UTC) and the QR as SVG.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "id": {"type": "integer"},
                                        "url": {"type": "string"},
                                        "expires_at": {"type": "string", "format": "date-time"},
                                        "qr_svg": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "400": {
                        "description": "Invalid body",
                        "content": {"application/json": {"schema": _ERROR}},
                    },
                    "401": {
                        "description": "Missing or invalid API key",
                        "content": {"application/json": {"schema": _ERROR}},
                    },
                    "404": {
                        "description": "Unknown center, counter or officer",
                        "content": {"application/json": {"schema": _ERROR}},
                    },
                },
            }
        },
    },
}
