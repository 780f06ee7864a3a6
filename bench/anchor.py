"""The anchor: a bare Flask POST that inserts one row and commits it durably.

SQLite in WAL mode with ``synchronous=FULL`` (``BEGIN IMMEDIATE``, one long-lived
connection per worker), or PostgreSQL (one connection per worker, one statement in
autocommit: one round trip and one WAL flush per request), after ``ANCHOR_DB``.
What any durable rating insert costs at the least, behind the same gunicorn as the portal.
"""

from __future__ import annotations

import os
import threading

from flask import Flask, request

app = Flask(__name__)
URL = os.environ.get("ANCHOR_DB", "")
SQLITE = URL.startswith("sqlite")
_local = threading.local()

SCHEMA = "CREATE TABLE IF NOT EXISTS anchor (id {pk}, score INTEGER NOT NULL, nonce TEXT NOT NULL)"


def connect():
    if SQLITE:
        import sqlite3

        conn = sqlite3.connect(URL.split("///", 1)[1], isolation_level=None, timeout=10)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        return conn
    import psycopg

    return psycopg.connect(URL.replace("+psycopg", ""), autocommit=True)


def create_schema() -> None:
    conn = connect()
    pk = "INTEGER PRIMARY KEY" if SQLITE else "BIGSERIAL PRIMARY KEY"
    conn.execute("DROP TABLE IF EXISTS anchor")
    conn.execute(SCHEMA.format(pk=pk))
    conn.close()


def count() -> int:
    conn = connect()
    n = conn.execute("SELECT count(*) FROM anchor").fetchone()[0]
    conn.close()
    return n


def _conn():
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = connect()
    return conn


@app.route("/", methods=["POST"])
def insert():
    score = int(request.form.get("score", "0"))
    nonce = request.form.get("nonce", "")[:200]
    conn = _conn()
    if SQLITE:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO anchor (score, nonce) VALUES (?, ?)", (score, nonce))
        conn.execute("COMMIT")
    else:
        conn.execute("INSERT INTO anchor (score, nonce) VALUES (%s, %s)", (score, nonce))
    return "stored"
