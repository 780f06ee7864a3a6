"""Every route of the statistics blueprint × every role, with the effect of the POST checked.

Import pages and templates: admins only. The province overview: admins and inspectors
(their scope). A center's trends: admins, inspectors in scope, the center's own manager.
``test_every_route_has_a_row`` fails when a route is added without a row here.
"""

from __future__ import annotations

import io

import pytest

from portal.statistics.models import DossierStat

ROLES = ("admin", "inspector", "inspector_other", "manager", "manager_other", "officer", None)
ADMIN_ONLY_GET = (200, 403, 403, 403, 403, 403, 302)
ADMIN_ONLY_POST = (302, 403, 403, 403, 403, 403, 302)
CSV = (
    "Mã trung tâm;Quầy;Tháng;Tiếp nhận;Đúng hạn;Trễ hạn;Trả lại;Trực tuyến\n"
    "07900;1;10/2026;10;8;1;1;4\n"
)


def _upload():
    return {"kind": "dossiers", "file": (io.BytesIO(CSV.encode()), "motcua.csv")}


CASES = {
    ("statistics.import_page", "GET"): ("/statistics/import", None, ADMIN_ONLY_GET),
    ("statistics.import_page", "POST"): ("/statistics/import", _upload, ADMIN_ONLY_POST),
    ("statistics.template", "GET"): (
        "/statistics/import/template-dossiers.csv",
        None,
        ADMIN_ONLY_GET,
    ),
    ("statistics.overview", "GET"): ("/statistics/", None, (200, 200, 200, 403, 403, 403, 302)),
    ("statistics.center", "GET"): (
        "/statistics/centers/07900",
        None,
        (200, 200, 403, 200, 403, 403, 302),
    ),
}


@pytest.mark.parametrize(
    ("key", "who", "expected"),
    [(key, who, codes[i]) for key, (_u, _f, codes) in CASES.items() for i, who in enumerate(ROLES)],
)
def test_route_by_role(client, auth, users, count_rows, key, who, expected):
    url, form, _codes = CASES[key]
    if who:
        auth.login(users[who])
    if key[1] == "GET":
        assert client.get(url).status_code == expected
        return
    response = client.post(url, data=form(), content_type="multipart/form-data")
    assert response.status_code == expected
    assert (count_rows(DossierStat) == 1) == (who == "admin"), "the effect only when allowed"


def test_every_route_has_a_row(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("statistics.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - set(CASES) == set(), "add these routes to CASES"


def test_the_template_holds_the_documented_header(client, auth, users):
    auth.login(users["admin"])
    body = client.get("/statistics/import/template-index.csv").get_data(as_text=True)
    assert body.startswith("\ufeffMã trung tâm;Tháng;Công khai, minh bạch;")
