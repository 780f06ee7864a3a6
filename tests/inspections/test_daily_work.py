"""Daily work without dead ends: one state per self-assessment on every page, periods that
roll over, C_self from submission, refused forms that keep what was typed, and a
confirmation before every final action."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal.assessments import services as checklist
from portal.assessments.models import AssessmentPeriod
from portal.extensions import db
from portal.inspections import services
from portal.inspections.models import QUEUE_STATUS_LABELS, Inspection, InspectionStatus
from portal.rankings import services as rankings
from portal.rankings.models import ScoreSnapshot

from ..pdftext import printed_text
from .conftest import accept_all, criterion, full_marks


def _label(app, code: str) -> str:
    with app.test_request_context(), force_locale("vi"):
        return str(QUEUE_STATUS_LABELS[code])


def _ask(inspection, version, inspector, *codes):
    for code in codes:
        services.record_verdict(
            inspection,
            criterion(version, code),
            services.VerdictInput("correct", reason=f"Bổ sung minh chứng {code}."),
            actor=inspector,
        )


def _returned(reviewing, standard_version, users):
    _ask(reviewing, standard_version, users["inspector"], "CS07", "TD06")
    services.return_for_correction(reviewing, actor=users["inspector"])
    db.session.commit()
    return reviewing


def _finalized(reviewing, users):
    accept_all(reviewing, users["inspector"])
    services.finalize(reviewing, actor=users["inspector"])
    db.session.commit()
    return reviewing


@pytest.fixture
def make_state(users, standard_version, request):
    """Bring the manager's assessment to a state; return the state's code."""

    def make(state: str) -> str:
        if state == "draft":
            request.getfixturevalue("assessment")
            return "draft"
        if state == "submitted":
            request.getfixturevalue("submitted")
            return "submitted"
        reviewing = request.getfixturevalue("reviewing")
        if state == "under_review":
            return "under_review"
        if state in ("returned", "resubmitted"):
            _returned(reviewing, standard_version, users)
            if state == "resubmitted":
                services.resubmit(reviewing, actor=users["manager"])
                db.session.commit()
            return state
        _finalized(reviewing, users)
        if state == "appealed":
            nl02 = criterion(standard_version, "NL02")
            services.file_appeal(reviewing, {nl02.id: "Không đồng ý"}, actor=users["manager"])
            db.session.commit()
            return "under_appeal"
        return "finalized"

    return make


STATES = ["draft", "submitted", "under_review", "returned", "resubmitted", "finalized", "appealed"]


@pytest.mark.parametrize("state", STATES)
def test_every_page_tells_the_manager_the_same_state(
    app, client, auth, users, center, make_state, state
):
    code = make_state(state)
    label = _label(app, code)
    assessment_id = db.session.scalar(sa.select(sa.func.max(checklist.Assessment.id)))
    auth.login(users["manager"])
    pages = {
        "/start": client.get("/start"),
        "dashboard": client.get(f"/dashboards/centers/{center.code}"),
        "/assessments/": client.get("/assessments/"),
        "/assessments/<id>": client.get(f"/assessments/{assessment_id}"),
    }
    for name, response in pages.items():
        html = response.get_data(as_text=True)
        assert response.status_code == 200, name
        assert f'data-state="{code}"' in html, name
        assert label in html, name
        # No page tells the manager anything else about this assessment.
        others = {s for s in re.findall(r'data-state="([a-z_]+)"', html)}
        assert others == {code}, (name, others)
        if code == "returned":
            assert "CS07" in html and "TD06" in html, name
            assert "không sửa được nữa" not in html, name
            assert f"/inspections/assessments/{assessment_id}#requests" in html, name


def test_the_returned_state_is_an_alert_with_its_next_step(
    client, auth, users, reviewing, standard_version
):
    _returned(reviewing, standard_version, users)
    auth.login(users["manager"])
    html = client.get("/cases/alerts").get_data(as_text=True)
    assert "Bản tự đánh giá bị trả lại để sửa" in html
    assert 'class="row alert-assessment_returned"' in html
    assert "CS07" in html and "TD06" in html
    assert f'href="/inspections/assessments/{reviewing.assessment_id}#requests"' in html
    assert "Sửa các tiêu chí bị trả lại" in html
    # It lasts until the corrections are sent: nothing to acknowledge.
    assert 'name="kind" value="assessment_returned"' not in html
    services.resubmit(reviewing, actor=users["manager"])
    db.session.commit()
    html = client.get("/cases/alerts").get_data(as_text=True)
    assert "alert-assessment_returned" not in html


def test_the_inspector_reads_whose_turn_it_is(app, client, auth, users, center, reviewing):
    auth.login(users["inspector"])
    html = client.get(f"/dashboards/centers/{center.code}").get_data(as_text=True)
    assert 'data-state="under_review"' in html and "Tiếp tục thẩm định" in html


# Periods ------------------------------------------------------------------------------------


def _selected(html: str, value) -> bool:
    """The option of ``value`` is the one selected in the page's period menu."""
    for option in re.findall(r"<option[^>]*>", html):
        if f'value="{value}"' in option:
            return "selected" in option
    return False


def test_an_empty_newer_period_is_not_the_default(
    app, client, auth, users, submitted, create_period, center
):
    q4 = submitted.period
    admin = users["admin"]
    rankings.recompute_snapshots(q4, actor=admin)
    newer = create_period("2027-Q1", days_ago=-5, days_left=90)
    rankings.recompute_snapshots(newer, actor=admin)  # scored, every snapshot empty
    db.session.commit()
    auth.login(users["inspector"])
    html = client.get("/dashboards/").get_data(as_text=True)
    assert _selected(html, q4.code)
    assert "phường Việt Trì" in html
    queue = client.get("/inspections/").get_data(as_text=True)
    assert _selected(queue, q4.id)
    assert _label(app, "submitted") in queue
    # The one chosen is remembered, empty or not.
    client.get(f"/dashboards/?period={newer.code}")
    html = client.get("/dashboards/").get_data(as_text=True)
    assert _selected(html, newer.code)


def test_the_queue_points_to_resubmitted_work_of_another_period(
    client, auth, users, reviewing, standard_version, create_period, other_center
):
    _returned(reviewing, standard_version, users)
    services.resubmit(reviewing, actor=users["manager"])
    newer = create_period("2026-Q2", days_ago=0, days_left=90)
    other = checklist.start_assessment(newer, other_center, actor=users["manager_other"])
    checklist.save_answers(other, full_marks(standard_version), actor=users["manager_other"])
    checklist.submit(other, actor=users["manager_other"])
    db.session.commit()
    auth.login(users["inspector"])
    html = client.get("/inspections/").get_data(as_text=True)
    assert _selected(html, newer.id)
    notice = html[html.index('id="waiting-elsewhere"') :]
    notice = notice[: notice.index("</p>")]
    assert reviewing.assessment.period.code in notice
    assert f"/inspections/?period={reviewing.assessment.period_id}" in notice


def _period_form(version, **overrides):
    today = checklist.today_local()
    return {
        "code": "2027-Q1",
        "name": "Quý I năm 2027",
        "kind": "quarter",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=90)).isoformat(),
        "standard_version_id": str(version.id),
    } | overrides


def test_an_overlapping_period_needs_an_explicit_confirmation(
    client, auth, users, period, standard_version, count_rows
):
    auth.login(users["admin"])
    response = client.post("/assessments/periods/new", data=_period_form(standard_version))
    html = response.get_data(as_text=True)
    assert count_rows(AssessmentPeriod) == 1
    # The warning beside the dates, the values kept, and the box to save anyway.
    error = html[html.index('id="opens_on-error"') :]
    assert f"trùng với kỳ {period.code}" in error[: error.index("</ul>")]
    assert 'value="Quý I năm 2027"' in html
    assert 'name="confirm_dates"' in html
    response = client.post(
        "/assessments/periods/new", data=_period_form(standard_version) | {"confirm_dates": "y"}
    )
    assert response.status_code == 302
    assert count_rows(AssessmentPeriod) == 2


def test_a_backdated_period_needs_a_confirmation(client, auth, users, standard_version, count_rows):
    auth.login(users["admin"])
    past = checklist.today_local() - timedelta(days=20)
    data = _period_form(standard_version, opens_on=past.isoformat())
    html = client.post("/assessments/periods/new", data=data).get_data(as_text=True)
    assert "Kỳ mở từ một ngày đã qua" in html and count_rows(AssessmentPeriod) == 0
    # A period that touches nobody and opens today needs nothing more.
    response = client.post("/assessments/periods/new", data=_period_form(standard_version))
    assert response.status_code == 302 and count_rows(AssessmentPeriod) == 1


# C_self from submission ---------------------------------------------------------------------


def test_c_self_shows_from_submission_on_dashboards_pdf_and_table(
    client, auth, users, assessment, standard_version, center
):
    admin = users["admin"]
    rankings.recompute_snapshots(assessment.period, actor=admin)
    db.session.commit()
    answers = full_marks(standard_version)
    answers[criterion(standard_version, "NL02").id] = checklist.AnswerInput(choice="partial")
    checklist.save_answers(assessment, answers, actor=users["manager"])
    checklist.submit(assessment, actor=users["manager"])
    db.session.commit()
    shown = f"{assessment.self_score:.2f}".replace(".", ",")
    assert assessment.self_score < 100
    snapshot = db.session.scalar(
        sa.select(ScoreSnapshot).where(ScoreSnapshot.center_id == center.id)
    )
    assert snapshot.compliance_self == round(assessment.self_score, 2)
    assert snapshot.compliance_verified is None

    auth.login(users["inspector"])
    dashboard = client.get(f"/dashboards/centers/{center.code}").get_data(as_text=True)
    assert f"tự đánh giá {shown}" in dashboard
    table = client.get("/dashboards/").get_data(as_text=True)
    assert f"<td>{shown}</td>" in table
    pdf = client.get(f"/documents/periods/{assessment.period.code}/centers/{center.code}.pdf")
    assert pdf.status_code == 200
    text = " ".join(" ".join(page.split()) for page in printed_text(pdf.data))
    assert f"C tự đánh giá: {shown}" in text
    # A recompute keeps it.
    rankings.recompute_snapshots(assessment.period, actor=admin)
    db.session.commit()
    db.session.expire_all()
    assert snapshot.compliance_self == round(assessment.self_score, 2)


# Nothing typed is lost ----------------------------------------------------------------------


def test_adjust_without_reason_comes_back_at_the_criterion_with_the_choice(
    client, auth, users, reviewing, standard_version
):
    nl04 = criterion(standard_version, "NL04")
    auth.login(users["inspector"])
    response = client.post(
        f"/inspections/{reviewing.id}/criteria/{nl04.id}/verdict",
        data={"verdict": "adjust", "choice": "partial"},
    )
    assert response.headers["Location"].endswith("#c-NL04")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    article = html[html.index('id="c-NL04"') :]
    article = article[: article.index("</article>")]
    assert 'value="adjust" checked' in article
    assert 'value="partial" checked' in article
    assert "Hãy nêu lý do điều chỉnh." in article  # beside the form, not only at the top
    # Only once: the next visit shows the saved state.
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    article = html[html.index('id="c-NL04"') :]
    assert 'value="adjust" checked' not in article[: article.index("</article>")]


def test_saving_one_checklist_answer_returns_to_it(client, auth, users, assessment):
    version = assessment.period.standard_version
    nl04 = criterion(version, "NL04")
    auth.login(users["manager"])
    html = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert f'formaction="/assessments/{assessment.id}#c-NL04"' in html
    response = client.post(
        f"/assessments/{assessment.id}",
        data={f"c{nl04.id}-present": "1", f"c{nl04.id}-choice": "met", "anchor": "c-NL04"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{assessment.id}#c-NL04")


# Confirmation before final actions --------------------------------------------------------------


def test_final_actions_ask_for_confirmation_first(client, auth, users, reviewing, standard_version):
    auth.login(users["inspector"])
    _ask(reviewing, standard_version, users["inspector"], "CS07")
    db.session.commit()
    # Return for correction: a summary, nothing changed yet.
    response = client.post(f"/inspections/{reviewing.id}/return")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'name="confirm" value="1"' in html
    assert "CS07 (Bổ sung minh chứng CS07.)" in html
    db.session.expire_all()
    assert db.session.get(Inspection, reviewing.id).status == InspectionStatus.UNDER_REVIEW
    client.post(f"/inspections/{reviewing.id}/return", data={"confirm": "1"})
    db.session.expire_all()
    assert db.session.get(Inspection, reviewing.id).status == InspectionStatus.RETURNED

    # The manager's resubmission.
    auth.logout()
    auth.login(users["manager"])
    html = client.post(f"/inspections/{reviewing.id}/resubmit").get_data(as_text=True)
    assert "Chưa sửa từ khi có yêu cầu: CS07" in html
    db.session.expire_all()
    assert db.session.get(Inspection, reviewing.id).status == InspectionStatus.RETURNED
    client.post(f"/inspections/{reviewing.id}/resubmit", data={"confirm": "1"})
    db.session.expire_all()
    assert db.session.get(Inspection, reviewing.id).status == InspectionStatus.RESUBMITTED

    # Accept the rest, then finalize.
    auth.logout()
    auth.login(users["inspector"])
    html = client.post(f"/inspections/{reviewing.id}/accept-rest").get_data(as_text=True)
    assert "CS07" in html and "được chấp nhận" in html
    db.session.expire_all()
    assert all(i.verdict is None for i in db.session.get(Inspection, reviewing.id).items)
    client.post(f"/inspections/{reviewing.id}/accept-rest", data={"confirm": "1"})
    html = client.post(f"/inspections/{reviewing.id}/finalize").get_data(as_text=True)
    assert "Điểm thẩm định 100,0" in html and "kiến nghị" in html
    db.session.expire_all()
    assert db.session.get(Inspection, reviewing.id).status == InspectionStatus.UNDER_REVIEW
    client.post(f"/inspections/{reviewing.id}/finalize", data={"confirm": "1"})
    db.session.expire_all()
    assert db.session.get(Inspection, reviewing.id).status == InspectionStatus.FINALIZED
