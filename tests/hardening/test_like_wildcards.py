"""Issue 22, finding 7: a search typed by a person is text, never a LIKE pattern.

``/admin/users?q=_`` listed every account because ``_`` (and ``%``) were passed to LIKE
unescaped. Every search box that reaches LIKE goes through one helper that escapes them.
"""

from __future__ import annotations

import re

import pytest

from portal.accounts.models import Role


def _listed_usernames(html: str) -> set[str]:
    return set(re.findall(r'/admin/users/\d+/edit">([^<]+)</a>', html))


@pytest.mark.parametrize("wildcard", ["_", "%", "\\", "%%", "a_m"])
def test_a_wildcard_in_the_user_search_matches_only_itself(client, auth, users, wildcard):
    auth.login(users["admin"])
    listed = _listed_usernames(client.get("/admin/users", query_string={"q": wildcard}).text)
    assert listed == set()


def test_an_underscore_in_a_username_is_still_found(client, auth, users, create_user):
    create_user(Role.OFFICER, username="can_bo_7", center=users["officer"].center)
    auth.login(users["admin"])
    listed = _listed_usernames(client.get("/admin/users", query_string={"q": "_"}).text)
    assert listed == {"can_bo_7"}
    listed = _listed_usernames(client.get("/admin/users", query_string={"q": "n_b"}).text)
    assert listed == {"can_bo_7"}


@pytest.mark.parametrize("path", ["/centers/", "/statistics/"])
def test_a_wildcard_in_a_center_search_finds_no_center(client, auth, users, path):
    auth.login(users["admin"])
    response = client.get(path, query_string={"q": "_"})
    assert response.status_code == 200
    assert "00004" not in response.text


def test_the_helper_escapes_every_wildcard():
    from portal.shared.search import escape_like

    assert escape_like("50%_off\\") == "50\\%\\_off\\\\"
