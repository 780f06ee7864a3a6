"""Checking, cleaning and fingerprinting evidence files (QUALITY.md §2.3).

The type is sniffed from the content, never from the name or the browser's
MIME type. Photos (JPEG, PNG, WebP, and HEIC when pillow-heif is installed) are
decoded under a pixel limit and re-encoded to JPEG, which drops EXIF (GPS
location included) and anything appended to the image. PDFs are kept as they
are after a check of every name in the file (and its inflated streams) and of every
object the parser reads: no scripts, actions, XFA, embedded files or JBIG2. Everything
else (SVG, HTML, ZIP, …) is refused.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import ExifTags, Image, UnidentifiedImageError

from ..shared.errors import PortalError

try:  # HEIC/HEIF photos from iPhones, when the optional decoder is installed.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - depends on the environment
    HEIC_SUPPORTED = False

PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF"}
MAX_STORED_SIDE = 2560
JPEG_QUALITY = 85


class EvidenceError(PortalError):
    """An upload was refused; ``message`` says why, in the user's language."""


@dataclass(frozen=True)
class CleanFile:
    kind: str  # "photo" | "pdf"
    content: bytes
    extension: str
    content_type: str
    width: int | None
    height: int | None
    phash: str | None
    sha256: str


def dhash(image: Image.Image) -> str:
    """64-bit difference hash as 16 hex digits (robust to re-encoding and resizing)."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    px = small.load()
    bits = 0
    for y in range(8):
        for x in range(8):
            bits = (bits << 1) | (1 if px[x, y] > px[x + 1, y] else 0)
    return f"{bits:016x}"


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


#: Action types that run code, send data or open something outside the PDF.
PDF_BAD_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/ImportData",
        "/SubmitForm",
        "/GoToE",
        "/RichMediaExecute",
    }
)
#: Names refused wherever they appear (as a key or a value, in the file's bytes or in a
#: decoded stream): scripts, automatic actions, XFA forms (which carry their own scripts in
#: XML), embedded files, rich media. ``/OpenAction`` is allowed only as a plain destination
#: (``/OpenAction [3 0 R /Fit]``, which many PDF writers add), see :func:`_scan_pdf_bytes`.
PDF_BAD_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/Launch",
        "/AA",
        "/XFA",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/EF",
        "/RichMedia",
    }
)
#: Filters refused: JBIG2 (its decoders have a long record of exploits, e.g. FORCEDENTRY,
#: and the parser cannot decode it). JPXDecode (JPEG 2000) stays accepted: scanners and
#: phones write it, and the portal never decodes a PDF's images.
PDF_BAD_FILTERS = frozenset({"/JBIG2Decode"})
#: Inflating every stream of a 10 MB upload stops after this many bytes in all.
PDF_INFLATE_BUDGET = 200 * 1024 * 1024


class _UnsafePdf(Exception):
    pass


class _JbigPdf(_UnsafePdf):
    pass


class _UnreadablePdf(Exception):
    pass


def _walk_pdf_value(value, depth: int = 0) -> None:
    """Raise :class:`_UnsafePdf` if ``value`` (not following references: every indirect
    object is visited on its own) holds a script, an action or an embedded file."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if depth > 64:
        raise _UnsafePdf("nesting")
    if isinstance(value, DictionaryObject):
        for key, item in value.items():
            if key in PDF_BAD_KEYS:
                raise _UnsafePdf(key)
            if key == "/S" and str(item) in PDF_BAD_ACTIONS:
                raise _UnsafePdf(str(item))
            if key == "/Type" and str(item) in ("/EmbeddedFile", "/Filespec"):
                raise _UnsafePdf(str(item))
            if key == "/OpenAction":
                target = item.get_object() if isinstance(item, IndirectObject) else item
                if not isinstance(target, ArrayObject):
                    raise _UnsafePdf(key)
            if key in ("/Filter", "/DecodeParms") and _has_bad_filter(item):
                raise _JbigPdf(key)
            _walk_pdf_value(item, depth + 1)
    elif isinstance(value, ArrayObject):
        for item in value:
            _walk_pdf_value(item, depth + 1)


def _has_bad_filter(value) -> bool:
    from pypdf.generic import ArrayObject

    values = value if isinstance(value, ArrayObject) else [value]
    return any(str(v) in PDF_BAD_FILTERS for v in values)


def _check_pdf_structure(data: bytes) -> None:
    """Parse the PDF with pypdf and look at every object, those in object streams
    included. Names are compared decoded, so ``/J#61vaScript`` is ``/JavaScript``.
    A file pypdf cannot read raises :class:`_UnreadablePdf`."""
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise _UnsafePdf("encrypted")
            numbers = {num for table in reader.xref.values() for num in table}
            numbers |= set(reader.xref_objStm)
            generations = {num: gen for gen, table in reader.xref.items() for num in table}
            for num in sorted(numbers):
                obj = reader.get_object(IndirectObject(num, generations.get(num, 0), reader))
                _walk_pdf_value(obj)
            _walk_pdf_value(reader.trailer)
            if len(reader.pages) < 1:
                raise _UnreadablePdf("no pages")
        except (_UnsafePdf, _UnreadablePdf):
            raise
        except Exception as exc:  # noqa: BLE001 - any parser failure means "cannot read"
            # Whatever pypdf raises (its own errors, ValueError, NotImplementedError for
            # an unsupported filter, RecursionError, …) the file is not one we can vouch for.
            raise _UnreadablePdf(type(exc).__name__) from exc


_PDF_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
_PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
#: ``/OpenAction`` followed by anything but a destination array ``[ … ]``.
_OPEN_ACTION = re.compile(rb"/OpenAction(?!\s*\[)")


def _unescape_names(chunk: bytes) -> bytes:
    """``chunk`` with every name's ``#xx`` escapes decoded (``/J#61vaScript`` → ``/JavaScript``)."""
    return _PDF_NAME.sub(
        lambda m: _PDF_ESCAPE.sub(lambda e: bytes([int(e.group(1), 16)]), m.group(0)), chunk
    )


def _decoded_names(chunk: bytes) -> set[str]:
    return {m.group(0).decode("latin-1") for m in _PDF_NAME.finditer(chunk)}


def _inflated_streams(data: bytes):
    """Every stream of ``data`` that inflates (object streams included, and streams found
    inside inflated streams), within :data:`PDF_INFLATE_BUDGET` in all."""
    budget = PDF_INFLATE_BUDGET
    pending = [data]
    while pending:
        chunk = pending.pop()
        for match in _PDF_STREAM.finditer(chunk):
            if budget <= 0:
                raise _UnsafePdf("inflate budget")
            try:
                inflated = zlib.decompressobj().decompress(match.group(1), budget)
            except zlib.error:
                continue
            budget -= len(inflated)
            yield inflated
            if b"stream" in inflated:
                pending.append(inflated)


def _check_names(chunk: bytes) -> None:
    normal = _unescape_names(chunk)
    names = _decoded_names(normal)
    if names & PDF_BAD_FILTERS:
        raise _JbigPdf("filter")
    if names & PDF_BAD_KEYS or names & PDF_BAD_ACTIONS or _OPEN_ACTION.search(normal):
        raise _UnsafePdf("name")


def _scan_pdf_bytes(data: bytes) -> None:
    """Every name, with ``#xx`` escapes decoded, in the file's bytes and in every stream
    that inflates: this finds objects the cross-reference table leaves out (which a
    repairing viewer still reads) and objects inside object streams."""
    _check_names(data)
    for inflated in _inflated_streams(data):
        _check_names(inflated)


def _clean_pdf(data: bytes) -> CleanFile:
    tail = data[-2048:]
    if b"%%EOF" not in tail:
        raise EvidenceError(_l("The PDF is incomplete or damaged. Please send it again."))
    refused = _l("PDFs with scripts or embedded files are not accepted. Print it to a plain PDF.")
    try:
        _scan_pdf_bytes(data)
        _check_pdf_structure(data)
    except _JbigPdf as exc:
        raise EvidenceError(
            _l("PDFs with JBIG2 image compression are not accepted. Print it to a plain PDF.")
        ) from exc
    except _UnsafePdf as exc:
        raise EvidenceError(refused) from exc
    except _UnreadablePdf as exc:
        raise EvidenceError(
            _l("The PDF cannot be read. Save or print it again as a PDF and send it again.")
        ) from exc
    return CleanFile(
        kind="pdf",
        content=data,
        extension="pdf",
        content_type="application/pdf",
        width=None,
        height=None,
        phash=None,
        sha256=hashlib.sha256(data).hexdigest(),
    )


#: EXIF orientation → the transpose that turns the photo upright (as ``exif_transpose``).
ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _decode_small(image: Image.Image) -> Image.Image:
    """Decode a photo at no more than about twice the stored size, cheaply.

    A 40-megapixel photo decoded in full and resampled took 2-3 s and ~160 MB; ten of
    them ran past the worker's timeout. JPEG decodes straight at 1/2, 1/4 or 1/8 scale
    (``draft``); other formats are decoded, then shrunk by an integer factor with a box
    filter (``reduce``) before the rotation, the colour conversion and the final resample,
    which then work on a few megapixels only.
    """
    image.draft("RGB", (MAX_STORED_SIDE, MAX_STORED_SIDE))
    image.load()
    factor = max(image.size) // MAX_STORED_SIDE
    if factor >= 2:
        if image.mode not in ("L", "LA", "RGB", "RGBA", "CMYK"):  # palette, 16-bit, …
            image = image.convert("RGBA")
        image = image.reduce(factor)
    return image


def _clean_photo(data: bytes, *, max_pixels: int) -> CleanFile:
    unsupported = _l("Only photos (JPEG, PNG, WebP, HEIC) and PDF documents are accepted.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in PHOTO_FORMATS:
                raise EvidenceError(unsupported)
            width, height = image.size
            if width * height > max_pixels:
                raise EvidenceError(
                    _l(
                        "The photo is too large (%(mp)d megapixels; at most %(max)d).",
                        mp=width * height // 1_000_000,
                        max=max_pixels // 1_000_000,
                    )
                )
            orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
            image = _decode_small(image)
            if ORIENTATION_TRANSPOSE.get(orientation) is not None:
                image = image.transpose(ORIENTATION_TRANSPOSE[orientation])
    except EvidenceError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise EvidenceError(_l("The photo has too many pixels to be processed safely.")) from exc
    except UnidentifiedImageError as exc:
        raise EvidenceError(unsupported) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise EvidenceError(
            _l("The photo is damaged or incomplete. Please take it or send it again.")
        ) from exc
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    else:
        image = image.convert("RGB")
    image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif= argument: the new file carries no EXIF, so no GPS location.
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    content = out.getvalue()
    return CleanFile(
        kind="photo",
        content=content,
        extension="jpg",
        content_type="image/jpeg",
        width=image.width,
        height=image.height,
        phash=dhash(image),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def clean_upload(data: bytes, *, max_bytes: int, max_pixels: int) -> CleanFile:
    """Check an upload and return the cleaned file to store, or raise :class:`EvidenceError`."""
    if not data:
        raise EvidenceError(_l("The file is empty."))
    if len(data) > max_bytes:
        raise EvidenceError(
            _l("The file is too large (at most %(mb)d MB).", mb=max_bytes // (1024 * 1024))
        )
    if data.startswith(b"%PDF-"):
        return _clean_pdf(data)
    return _clean_photo(data, max_pixels=max_pixels)


def new_storage_name(extension: str) -> str:
    return f"{secrets.token_hex(16)}.{extension}"


def write_file(directory: str | Path, name: str, content: bytes) -> Path:
    """Write atomically (temporary file, then rename) with owner-only permissions."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / name
    tmp = directory / f".{name}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    return final


def file_path(directory: str | Path, name: str) -> Path:
    """The path of a stored file; refuses names that could leave the directory."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError("invalid storage name")
    return Path(directory) / name
