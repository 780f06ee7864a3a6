"""The checklist for a manager on a phone: areas one at a time, missing answers as links,
progress bars that agree with their labels, a next step after submission, a printable view."""

from __future__ import annotations

import re

import sqlalchemy as sa

from portal.assessments.models import Answer
from portal.extensions import db

from .conftest import criterion
from .test_flow import _complete_answers, _fields


def _areas(html: str) -> dict[str, bool]:
    """Area code → whether its <details> is open."""
    return {
        code: bool(is_open)
        for code, is_open in re.findall(r'<details class="area" id="area-(\w+)"( open)?>', html)
    }


def _missing_links(html: str) -> dict[str, str]:
    section = html[html.index('id="missing"') :]
    section = section[: section.index("</section>")]
    return dict(
        (code, href)
        for href, code in re.findall(
            r'<li data-missing="\d+"><a href="([^"]*)"><span class="code">(\w+)</span>', section
        )
    )


def test_all_areas_collapse_and_one_area_at_a_time(client, auth, users, assessment):
    version = assessment.period.standard_version
    codes = [a.code for a in version.areas]
    assert len(codes) >= 4
    auth.login(users["manager"])
    url = f"/assessments/{assessment.id}"
    areas = _areas(client.get(url).get_data(as_text=True))
    assert list(areas) == codes and all(areas.values())  # collapsible, all open by default
    second = codes[1]
    html = client.get(f"{url}?area={second}").get_data(as_text=True)
    areas = _areas(html)
    assert [code for code, is_open in areas.items() if is_open] == [second]
    # Every criterion is still in the form (closed areas keep their answers).
    assert html.count('class="criterion') == len(version.criteria)
    # The area menu links to each area alone; each area offers the next one.
    for code in codes:
        assert f'href="{url}?area={code}#area-{code}"' in html
    assert f'name="goto" value="{codes[2]}"' in html
    # An unknown area shows everything.
    assert all(_areas(client.get(f"{url}?area=XX").get_data(as_text=True)).values())


def test_save_and_go_to_the_next_area(client, auth, users, assessment):
    version = assessment.period.standard_version
    first, second = version.areas[0], version.areas[1]
    c = first.criteria[0]
    auth.login(users["manager"])
    response = client.post(
        f"/assessments/{assessment.id}",
        data=_fields(c, choice="met" if c.answer_type == "level" else "yes", number="1")
        | {"goto": second.code},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/assessments/{assessment.id}?area={second.code}#area-{second.code}"
    )
    assert db.session.scalars(sa.select(Answer)).one().criterion_id == c.id
    bad = client.post(f"/assessments/{assessment.id}", data={"goto": "../../x"})
    assert bad.headers["Location"].endswith(f"/assessments/{assessment.id}")


def test_missing_answers_are_links_to_the_criteria(client, auth, users, assessment):
    version = assessment.period.standard_version
    auth.login(users["manager"])
    url = f"/assessments/{assessment.id}"
    client.post(url, data=_complete_answers(version, skip={"NL03", "TD03", "HS02"}))
    html = client.get(url).get_data(as_text=True)
    links = _missing_links(html)
    assert links == {"NL03": "#c-NL03", "TD03": "#c-TD03", "HS02": "#c-HS02"}
    for code in links:
        assert f'id="c-{code}"' in html  # each link has its target
    assert 'data-bind="missing-count">3<' in html
    # Walking one area: links to criteria of other areas open that area.
    nl = criterion(version, "NL03").area.code
    td = criterion(version, "TD03").area.code
    assert nl != td
    links = _missing_links(client.get(f"{url}?area={nl}").get_data(as_text=True))
    assert links["NL03"] == "#c-NL03"
    assert links["TD03"] == f"{url}?area={td}#c-TD03"
    # A failed submission says which are missing, and the list is there to jump to them.
    response = client.post(url, data={"action": "submit"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "NL03" in page[page.index('class="flashes"') :] and 'id="missing"' in page


def test_json_autosave_reports_what_is_missing(client, auth, users, assessment):
    version = assessment.period.standard_version
    auth.login(users["manager"])
    c = criterion(version, "NL02")
    response = client.post(
        f"/assessments/{assessment.id}",
        data=_fields(c, choice="met") | {"action": "autosave"},
        headers={"Accept": "application/json"},
    )
    data = response.get_json()
    # An informational criterion (0 points, such as TD05) is never missing.
    scored = [x for x in version.criteria if x.points > 0]
    assert len(data["missing"]) == len(scored) - 1 and c.id not in data["missing"]


def test_progress_bars_show_the_same_figure_as_their_labels(client, auth, users, assessment):
    version = assessment.period.standard_version
    auth.login(users["manager"])
    url = f"/assessments/{assessment.id}"
    client.post(url, data=_complete_answers(version, skip={"NL03", "NL05", "TD03"}))
    html = client.get(url).get_data(as_text=True)
    checked = 0
    for area in version.areas:
        labels = re.findall(rf'<span data-area-answered="{area.code}">(\d+)</span>/(\d+)', html)
        bars = re.findall(rf'<progress max="(\d+)" value="(\d+)" data-area-bar="{area.code}"', html)
        assert labels and bars and len(labels) == len(bars)
        for (answered, total), (bar_max, bar_value) in zip(labels, bars, strict=True):
            assert (answered, total) == (bar_value, bar_max), area.code
            checked += 1
        expected = sum(1 for c in area.criteria if c.code not in {"NL03", "NL05", "TD03"})
        assert int(labels[0][0]) == expected and int(labels[0][1]) == len(area.criteria)
    assert checked == 2 * len(version.areas)  # the area menu and each area's heading
    overall = re.search(r'<progress class="overall" max="(\d+)" value="(\d+)"', html).groups()
    assert overall == (str(len(version.criteria)), str(len(version.criteria) - 3))


def test_after_submission_a_clear_next_step(client, auth, users, assessment):
    version = assessment.period.standard_version
    auth.login(users["manager"])
    url = f"/assessments/{assessment.id}"
    client.post(url, data=_complete_answers(version) | {"action": "submit", "confirm": "1"})
    html = client.get(url).get_data(as_text=True)
    step = html[html.index('id="next-step"') :]
    step = step[: step.index("</section>")]
    assert "Bước tiếp theo" in step and "thẩm định" in step
    assert f'href="/assessments/{assessment.id}/print"' in step
    assert 'href="/assessments/"' in step
    assert 'id="missing"' not in html and 'name="goto"' not in html


def test_printable_view_lists_every_answer(client, auth, users, assessment):
    version = assessment.period.standard_version
    auth.login(users["manager"])
    url = f"/assessments/{assessment.id}"
    client.post(
        url,
        data=_complete_answers(version, skip={"TD03"})
        | _fields(criterion(version, "NL02"), choice="partial", note="Đang bồi dưỡng"),
    )
    assert 'href="/assessments/' in client.get(url).get_data(as_text=True)
    html = client.get(f"{url}/print").get_data(as_text=True)
    rows = re.findall(r'<tr id="c-(\w+)">', html)
    assert rows == [c.code for a in version.areas for c in a.criteria]
    nl02 = html[html.index('id="c-NL02"') :]
    nl02 = nl02[: nl02.index("</tr>")]
    assert "Đạt một phần" in nl02 and "Đang bồi dưỡng" in nl02
    td03 = html[html.index('id="c-TD03"') :]
    assert "chưa trả lời" in td03[: td03.index("</tr>")]
    assert "<input" not in html.split('<article class="printable">')[1]  # nothing to fill in
    assert "data-print" in html and "css/staff.css" in html


def test_inspector_reads_the_gaps_and_prints(client, auth, users, assessment):
    auth.login(users["inspector"])
    url = f"/assessments/{assessment.id}"
    html = client.get(url).get_data(as_text=True)
    assert 'id="missing"' in html  # what the center has not answered yet
    assert '<input type="radio"' not in html and 'name="goto"' not in html
    assert client.get(f"{url}/print").status_code == 200
