"""Issue 22, finding 7: the rankings ETag covers everything the answer shows, and
If-None-Match is compared weakly (RFC 9110 §13.1.2), as a list, with ``*``."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.rankings import services

URL = "/api/v1/rankings?period=2026-Q1"


@pytest.fixture
def published(small_period, users):
    services.publish(small_period["period"], actor=users["admin"])
    db.session.commit()
    return small_period


def _names(response) -> dict[str, str]:
    return {c["code"]: c["name"] for c in response.json["centers"]}


def test_renaming_a_center_changes_the_etag(published, client, auth, users):
    first = client.get(URL)
    etag = first.headers["ETag"]
    assert client.get(URL, headers={"If-None-Match": etag}).status_code == 304

    auth.login(users["admin"])
    response = client.post(
        "/centers/07900/edit",
        data={"name": "Trung tâm Phục vụ hành chính công phường Việt Trì (mới)"},
    )
    assert response.status_code == 302
    auth.logout()

    after = client.get(URL, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert _names(after)["07900"].endswith("(mới)")


def test_renaming_the_period_changes_the_etag(published, client):
    etag = client.get(URL).headers["ETag"]
    published["period"].name = "Quý I năm 2026 (đã sửa)"
    db.session.commit()
    after = client.get(URL, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.json["period"]["name"].endswith("(đã sửa)")


@pytest.mark.parametrize(
    "header",
    ['W/"{tag}"', '"other", W/"{tag}"', 'W/"other" , "{tag}"', "*"],
)
def test_weak_validators_lists_and_star_get_304(published, client, header):
    etag = client.get(URL).headers["ETag"]
    tag = etag.removeprefix("W/").strip('"')
    response = client.get(URL, headers={"If-None-Match": header.format(tag=tag)})
    assert response.status_code == 304
    assert response.headers["ETag"] == etag


def test_another_tag_gets_the_ranking(published, client):
    response = client.get(URL, headers={"If-None-Match": 'W/"other", "stale"'})
    assert response.status_code == 200 and response.json["centers"]


def test_the_answer_is_read_and_serialized_once_per_version(published, client, monkeypatch):
    """Issue 24: the body is kept per entity tag; a client without the tag gets the same
    bytes without the ranking being read again, and a change is served at once."""
    from portal.api import views

    first = client.get(URL)
    calls = []
    original = services.ranking_records
    monkeypatch.setattr(
        views.score_services,
        "ranking_records",
        lambda *a, **k: calls.append(1) or original(*a, **k),
    )
    second = client.get(URL)
    assert second.status_code == 200 and calls == []
    assert second.get_data() == first.get_data()
    assert second.headers["ETag"] == first.headers["ETag"]
    published["period"].name = "Quý I năm 2026 (đã sửa)"
    db.session.commit()
    third = client.get(URL)
    assert calls == [1] and third.json["period"]["name"].endswith("(đã sửa)")
