"""The checklist's outcome criteria (QT10 on-time share, QT11 online share) show the imported
dossier figures as hints with their source; a hint never answers the criterion."""

from __future__ import annotations

import pytest

from portal.assessments import services as assessment_services
from portal.assessments.models import Answer
from portal.assessments.services import today_local
from portal.extensions import db
from portal.rankings import sources
from portal.statistics import importers, services


@pytest.fixture
def assessment(period, center, users):
    a = assessment_services.start_assessment(period, center, actor=users["manager"])
    db.session.commit()
    return a


def _import(center, month):
    text = (
        "Mã trung tâm;Quầy;Tháng;Tiếp nhận;Đúng hạn;Trễ hạn;Trả lại;Trực tuyến\n"
        f"{center.code};1;{month:%m/%Y};1.000;720;80;50;450\n"
        f"{center.code};;{month:%m/%Y};200;150;50;0;150\n"
    )
    rows = importers.read_dossier_csv(text.encode(), today=today_local())
    services.import_dossiers(rows, actor=None, source="motcua-thang.csv")
    db.session.commit()


def test_without_statistics_the_hint_says_so(app, period, center):
    value = sources.compute("dossiers_on_time", center, period)
    assert not value.available
    assert value.text == "Chưa có thống kê hồ sơ nào được nhập cho kỳ này."


def test_the_hints_show_the_figures_and_the_source(client, auth, users, assessment, center):
    _import(center, today_local())
    on_time = sources.compute("dossiers_on_time", center, assessment.period)
    # (720 + 150) on time of (800 + 200) settled; (450 + 150) online of 1.200 received.
    assert on_time.text.startswith("87,0% trong 1.000 hồ sơ đã giải quyết đúng hạn trong kỳ.")
    assert "motcua-thang.csv" in on_time.text
    online = sources.compute("dossiers_online_share", center, assessment.period)
    assert online.text.startswith("50,0% trong 1.200 hồ sơ được tiếp nhận trực tuyến")
    auth.login(users["manager"])
    page = client.get(f"/assessments/{assessment.id}?area=processes").get_data(as_text=True)
    assert "87,0% trong 1.000 hồ sơ" in page and "motcua-thang.csv" in page
    assert db.session.query(Answer).count() == 0, "a hint never answers"
