"""A page shows a period's default scoring settings without storing them; the first
request that may write stores them. A GET that wrote on first use could fail on SQLite
("database is locked") when a citizen's rating was committed while it read."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.rankings.models import ScoringSettings

from .test_authorization import SETTINGS


def _stored() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(ScoringSettings))


def test_pages_show_the_default_settings_and_store_nothing(small_period, client, auth, users):
    auth.login(users["admin"])
    periods = client.get("/rankings/periods")
    assert periods.status_code == 200
    assert "Chưa công bố" in periods.get_data(as_text=True)
    page = client.get("/rankings/periods/2026-Q1/settings")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="compliance_weight" required step="any" type="number" value="0.7"' in html
    assert '<option selected value="fair">' in html
    auth.login(users["manager"])
    assert client.get("/rankings/officers").status_code == 200
    assert _stored() == 0


def test_saving_the_settings_stores_them(small_period, client, auth, users):
    auth.login(users["admin"])
    form = client.get("/rankings/periods/2026-Q1/settings").get_data(as_text=True)
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    values = {**SETTINGS, "csrf_token": token, "class_cap": "fair"}
    response = client.post("/rankings/periods/2026-Q1/settings", data=values)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _stored() == 1
    stored = db.session.scalar(sa.select(ScoringSettings))
    assert str(stored.compliance_weight) == "0.6"


@pytest.mark.parametrize(
    "path",
    ["/rankings/periods", "/rankings/periods/2026-Q1/settings", "/rankings/officers"],
)
def test_the_pages_write_nothing(small_period, client, auth, users, path):
    """No INSERT, UPDATE or DELETE while the page is served: on SQLite a GET reads in a
    deferred transaction, which cannot become a write once a citizen's rating has been
    committed meanwhile."""
    auth.login(users["admin"] if "periods" in path else users["manager"])
    writes = []

    def record(_conn, _cursor, statement, *_args):
        if statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    assert writes == []
