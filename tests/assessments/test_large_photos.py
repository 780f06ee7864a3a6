"""Issue 22, finding 3: a 40-megapixel photo was decoded in full, rotated, converted and
resampled at full size (2-3 s and ~160 MB each), so a 10-photo save ran past the worker's
timeout. Photos are now decoded small (JPEG at 1/2-1/8 scale, others shrunk by an integer
factor at once), so every later step works on at most about twice the stored size."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from portal.assessments import evidence as files

SIDE = files.MAX_STORED_SIDE


def _big(fmt: str) -> bytes:
    image = Image.new("RGB", (7300, 5475), (120, 80, 40))  # 40 MP
    draw = ImageDraw.Draw(image)
    for x in range(0, 7300, 400):
        draw.rectangle((x, 0, x + 200, 5475), fill=(x % 256, 200, 30))
    out = io.BytesIO()
    image.save(out, format=fmt, **({"compress_level": 1} if fmt == "PNG" else {}))
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_40_megapixel_photo_is_processed_at_a_bounded_size(monkeypatch, fmt):
    data = _big(fmt)
    seen = []
    for name in ("convert", "transpose", "thumbnail"):
        original = getattr(Image.Image, name)

        def spy(self, *args, _original=original, **kwargs):
            seen.append(self.size)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Image.Image, name, spy)
    clean = files.clean_upload(data, max_bytes=len(data) + 1, max_pixels=40_000_000)
    assert max(clean.width, clean.height) == SIDE
    assert seen and max(w * h for w, h in seen) <= (2 * SIDE) ** 2


def test_a_photo_over_the_pixel_limit_is_refused_with_a_clear_message(app):
    data = _big("JPEG")
    with pytest.raises(files.EvidenceError) as refused:
        files.clean_upload(data, max_bytes=len(data) + 1, max_pixels=24_000_000)
    message = str(refused.value.message)
    assert "39 megapixel" in message and "24" in message
