"""Honest legal basis: no criterion on a replaced text (ND 61/2018, ND 107/2021, TT 01/2018,
QĐ 06/2008) is shown as verified, and administrators are warned when a mandatory gate rests
on such a basis (DOMAIN.md §0)."""

from __future__ import annotations

import io

from flask_babel import refresh

from portal.extensions import db
from portal.standards import services
from portal.standards.loader import basis_warnings, parse_standard, replaced_texts

DATA = services.DEFAULT_STANDARD_FILE.parent
OLD_FILE = DATA / "mot_cua_so_phu_tho_2026.2.yaml"


def test_no_criterion_on_the_four_replaced_texts_is_verified():
    spec = services.load_file(services.DEFAULT_STANDARD_FILE)
    citing = {c.code: c for c in spec.criteria if replaced_texts(c.legal_basis)}
    # TT 01/2018 is caught too, and CS07, BM03 and BM01 were "verified" on it in 2026.2.
    assert {"CS07", "BM01", "BM03", "CS02", "TD03", "NL01", "QT09"} <= set(citing)
    assert {c.confidence for c in citing.values()} == {"unverified"}
    # Each says what replaced the text it cites.
    for code in ("CS07", "BM01", "BM03"):
        assert "NĐ 118/2025/NĐ-CP" in citing[code].legal_basis, code
        assert "TT 03/2025/TT-VPCP" in citing[code].legal_basis, code
    assert basis_warnings(spec) == []
    # Texts still in force are not caught.
    assert replaced_texts("NĐ 118/2025/NĐ-CP; TT 03/2025/TT-VPCP nhiệm vụ 2") == ()


def test_the_previous_version_is_kept_and_flagged_by_the_loader():
    old = services.load_file(OLD_FILE)
    assert old.version == "2026.2"
    warned = {w.split(":")[0] for w in basis_warnings(old)}
    assert {"criterion CS07", "criterion BM01", "criterion BM03"} <= warned
    assert any("BM01" in w and "mandatory gate" in w for w in basis_warnings(old))


def test_an_older_version_in_the_database_is_shown_unverified(app):
    """A period pinned to 2026.2 keeps its version, but its labels are shown honestly."""
    old = services.import_standard(services.load_file(OLD_FILE), actor=None).version
    db.session.commit()
    by_code = {c.code: c for c in old.criteria}
    assert by_code["BM01"].confidence == "verified"  # the stored version is never edited
    assert by_code["BM01"].basis_confidence == "unverified" and by_code["BM01"].relabelled
    assert by_code["QT01"].basis_confidence == "verified" and not by_code["QT01"].relabelled
    assert {c.code for c in old.unverified_gates} == {"BM01", "CS02", "TD03"}


def test_version_page_warns_about_gates_on_an_unverified_basis(
    client, auth, users, standard_version
):
    auth.login(users["admin"])
    url = f"/standards/versions/{standard_version.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="unverified-gates"' in page
    warning = page.split('id="unverified-gates"')[1].split("</div>")[0]
    for code in ("BM01", "CS02", "TD03"):
        assert f'href="#c-{code}"' in warning
    assert "QT01" not in warning  # a gate on Decree 118/2025 is verified
    assert "3 tiêu chí bắt buộc dựa trên căn cứ pháp lý chưa được kiểm chứng" in page
    assert "Nghị định 118/2025/NĐ-CP" in page  # what replaced Decree 61/2018
    cs07 = page.split('id="c-CS07"')[1].split("</tr>")[0]
    assert 'data-confidence="unverified"' in cs07
    client.get("/account/language/en")
    refresh()
    page = client.get(url).get_data(as_text=True)
    assert "3 mandatory gates rest on a legal basis not verified in the current law" in page
    assert "it is most probably replaced by Circular 03/2025/TT-VPCP" in page
    index = client.get("/standards/").get_data(as_text=True)
    assert "Mandatory gates on an unverified basis" in index and "BM01" in index


def test_older_version_page_says_what_it_labelled(client, auth, users, app):
    old = services.import_standard(services.load_file(OLD_FILE), actor=None).version
    db.session.commit()
    auth.login(users["admin"])
    page = client.get(f"/standards/versions/{old.id}").get_data(as_text=True)
    bm01 = page.split('id="c-BM01"')[1].split("</tr>")[0]
    assert 'data-confidence="unverified"' in bm01
    assert "phiên bản này ghi là" in bm01 and "verified" in bm01


def test_upload_preview_lists_overclaimed_criteria(client, auth, users):
    auth.login(users["admin"])
    text = OLD_FILE.read_text(encoding="utf-8")
    response = client.post(
        "/standards/upload",
        data={"file": (io.BytesIO(text.encode("utf-8")), "old.yaml"), "preview": "1"},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    box = page.split('id="overclaimed"')[1].split("</div>")[0]
    assert "BM01 (verified)" in box and "CS07 (verified)" in box and "NL01" not in box


def test_parse_keeps_working_on_every_shipped_version():
    for path in sorted(DATA.glob("*.yaml")):
        parse_standard(path.read_text(encoding="utf-8"))
