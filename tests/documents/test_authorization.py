"""Every route of the documents blueprint × every role, with the effect of each POST checked.

The visit, the inspection and the center belong to 07900 (province 25): its inspectors and
admins read and issue; its manager reads (never issues); out of scope is "not found", as on
the inspection page. The province documents are for admins and the province's inspectors.
``test_every_route_has_a_row`` fails when a route is added without a row here.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.settings.models import Setting

from .conftest import inspection_of

ROLES = ("admin", "inspector", "inspector_other", "manager", "manager_other", "officer", None)
OBJECT_GET = (200, 200, 404, 200, 404, 403, 302)
OBJECT_ISSUE = (200, 200, 404, 403, 404, 403, 302)
PROVINCE = (200, 200, 403, 403, 403, 403, 302)


def _issued() -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "documents.issued")
        )
    )


def _settings_saved() -> bool:
    return db.session.get(Setting, "documents") is not None


SETTINGS_FORM = {
    "parent_agency": "UBND TỈNH PHÚ THỌ",
    "agency": "VĂN PHÒNG",
    "decision_agency": "ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ",
    "place": "Việt Trì",
    "signer_title": "CHÁNH VĂN PHÒNG",
    "signer_name": "Nguyễn Văn Bình",
    "decision_authority": "TM. ỦY BAN NHÂN DÂN",
    "decision_signer_title": "CHỦ TỊCH",
    "decision_signer_name": "",
    "recipients": "Lưu: VT.",
    "decision_recipients": "Lưu: VT.",
    "symbol_visit_record": "BB-VP",
    "symbol_inspection_report": "BC-VP",
    "symbol_center_report": "BC-VP",
    "symbol_province_summary": "BC-VP",
    "symbol_decision": "QĐ-UBND",
    "next_visit_record": "1",
    "next_inspection_report": "1",
    "next_center_report": "1",
    "next_province_summary": "1",
    "next_decision": "1",
}

# (endpoint, method): (url, form, statuses by role, effect)
CASES = {
    ("documents.index", "GET"): ("/documents/", None, (200, 200, 200, 403, 403, 403, 302), None),
    ("documents.visit_record", "GET"): ("/documents/visits/{visit}.pdf", None, OBJECT_GET, None),
    ("documents.visit_record", "POST"): (
        "/documents/visits/{visit}.pdf",
        {},
        OBJECT_ISSUE,
        _issued,
    ),
    ("documents.inspection_report", "GET"): (
        "/documents/inspections/{inspection}.docx",
        None,
        OBJECT_GET,
        None,
    ),
    ("documents.inspection_report", "POST"): (
        "/documents/inspections/{inspection}.pdf",
        {},
        OBJECT_ISSUE,
        _issued,
    ),
    ("documents.center_report", "GET"): (
        "/documents/periods/2026-Q1/centers/07900.pdf",
        None,
        OBJECT_GET,
        None,
    ),
    ("documents.center_report", "POST"): (
        "/documents/periods/2026-Q1/centers/07900.pdf",
        {},
        OBJECT_ISSUE,
        _issued,
    ),
    ("documents.province_summary", "GET"): (
        "/documents/periods/2026-Q1/provinces/25/summary.docx",
        None,
        PROVINCE,
        None,
    ),
    ("documents.province_summary", "POST"): (
        "/documents/periods/2026-Q1/provinces/25/summary.pdf",
        {},
        PROVINCE,
        _issued,
    ),
    ("documents.decision", "GET"): (
        "/documents/periods/2026-Q1/provinces/25/decision.pdf",
        None,
        PROVINCE,
        None,
    ),
    # A code in scope leads to the report (whose own route checks the scope again).
    ("documents.center_lookup", "GET"): (
        "/documents/center-report?period=2026-Q1&center=07900&fmt=docx",
        None,
        (302, 302, 302, 403, 403, 403, 302),
        None,
    ),
    ("documents.settings_page", "GET"): (
        "/documents/settings",
        None,
        (200, 403, 403, 403, 403, 403, 302),
        None,
    ),
    ("documents.settings_page", "POST"): (
        "/documents/settings",
        SETTINGS_FORM,
        (302, 403, 403, 403, 403, 403, 302),
        _settings_saved,
    ),
}


@pytest.mark.parametrize(
    ("key", "who", "expected"),
    [
        (key, who, codes[i])
        for key, (_u, _f, codes, _e) in CASES.items()
        for i, who in enumerate(ROLES)
    ],
)
def test_route_by_role(client, auth, users, scored, visit, key, who, expected):
    url, form, _codes, effect = CASES[key]
    url = url.format(visit=visit.id, inspection=inspection_of(scored["A"]).id)
    if who:
        auth.login(users[who])
    response = client.open(url, method=key[1], data=form)
    response.close()
    assert response.status_code == expected
    if effect is not None:
        allowed = expected in (200, 302) and who is not None
        assert effect() == allowed, "the effect only when allowed"


def test_every_route_has_a_row(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("documents.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - set(CASES) == set(), "add these routes to CASES"
