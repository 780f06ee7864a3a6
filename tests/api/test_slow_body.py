"""Issue 22, finding 3: a valid-key ``POST /api/v1/receipts`` whose 53-byte body arrived
over 16 s held SQLite's write lock while the body trickled in (the key is looked up first,
and a POST's first query begins ``BEGIN IMMEDIATE``), and a citizen's rating failed. Every
request body is now read in full before any database access.

A real server thread and a raw socket: the client sends the headers and half the body,
waits, and a rating is posted meanwhile against the same SQLite file.
"""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from portal.extensions import db
from portal.ratings import services as rating_services
from portal.ratings.models import Rating
from tests.conftest import RATINGS_TEST_CONFIG, IsolatedClient
from tests.ratings.conftest import nonce_of


@pytest.fixture
def app_config(app_config):
    return {
        **app_config,
        **RATINGS_TEST_CONFIG,
        "RATING_MIN_FILL_SECONDS": 0,
        "SQLITE_BUSY_TIMEOUT_MS": 300,
    }


@pytest.fixture
def api_key(runner, app) -> str:
    result = runner.invoke(args=["api", "create-key", "Hệ thống một cửa tỉnh", "--province", "25"])
    assert result.exit_code == 0
    return result.output.strip()


@pytest.fixture
def live(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(10)


def test_a_rating_succeeds_while_an_api_body_trickles_in(app, api_key, center, live):
    with app.test_request_context():
        url = f"/r/{rating_services.counter_token(center.counters[0])}"
    citizen = IsolatedClient(app, app.response_class, use_cookies=True)
    nonce = nonce_of(citizen.get(url))
    db.session.commit()

    body = json.dumps({"center": "07900", "counter": 1, "dossier_code": "H25-0009"}).encode()
    head = (
        "POST /api/v1/receipts HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{live}\r\n"
        f"Authorization: Bearer {api_key}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", live), timeout=30) as slow:
        slow.sendall(head + body[:10])
        time.sleep(1.0)  # the server has the headers and waits for the rest of the body
        rating = citizen.post(url, data={"nonce": nonce, "score": "5"})
        slow.sendall(body[10:])
        answer = b""
        while chunk := slow.recv(65536):
            answer += chunk
    assert rating.status_code == 303  # stored, then Post/Redirect/Get
    assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 1
