"""The queue's filters, search and paging; visits with photos and their PDF report;
corrective actions from creation to confirmation; refusals shown as translated messages."""

from __future__ import annotations

import io
from datetime import timedelta

import pypdfium2
import sqlalchemy as sa
from PIL import Image

from portal.assessments import services as checklist
from portal.assessments.models import Evidence
from portal.extensions import db
from portal.inspections import services
from portal.inspections.models import CorrectiveAction, ReviewItem, Visit

from ..assessments.test_evidence import _gps_exif
from .conftest import accept_all, criterion, full_marks, make_photo


def _submit(assessment, manager, version):
    checklist.save_answers(assessment, full_marks(version), actor=manager)
    checklist.submit(assessment, actor=manager)


def test_queue_filters_search_without_diacritics_and_pages(
    app, client, auth, users, reviewing, other_assessment, create_center
):
    create_center("07999", name="Trung tâm Phục vụ hành chính công xã Hy Cương")
    auth.login(users["inspector"])
    page = client.get("/inspections/").get_data(as_text=True)
    for name in ("phường Việt Trì", "phường Nông Trang", "xã Hy Cương"):
        assert name in page
    assert "Đang thẩm định" in page and "Đang soạn" in page and "Chưa bắt đầu" in page
    page = client.get("/inspections/?q=viet+tri").get_data(as_text=True)
    assert "phường Việt Trì" in page and "Nông Trang" not in page
    page = client.get("/inspections/?status=not_started").get_data(as_text=True)
    assert "Hy Cương" in page and "Việt Trì" not in page
    page = client.get("/inspections/?status=under_review&level=province").get_data(as_text=True)
    assert "Việt Trì" not in page
    app.config["PER_PAGE"] = 1
    first = client.get("/inspections/?sort=name").get_data(as_text=True)
    second = client.get("/inspections/?sort=name&page=2").get_data(as_text=True)
    assert "Trang 1/3" in first and "Trang 2/3" in second
    assert ("Nông Trang" in first) and ("Nông Trang" not in second) and "Việt Trì" in second
    # The far inspector sees none of these centers.
    auth.logout()
    auth.login(users["inspector_other"])
    assert "Việt Trì" not in client.get("/inspections/").get_data(as_text=True)


def test_queue_shows_scores_reuse_warnings_and_overdue_actions(
    client, auth, users, reviewing, other_assessment, standard_version
):
    inspector = users["inspector"]
    td03 = criterion(standard_version, "TD03")
    same = make_photo(11)
    for assessment, manager in ((other_assessment, users["manager_other"]),):
        auth.login(manager)
        client.post(
            f"/assessments/{assessment.id}",
            data={f"c{td03.id}-file": (io.BytesIO(same), "a.jpg")},
            content_type="multipart/form-data",
        )
        auth.logout()
    inspection = reviewing
    accept_all(inspection, inspector)
    services.finalize(inspection, actor=inspector)
    # Same photo for the reviewed center, added by the inspector on a visit.
    clean = checklist_clean(same)
    services.add_evidence(
        inspection,
        td03,
        clean,
        storage_name="x" * 32 + ".jpg",
        original_name="v.jpg",
        actor=inspector,
    )
    services.create_action(
        inspection,
        td03,
        description="Đeo thẻ",
        owner="Giám đốc",
        due_on=checklist.today_local() - timedelta(days=2),
        actor=inspector,
    )
    db.session.commit()
    auth.login(inspector)
    page = client.get("/inspections/?status=finalized").get_data(as_text=True)
    assert "tự đánh giá 100,0" in page and "thẩm định 100,0" in page
    assert "Đạt chuẩn" in page
    assert "1 ảnh dùng lại" in page
    assert "1 biện pháp khắc phục đang mở" in page and "1 quá hạn" in page
    assert "Việt Trì" in client.get("/inspections/?standardized=yes").get_data(as_text=True)
    assert "Việt Trì" not in client.get("/inspections/?standardized=no").get_data(as_text=True)


def checklist_clean(data: bytes):
    from portal.assessments import evidence as files

    return files.clean_upload(data, max_bytes=10 * 1024 * 1024, max_pixels=40_000_000)


def test_visit_photo_goes_through_the_pipeline_and_the_report_is_vietnamese(
    client, auth, users, reviewing, standard_version, tmp_path
):
    cs02 = criterion(standard_version, "CS02")
    auth.login(users["inspector"])
    original = make_photo(21, exif=_gps_exif())
    response = client.post(
        f"/inspections/{reviewing.id}/visits/new",
        data={
            "visited_on": checklist.today_local().isoformat(),
            "team": "Nguyễn Văn Hùng, trưởng đoàn\nTrần Thị Lan",
            "summary": "Trụ sở khang trang",
            f"finding-{cs02.id}": "Chưa có quầy ưu tiên cho người cao tuổi",
            f"photo-{cs02.id}": (io.BytesIO(original), "quay.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    visit = db.session.scalars(sa.select(Visit)).one()
    photo = db.session.scalars(sa.select(Evidence)).one()
    assert visit.findings[0].evidence_id == photo.id
    stored = (tmp_path / "evidence" / photo.storage_name).read_bytes()
    assert b"PhoneMaker" not in stored and dict(Image.open(io.BytesIO(stored)).getexif()) == {}
    history = services.history(reviewing)[cs02.id]
    assert "finding" in [e.kind for e in history]
    response = client.get(f"/inspections/visits/{visit.id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.data)
    text = pdf[0].get_textpage().get_text_range()
    assert "BIÊN BẢN KIỂM TRA THỰC TẾ" in text
    assert "Chưa có quầy ưu tiên cho người cao tuổi" in text
    assert "Trung tâm Phục vụ hành chính công phường Việt Trì" in text
    # A visit in the future, or without a team, is refused and nothing is stored.
    response = client.post(
        f"/inspections/{reviewing.id}/visits/new",
        data={
            "visited_on": (checklist.today_local() + timedelta(days=3)).isoformat(),
            "team": "Đoàn",
        },
    )
    assert response.status_code == 200
    assert "Không thể ghi nhận một cuộc kiểm tra chưa diễn ra." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Visit.id))) == 1


def test_corrective_action_closed_with_evidence_then_confirmed(
    client, auth, users, reviewing, standard_version
):
    inspector = users["inspector"]
    accept_all(reviewing, inspector)
    services.finalize(reviewing, actor=inspector)
    db.session.commit()
    td03 = criterion(standard_version, "TD03")
    auth.login(inspector)
    response = client.post(
        f"/inspections/{reviewing.id}/actions",
        data={
            "criterion_id": td03.id,
            "description": "Cấp thẻ công chức cho cán bộ mới",
            "owner": "Giám đốc Trung tâm",
            "due_on": (checklist.today_local() + timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302
    action = db.session.scalars(sa.select(CorrectiveAction)).one()
    auth.logout()
    auth.login(users["manager"])
    page = client.get(f"/inspections/assessments/{reviewing.assessment_id}").get_data(as_text=True)
    assert "Cấp thẻ công chức cho cán bộ mới" in page and "Đánh dấu đã thực hiện" in page
    response = client.post(
        f"/inspections/actions/{action.id}/close",
        data={"note": "Đã cấp thẻ", "file": (io.BytesIO(make_photo(31)), "the.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert action.status == "closed" and action.closed_evidence is not None
    auth.logout()
    auth.login(inspector)
    client.post(f"/inspections/actions/{action.id}/confirm", data={"accept": "1"})
    db.session.expire_all()
    assert action.status == "confirmed" and action.confirmed_by_id == inspector.id


def test_refusals_are_translated_messages_and_change_nothing(
    client, auth, users, reviewing, standard_version
):
    nl02, nl03 = criterion(standard_version, "NL02"), criterion(standard_version, "NL03")
    auth.login(users["inspector"])
    response = client.post(
        f"/inspections/{reviewing.id}/criteria/{nl02.id}/verdict",
        data={"verdict": "adjust", "choice": "partial"},
    )
    response = client.get(response.headers["Location"])
    assert "Hãy nêu lý do điều chỉnh." in response.get_data(as_text=True)
    client.post(
        f"/inspections/{reviewing.id}/criteria/{nl02.id}/verdict",
        data={"verdict": "correct", "reason": "Bổ sung quyết định"},
    )
    client.post(f"/inspections/{reviewing.id}/return", data={"confirm": "1"})
    auth.logout()
    auth.login(users["manager"])
    response = client.post(
        f"/inspections/{reviewing.id}/criteria/{nl03.id}/fix",
        data={"choice": "not_met"},
    )
    response = client.get(response.headers["Location"])
    assert "Đoàn kiểm tra không yêu cầu sửa tiêu chí này." in response.get_data(as_text=True)
    db.session.expire_all()
    answer = next(a for a in reviewing.assessment.answers if a.criterion_id == nl03.id)
    assert answer.choice == "met"
    item = db.session.scalars(sa.select(ReviewItem).where(ReviewItem.criterion_id == nl03.id)).one()
    assert item.changed is False
    # A bad file with a correction: refused, the answer is not changed either.
    response = client.post(
        f"/inspections/{reviewing.id}/criteria/{nl02.id}/fix",
        data={"choice": "partial", "file": (io.BytesIO(b"<html></html>"), "x.jpg")},
        content_type="multipart/form-data",
    )
    response = client.get(response.headers["Location"])
    assert "Chỉ chấp nhận ảnh (JPEG, PNG, WebP, HEIC) và tài liệu PDF." in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    answer = next(a for a in reviewing.assessment.answers if a.criterion_id == nl02.id)
    assert answer.choice == "met"


def test_finalized_page_shows_scores_area_and_criterion_gaps(
    client, auth, users, reviewing, standard_version
):
    inspector = users["inspector"]
    nl02 = criterion(standard_version, "NL02")
    services.record_verdict(
        reviewing,
        nl02,
        services.VerdictInput("adjust", choice="not_met", reason="Chưa đạt"),
        actor=inspector,
    )
    services.accept_remaining(reviewing, actor=inspector)
    services.finalize(reviewing, actor=inspector)
    db.session.commit()
    auth.login(users["manager"])
    page = client.get(f"/inspections/assessments/{reviewing.assessment_id}").get_data(as_text=True)
    # C_verified = 100 − 15·2/19 = 98,42; personnel 17/19 = 89,5 %.
    assert '<dd id="c-verified">98,4</dd>' in page and '<dd id="c-gap">1,6</dd>' in page
    assert "89,5" in page and "10,5" in page
    assert "2,0 trên 2 điểm (tự đánh giá − thẩm định)" in page
    assert "Tạm thời" in page and "Kiến nghị về kết quả này" in page
