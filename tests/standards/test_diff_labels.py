"""The differences between two standard versions read as an admin speaks: translated field
names, the criterion's code and text, values in Vietnamese number format."""

from __future__ import annotations

import io

from portal.extensions import db
from portal.standards import services
from portal.standards.loader import parse_standard

V2026 = services.DEFAULT_STANDARD_FILE.parent / "mot_cua_so_phu_tho_2026.1.yaml"
TEXT = V2026.read_text(encoding="utf-8")
NEW_CRITERION = (
    "      - code: NL09\n"
    "        text_vi: Công chức được tập huấn kỹ năng số ít nhất một lần mỗi năm\n"
    "        text_en: Staff are trained in digital skills at least once a year\n"
    "        legal_basis: Kế hoạch của tỉnh\n"
    "        confidence: province_practice\n"
    "        answer: level\n"
    "        points: 1.5\n"
    "        evidence: [document]\n"
)


def _changed_file() -> str:
    """2026.1 with personnel at 14.5 % (equipment 15.5 %), NL02's points 2 → 2.5, its
    Vietnamese text reworded, and a new criterion NL09; version 2026.9."""
    text = TEXT.replace('version: "2026.1"', 'version: "2026.9"', 1)
    head, personnel = text.split("  - code: personnel\n", 1)
    personnel = personnel.replace("    weight: 15\n", "    weight: 14.5\n", 1)
    personnel = personnel.replace("        points: 2\n", "        points: 2.5\n", 1)
    personnel = personnel.replace(
        "text_vi: Công chức có phẩm chất đạo đức tốt, tinh thần trách nhiệm cao",
        "text_vi: Công chức có phẩm chất đạo đức tốt và tinh thần trách nhiệm cao",
    )
    personnel = personnel.replace("      - code: NL02\n", NEW_CRITERION + "      - code: NL02\n", 1)
    before, equipment = personnel.split("  - code: equipment\n", 1)
    equipment = equipment.replace("    weight: 15\n", "    weight: 15.5\n", 1)
    return head + "  - code: personnel\n" + before + "  - code: equipment\n" + equipment


def test_changes_carry_labels_texts_and_vietnamese_numbers(app):
    old = services.import_standard(services.load_file(V2026), actor=None).version
    changes = services.diff_versions(old, parse_standard(_changed_file()))
    by = {(c.code, c.field): c for c in changes}
    weight = by[("personnel", "weight")]
    assert (weight.field_label, weight.old_shown, weight.new_shown) == ("Trọng số", "15", "14,5")
    assert weight.text == "Nhân lực" and weight.subject == "area"
    points = by[("NL02", "points")]
    assert (points.field_label, points.old_shown, points.new_shown) == ("Điểm", "2", "2,5")
    assert points.text.startswith("Công chức có phẩm chất đạo đức tốt và")
    text = by[("NL02", "text_vi")]
    assert text.field_label == "Nội dung"
    added = by[("NL09", "points")]
    assert added.kind == "added" and added.new_shown == "1,5" and added.old_shown == "–"
    assert added.text == "Công chức được tập huấn kỹ năng số ít nhất một lần mỗi năm"


def test_flags_and_codes_are_shown_as_words(app):
    assert services.shown_value("mandatory", True) == "có"
    assert services.shown_value("na_allowed", False) == "không"
    assert services.shown_value("answer_type", "yes_no") == "có hoặc không (yes_no)"
    assert services.shown_value("target", None) == "–"
    assert services.shown_value("target", 1234.5) == "1.234,5"


def test_the_upload_preview_shows_labels_not_field_names(client, auth, users):
    services.import_standard(services.load_file(V2026), actor=None)
    db.session.commit()
    auth.login(users["admin"])
    response = client.post(
        "/standards/upload",
        data={"file": (io.BytesIO(_changed_file().encode()), "v.yaml"), "preview": "1"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    table = response.get_data(as_text=True).split('id="changes"', 1)[1].split("</table>", 1)[0]
    for raw in ("text_vi", ">points<", ">weight<", "15.0", "14.5"):
        assert raw not in table, raw
    assert "<td>Trọng số</td><td>15</td><td>14,5</td>" in table
    assert "<td>Điểm</td><td>2</td><td>2,5</td>" in table
    assert "<strong>Tiêu chí NL09</strong>" in table
    assert "Công chức được tập huấn kỹ năng số ít nhất một lần mỗi năm" in table
    assert (
        '<strong>Lĩnh vực personnel</strong><br><span class="change-text">Nhân lực</span>' in table
    )
