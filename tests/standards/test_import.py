"""`flask standards import|list`, idempotency, versioning, audit, and the admin pages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import refresh

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.standards import services
from portal.standards.models import Area, Criterion, Standard, StandardVersion

DEFAULT = services.DEFAULT_STANDARD_FILE.read_text(encoding="utf-8")


def _counts(count_rows):
    return tuple(count_rows(m) for m in (Standard, StandardVersion, Area, Criterion))


def test_cli_imports_the_default_standard_once(runner, count_rows):
    result = runner.invoke(args=["standards", "import", str(services.DEFAULT_STANDARD_FILE)])
    assert result.exit_code == 0, result.output
    assert "Imported mot-cua-so-phu-tho version 2026.3: 7 areas, 58 criteria." in result.output
    first = _counts(count_rows)
    assert first == (1, 1, 7, 58)
    again = runner.invoke(args=["standards", "import", str(services.DEFAULT_STANDARD_FILE)])
    assert again.exit_code == 0
    assert "already imported; nothing changed" in again.output
    assert _counts(count_rows) == first
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("standard.import") == 1


def test_import_without_argument_uses_the_built_in_standard(runner, count_rows):
    result = runner.invoke(args=["standards", "import"])
    assert result.exit_code == 0, result.output
    assert count_rows(Criterion) == 58


def test_changed_content_needs_a_new_version(runner, tmp_path, count_rows):
    runner.invoke(args=["standards", "import", str(services.DEFAULT_STANDARD_FILE)])
    changed = tmp_path / "changed.yaml"
    changed.write_text(DEFAULT.replace("points: 3", "points: 4", 1), encoding="utf-8")
    result = runner.invoke(args=["standards", "import", str(changed)])
    assert result.exit_code == 1
    assert "already imported with different content" in result.output
    assert _counts(count_rows) == (1, 1, 7, 58)
    changed.write_text(
        DEFAULT.replace("points: 3", "points: 4", 1).replace('"2026.3"', '"2026.4"'),
        encoding="utf-8",
    )
    result = runner.invoke(args=["standards", "import", str(changed)])
    assert result.exit_code == 0, result.output
    assert _counts(count_rows) == (1, 2, 14, 116)
    listing = runner.invoke(args=["standards", "list"])
    assert "v2026.3" in listing.output and "v2026.4" in listing.output
    assert "processes 20" in listing.output


def test_bad_file_imports_nothing_and_names_the_fault(runner, tmp_path, count_rows):
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEFAULT.replace("        answer: level\n", "        answer: levels\n", 1))
    result = runner.invoke(args=["standards", "import", str(bad)])
    assert result.exit_code == 1
    assert "nothing imported" in result.output
    assert "criterion NL01: answer must be one of level, number, yes_no" in result.output
    assert _counts(count_rows) == (0, 0, 0, 0)
    assert count_rows(AuditEntry) == 0


def test_missing_file(runner):
    result = runner.invoke(args=["standards", "import", "/nonexistent/standard.yaml"])
    assert result.exit_code == 1
    assert "cannot read" in result.output


def test_list_when_empty(runner):
    result = runner.invoke(args=["standards", "list"])
    assert "No standard imported yet" in result.output


def test_version_stores_weights_and_criteria(standard_version):
    assert standard_version.weights()["processes"] == 20
    gate = next(c for c in standard_version.criteria if c.code == "TD03")
    assert gate.mandatory and gate.answer_type == "yes_no" and gate.evidence_kinds == ["photo"]
    number = next(c for c in standard_version.criteria if c.code == "HS02")
    assert number.target == 100 and number.unit == "%"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 200),
        ("inspector", 403),
        ("inspector_other", 403),
        ("manager", 403),
        ("manager_other", 403),
        ("officer", 403),
        (None, 302),
    ],
)
def test_standard_pages_are_for_admins(client, auth, users, standard_version, who, expected):
    if who:
        auth.login(users[who])
    for url in ("/standards/", f"/standards/versions/{standard_version.id}"):
        assert client.get(url).status_code == expected, url


def test_standard_page_in_both_languages(client, auth, users, standard_version):
    auth.login(users["admin"])
    page = client.get(f"/standards/versions/{standard_version.id}").get_data(as_text=True)
    assert "Công chức đeo thẻ công chức khi thi hành công vụ" in page
    assert "QĐ 06/2008/QĐ-BNV" in page
    client.get("/account/language/en")
    refresh()  # the test keeps one app context, where Flask-Babel caches the locale
    page = client.get(f"/standards/versions/{standard_version.id}").get_data(as_text=True)
    assert "Staff wear the civil-servant card on duty" in page
    assert "Mandatory gate" in page


def test_unknown_version_is_404(client, auth, users):
    auth.login(users["admin"])
    assert client.get("/standards/versions/999").status_code == 404
