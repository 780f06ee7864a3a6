"""Filling in, saving, submitting; periods; reuse of photos across centers and periods."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from portal.accounts.models import Role
from portal.assessments import services
from portal.assessments.evidence import dhash, hamming
from portal.assessments.models import Answer, AssessmentPeriod, Evidence
from portal.assessments.services import AnswerInput
from portal.audit.models import AuditEntry
from portal.extensions import db

from .conftest import criterion, make_photo


def _fields(c, **values) -> dict:
    data = {f"c{c.id}-present": "1"}
    for part, value in values.items():
        data[f"c{c.id}-{part}"] = value
    return data


def _complete_answers(version, *, skip=()) -> dict:
    data = {}
    for c in version.criteria:
        if c.code in skip:
            continue
        if c.answer_type == "number":
            data |= _fields(c, number=str(c.target / 2))
        else:
            data |= _fields(c, choice="met" if c.answer_type == "level" else "yes")
    return data


def test_manager_starts_saves_and_sees_progress(client, auth, users, period, standard_version):
    auth.login(users["manager"])
    page = client.get("/assessments/").get_data(as_text=True)
    assert period.name in page and "Bắt đầu" in page
    response = client.post("/assessments/start", data={"period_id": period.id})
    assert response.status_code == 302
    url = response.headers["Location"]
    c = criterion(standard_version, "NL02")
    n = criterion(standard_version, "HS02")
    response = client.post(
        url, data=_fields(c, choice="partial", note="Đang bồi dưỡng") | _fields(n, number="55")
    )
    assert response.status_code == 302
    answers = {a.criterion.code: a for a in db.session.scalars(sa.select(Answer))}
    assert answers["NL02"].choice == "partial" and answers["NL02"].note == "Đang bồi dưỡng"
    assert answers["HS02"].number == 55
    page = client.get(url).get_data(as_text=True)
    assert '2</strong>/<span data-bind="total">58' in page
    assert 'value="55"' in page


def test_partial_save_does_not_clear_other_answers(
    client, auth, users, assessment, standard_version
):
    a, b = criterion(standard_version, "NL02"), criterion(standard_version, "NL03")
    auth.login(users["manager"])
    client.post(f"/assessments/{assessment.id}", data=_fields(a, choice="met"))
    client.post(
        f"/assessments/{assessment.id}",
        data=_fields(b, choice="not_met"),
        headers={"Accept": "application/json"},
    )
    codes = {x.criterion.code: x.choice for x in db.session.scalars(sa.select(Answer))}
    assert codes == {"NL02": "met", "NL03": "not_met"}


def test_not_applicable_needs_a_justification(client, auth, users, assessment, standard_version):
    c = criterion(standard_version, "CS10")  # N/A allowed
    auth.login(users["manager"])
    response = client.post(f"/assessments/{assessment.id}", data=_fields(c, na="1"))
    assert response.status_code == 422
    assert "Hãy giải thích trong phần ghi chú" in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(Answer)).all() == []
    response = client.post(
        f"/assessments/{assessment.id}", data=_fields(c, na="1", note="Trụ sở tầng trệt")
    )
    assert response.status_code == 302
    answer = db.session.scalars(sa.select(Answer)).one()
    assert answer.not_applicable and answer.note == "Trụ sở tầng trệt"


def test_not_applicable_is_refused_where_not_allowed(assessment, users, standard_version):
    c = criterion(standard_version, "TD03")
    errors = services.save_answers(
        assessment, {c.id: AnswerInput(not_applicable=True, note="x")}, actor=users["manager"]
    )
    assert c.id in errors
    assert assessment.answers == []


@pytest.mark.parametrize(
    ("code", "values"),
    [("HS02", {"number": "abc"}), ("HS02", {"number": "-5"}), ("NL02", {"choice": "yes"})],
)
def test_invalid_values_are_refused(
    client, auth, users, assessment, standard_version, code, values
):
    c = criterion(standard_version, code)
    auth.login(users["manager"])
    response = client.post(
        f"/assessments/{assessment.id}",
        data=_fields(c, **values),
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    assert str(c.id) in response.get_json()["errors"]
    assert db.session.scalars(sa.select(Answer)).all() == []


def test_empty_file_part_means_no_file_chosen(client, auth, users, assessment, standard_version):
    c = criterion(standard_version, "TD03")
    auth.login(users["manager"])
    response = client.post(
        f"/assessments/{assessment.id}",
        data={f"c{c.id}-file": (io.BytesIO(b""), "")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302


def test_submit_requires_every_answer_then_is_read_only(
    client, auth, users, assessment, standard_version
):
    auth.login(users["manager"])
    url = f"/assessments/{assessment.id}"
    response = client.post(
        url, data=_complete_answers(standard_version, skip={"TD07"}) | {"action": "submit"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert not assessment.is_submitted
    page = client.get(url).get_data(as_text=True)
    assert "TD07" in page
    td07 = criterion(standard_version, "TD07")
    response = client.post(
        url, data=_fields(td07, na="1", note="Không có phản ánh trong kỳ") | {"action": "submit"}
    )
    # Every answer is saved, then a confirmation step says what submitting will do.
    assert response.headers["Location"] == f"{url}/submit"
    db.session.expire_all()
    assert not assessment.is_submitted
    assert any(a.criterion_id == td07.id and a.not_applicable for a in assessment.answers)
    step = client.get(f"{url}/submit").get_data(as_text=True)
    score = f"{services.score(assessment).compliance:.1f}".replace(".", ",")
    assert f"điểm tự đánh giá {score}" in step.lower() and "không thể hoàn tác" in step.lower()
    response = client.post(f"{url}/submit")
    assert response.status_code == 302 and response.headers["Location"] == url
    db.session.expire_all()
    assert assessment.is_submitted
    assert assessment.self_score == pytest.approx(services.score(assessment).compliance)
    # Read-only now: no form controls, and changes are refused.
    page = client.get(url).get_data(as_text=True)
    assert 'name="action"' not in page
    c = criterion(standard_version, "NL02")
    assert client.post(url, data=_fields(c, choice="not_met")).status_code == 403
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "assessment.submit" in actions and "assessment.answers" in actions


def test_closed_period_cannot_be_started_or_changed(
    client, auth, users, assessment, create_period, standard_version
):
    closed = create_period("2025-Q4", days_ago=120, days_left=-30)
    auth.login(users["manager"])
    client.post("/assessments/start", data={"period_id": closed.id})
    assert services.find_assessment(closed, users["manager"].center) is None
    assessment.period.closes_on = services.today_local() - timedelta(days=1)
    db.session.commit()
    c = criterion(standard_version, "NL02")
    assert (
        client.post(f"/assessments/{assessment.id}", data=_fields(c, choice="met")).status_code
        == 403
    )


def test_inspector_sees_assessments_in_scope(client, auth, users, assessment, other_assessment):
    auth.login(users["inspector"])
    page = client.get("/assessments/").get_data(as_text=True)
    assert assessment.center.name in page and other_assessment.center.name in page
    auth.logout()
    auth.login(users["inspector_other"])
    page = client.get("/assessments/").get_data(as_text=True)
    assert assessment.center.name not in page


def test_answers_are_audited_with_the_change(assessment, users, standard_version):
    c = criterion(standard_version, "NL02")
    services.save_answers(assessment, {c.id: AnswerInput(choice="met")}, actor=users["manager"])
    services.save_answers(assessment, {c.id: AnswerInput(choice="met")}, actor=users["manager"])
    db.session.commit()
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "assessment.answers")
    ).all()
    assert len(entries) == 1  # saving the same answer again changes nothing
    assert '"NL02"' in entries[0].summary and entries[0].center_id == assessment.center_id


# Periods --------------------------------------------------------------------------------------


def _period_form(version, **overrides) -> dict:
    today = services.today_local()
    data = {
        "code": "2026-q2",
        "name": "Quý II năm 2026",
        "kind": "quarter",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=90)).isoformat(),
        "standard_version_id": str(version.id),
    }
    return data | overrides


def test_admin_creates_and_edits_a_period(client, auth, users, standard_version):
    auth.login(users["admin"])
    response = client.post("/assessments/periods/new", data=_period_form(standard_version))
    assert response.status_code == 302
    period = db.session.scalars(sa.select(AssessmentPeriod)).one()
    assert period.code == "2026-Q2" and period.standard_version_id == standard_version.id
    response = client.post(
        f"/assessments/periods/{period.id}/edit",
        data=_period_form(standard_version, name="Quý 2/2026", code="IGNORED"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert period.name == "Quý 2/2026" and period.code == "2026-Q2"
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("period.create") == 1 and actions.count("period.update") == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"closes_on": "2020-01-01"}, "The closing date must be on or after the opening date."),
        ({"code": "bad code!"}, "Use letters, digits, dots and dashes only."),
        ({"opens_on": "not a date"}, "Not a valid date value."),
    ],
)
def test_period_form_errors(client, auth, users, standard_version, overrides, message, count_rows):
    auth.login(users["admin"])
    client.get("/account/language/en")
    from flask_babel import refresh

    refresh()
    response = client.post(
        "/assessments/periods/new", data=_period_form(standard_version, **overrides)
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count_rows(AssessmentPeriod) == 0


def test_duplicate_period_code_is_refused(client, auth, users, period, standard_version):
    auth.login(users["admin"])
    response = client.post(
        "/assessments/periods/new", data=_period_form(standard_version, code=period.code)
    )
    assert response.status_code == 200
    assert period.code in response.get_data(as_text=True)
    assert len(services.list_periods()) == 1


def test_standard_version_is_locked_once_centers_started(assessment, users, runner, tmp_path):
    from portal.standards import services as standard_services

    text = standard_services.DEFAULT_STANDARD_FILE.read_text(encoding="utf-8")
    newer = tmp_path / "v2.yaml"
    newer.write_text(text.replace('"2026.3"', '"2026.4"'), encoding="utf-8")
    assert runner.invoke(args=["standards", "import", str(newer)]).exit_code == 0
    v2 = standard_services.list_versions()[0]
    assert v2.version == "2026.4"
    period = assessment.period
    with pytest.raises(services.PeriodError):
        services.update_period(
            period,
            actor=users["admin"],
            name=period.name,
            kind=period.kind,
            opens_on=period.opens_on,
            closes_on=period.closes_on,
            standard_version=v2,
        )


# Reuse of photos ------------------------------------------------------------------------------


def _upload(client, assessment, c, data: bytes):
    return client.post(
        f"/assessments/{assessment.id}",
        data={f"c{c.id}-file": (io.BytesIO(data), "p.jpg")},
        content_type="multipart/form-data",
    )


def test_dhash_is_stable_under_reencoding_and_resizing():
    original = Image.open(io.BytesIO(make_photo(20)))
    smaller = original.resize((320, 240))
    out = io.BytesIO()
    smaller.save(out, format="JPEG", quality=60)
    assert hamming(dhash(original), dhash(Image.open(out))) <= services.REUSE_MAX_DISTANCE
    other = Image.open(io.BytesIO(make_photo(21)))
    assert hamming(dhash(original), dhash(other)) > services.REUSE_MAX_DISTANCE


def test_reused_photo_across_centers_is_flagged_for_the_inspector(
    client, auth, users, assessment, other_assessment, standard_version
):
    c = criterion(standard_version, "TD03")
    auth.login(users["manager_other"])
    _upload(client, other_assessment, c, make_photo(30))
    auth.logout()
    # The same photo, resized and re-compressed by another phone, and a genuinely new one.
    image = Image.open(io.BytesIO(make_photo(30))).resize((500, 375))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    auth.login(users["manager"])
    _upload(client, assessment, c, out.getvalue())
    _upload(client, assessment, criterion(standard_version, "CS01"), make_photo(31))
    auth.logout()
    warnings = services.reuse_warnings(assessment)
    mine = db.session.scalars(
        sa.select(Evidence).where(Evidence.assessment_id == assessment.id).order_by(Evidence.id)
    ).all()
    assert list(warnings) == [mine[0].id]
    assert warnings[mine[0].id][0].center_code == other_assessment.center.code
    auth.login(users["inspector"])
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert other_assessment.center.code in page and "⚠" in page


def test_reuse_from_an_earlier_period_of_the_same_center_is_flagged(
    client, auth, users, create_period, center, standard_version
):
    c = criterion(standard_version, "TD03")
    earlier = create_period("2025-Q4", days_ago=100, days_left=10)
    later = create_period("2026-Q1", days_ago=5, days_left=60)
    manager = users["manager"]
    first = services.start_assessment(earlier, center, actor=manager)
    second = services.start_assessment(later, center, actor=manager)
    db.session.commit()
    auth.login(manager)
    _upload(client, first, c, make_photo(40))
    _upload(client, second, c, make_photo(40))
    # The later period is warned about the earlier one; not the other way round.
    later_warnings = services.reuse_warnings(second)
    assert len(later_warnings) == 1
    match = next(iter(later_warnings.values()))[0]
    assert match.same_center and match.period_code == "2025-Q4"
    assert services.reuse_warnings(first) == {}


def test_same_photo_twice_in_one_assessment_is_not_a_reuse(
    client, auth, users, assessment, standard_version
):
    auth.login(users["manager"])
    _upload(client, assessment, criterion(standard_version, "TD03"), make_photo(50))
    _upload(client, assessment, criterion(standard_version, "CS01"), make_photo(50))
    assert services.reuse_warnings(assessment) == {}


@pytest.mark.parametrize("query", ["", "?period=abc", "?period=99999", "?period=-1"])
def test_index_tolerates_any_period_parameter(client, auth, users, assessment, query):
    auth.login(users["inspector"])
    response = client.get(f"/assessments/{query}")
    assert response.status_code == 200
    assert assessment.center.name in response.get_data(as_text=True)


def test_checklist_in_english(client, auth, users, assessment):
    from .conftest import use_english

    auth.login(users["manager"])
    use_english(client)
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "Staff wear the civil-servant card on duty" in page
    assert "Save draft" in page and "Mandatory gate" in page


def test_inspector_overview_lists_centers_not_started(
    client, auth, users, assessment, other_center, standard_version
):
    services.save_answers(
        assessment,
        {criterion(standard_version, "NL02").id: AnswerInput(choice="met")},
        actor=users["manager"],
    )
    db.session.commit()
    rows = services.scope_overview(users["inspector"], assessment.period)
    by_code = {center.code: a for center, a in rows}
    assert by_code[assessment.center.code].id == assessment.id
    assert by_code[other_center.code] is None
    assert "00004" not in by_code  # another province: out of this inspector's scope
    auth.login(users["inspector"])
    page = client.get("/assessments/").get_data(as_text=True)
    assert "Chưa bắt đầu" in page and other_center.name in page
    assert "Đã nộp: 0/2 trung tâm; đã bắt đầu: 1." in page


def test_the_submission_step_lists_what_is_missing_and_refuses_others(
    client, auth, users, assessment, standard_version, create_center, create_user
):
    auth.login(users["manager"])
    url = f"/assessments/{assessment.id}"
    client.post(url, data=_complete_answers(standard_version, skip={"NL03"}))
    step = client.get(f"{url}/submit").get_data(as_text=True)
    assert "NL03" in step and 'id="confirm-btn"' not in step  # nothing to confirm yet
    response = client.post(f"{url}/submit")  # posted anyway: refused, with the reason
    db.session.expire_all()
    assert not assessment.is_submitted
    assert response.headers["Location"].endswith(f"{url}/submit")
    # Another center's manager can neither see the step nor submit.
    other = create_center("07999", name="Trung tâm khác")
    auth.logout()
    auth.login(create_user(Role.MANAGER, center=other, username="other-manager"))
    assert client.get(f"{url}/submit").status_code == 404
    assert client.post(f"{url}/submit").status_code == 404
