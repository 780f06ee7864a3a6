"""Poster PDFs and QR images decode, with an independent reader, to exactly the rating URL."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from portal.ratings import services
from tests.pdftext import printed_text as read_pdf_pages

BASE = "https://danhgia.example.vn"


def decode_pdf(data: bytes) -> list[list[str]]:
    pdf = pypdfium2.PdfDocument(data)
    try:
        pages = []
        for page in pdf:
            image = page.render(scale=2).to_pil()
            pages.append([r.text for r in zxingcpp.read_barcodes(image)])
            page.close()
        text = [" ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]
    finally:
        pdf.close()
    return pages, text


def test_cli_posters_decode_to_the_rating_url(runner, center, app, tmp_path):
    out = tmp_path / "posters.pdf"
    result = runner.invoke(args=["qr", "posters", "--center", center.code, "--out", str(out)])
    assert result.exit_code == 0, result.output
    pages, text = decode_pdf(out.read_bytes())
    with app.test_request_context():
        expected = [[f"{BASE}/r/{services.counter_token(c)}"] for c in center.counters]
        codes = [services.counter_short_code(c) for c in center.counters]
    assert pages == expected
    assert "Quầy số 1" in text[0] and "Rất không hài lòng" in text[0]
    assert codes[0][-5:] in text[0].replace("-", "")


def printed_text(data: bytes, tmp_path) -> list[str]:
    return read_pdf_pages(data)


def test_every_poster_prints_its_short_code_under_the_help_line(
    runner, center, other_center, app, tmp_path
):
    """Under "Không quét được?" each poster prints its own counter's short code, also when
    a long center name and counter field take more room."""
    other_center.name = "Trung tâm Phục vụ hành chính công " + "xã có tên rất dài " * 6
    other_center.counters[0].field = "Hộ tịch, chứng thực, đất đai " * 5
    from portal.extensions import db

    db.session.commit()
    out = tmp_path / "all.pdf"
    result = runner.invoke(args=["qr", "posters", "--all", "--out", str(out)])
    assert result.exit_code == 0, result.output
    pages = printed_text(out.read_bytes(), tmp_path)
    with app.test_request_context():
        from portal.ratings.cli import active_counters
        from portal.shared import qr

        counters = active_counters(None)
        codes = [qr.format_short_code(services.counter_short_code(c)) for c in counters]
    assert len(pages) == len(codes) >= 2
    for page, code in zip(pages, codes, strict=True):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        help_line = next(i for i, line in enumerate(lines) if "Không quét được?" in line)
        assert code in lines[help_line + 1 :], (code, lines)


def test_cli_all_and_usage_errors(runner, center, other_center, tmp_path):
    out = tmp_path / "all.pdf"
    assert runner.invoke(args=["qr", "posters", "--all", "--out", str(out)]).exit_code == 0
    pages, _ = decode_pdf(out.read_bytes())
    assert len(pages) == len(center.counters) + len(other_center.counters)
    assert runner.invoke(args=["qr", "posters", "--out", str(out)]).exit_code != 0
    bad = runner.invoke(args=["qr", "posters", "--center", "nope", "--out", str(out)])
    assert bad.exit_code != 0 and "no center" in bad.output


def test_portal_downloads_decode(client, auth, users, center, app):
    auth.login(users["manager"])
    counter = center.counters[0]
    with app.test_request_context():
        expected = f"{BASE}/r/{services.counter_token(counter)}"
    pdf = client.get(f"/ratings/{center.code}/posters.pdf")
    assert pdf.mimetype == "application/pdf"
    pages, _ = decode_pdf(pdf.data)
    assert pages[0] == [expected]
    png = client.get(f"/ratings/{center.code}/counters/{counter.id}/qr.png")
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))] == [expected]
    svg = client.get(f"/ratings/{center.code}/counters/{counter.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


@pytest.mark.parametrize("path", ["posters.pdf", "counters/{cid}/qr.png", "qr"])
def test_revoked_poster_is_replaced_in_downloads(client, auth, users, center, app, path):
    auth.login(users["manager"])
    counter = center.counters[0]
    with app.test_request_context():
        old = services.counter_token(counter)
    response = client.post(f"/ratings/{center.code}/counters/{counter.id}/revoke")
    assert response.status_code == 302
    body = client.get(f"/ratings/{center.code}/" + path.format(cid=counter.id))
    assert body.status_code == 200
    if path == "qr":
        assert old not in body.get_data(as_text=True)


def test_cli_refuses_to_print_without_a_public_address(runner, center, app, tmp_path):
    app.config["PUBLIC_BASE_URL"] = ""
    out = tmp_path / "p.pdf"
    result = runner.invoke(args=["qr", "posters", "--center", center.code, "--out", str(out)])
    assert result.exit_code != 0 and "PUBLIC_BASE_URL" in result.output
    assert not out.exists()
    ok = runner.invoke(
        args=[
            "qr",
            "posters",
            "--center",
            center.code,
            "--out",
            str(out),
            "--base-url",
            "https://hcc.phutho.gov.vn",
        ]
    )
    assert ok.exit_code == 0
    pages, _ = decode_pdf(out.read_bytes())
    assert pages[0][0].startswith("https://hcc.phutho.gov.vn/r/c")
