"""PAdES signatures of final PDFs (pyHanko) and their verification.

The province configures its signing certificate outside the repository, in the
environment: ``PORTAL_DOCUMENTS_SIGNING_P12`` (path of a PKCS#12 file) and
``PORTAL_DOCUMENTS_SIGNING_PASSWORD``; ``PORTAL_DOCUMENTS_TRUST_ROOTS`` (a PEM/DER file of the
CA certificates) makes ``verify`` also check the chain of trust. Without a certificate the
documents are issued unsigned (to be signed by hand or with the province's own tool).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from types import SimpleNamespace

from flask import current_app

from ..shared.timeutils import DISPLAY_TZ


@lru_cache(maxsize=1)
def _lib() -> SimpleNamespace:
    """pyHanko, imported on first use: it is only needed when something is signed or
    verified, and its import warns about DSA support in ``cryptography`` (not used here)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="DSA is deprecated")
        from pyhanko.keys import load_certs_from_pemder
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign import fields, signers
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko.sign.validation.status import SignatureCoverageLevel
        from pyhanko_certvalidator import ValidationContext
    return SimpleNamespace(
        load_certs_from_pemder=load_certs_from_pemder,
        IncrementalPdfFileWriter=IncrementalPdfFileWriter,
        PdfFileReader=PdfFileReader,
        fields=fields,
        signers=signers,
        validate_pdf_signature=validate_pdf_signature,
        SignatureCoverageLevel=SignatureCoverageLevel,
        ValidationContext=ValidationContext,
    )


class SigningError(Exception):
    """The configured certificate cannot be read (wrong path or password)."""


@lru_cache(maxsize=4)
def _load(path: str, password: str):
    signer = _lib().signers.SimpleSigner.load_pkcs12(path, passphrase=password.encode() or None)
    if signer is None:
        raise SigningError(path)
    return signer


def configured_signer():
    path = current_app.config.get("DOCUMENTS_SIGNING_P12") or ""
    if not path:
        return None
    return _load(path, current_app.config.get("DOCUMENTS_SIGNING_PASSWORD") or "")


def subject_name(cert) -> str:
    native = cert.subject.native
    return native.get("common_name") or cert.subject.human_friendly


def verification_line(signer, when: datetime) -> str:
    """The visible line a signed document carries on every page."""
    local = when.astimezone(DISPLAY_TZ).strftime("%d/%m/%Y %H:%M")
    return (
        f"Văn bản điện tử được ký số bởi {subject_name(signer.signing_cert)} lúc {local}. "
        "Kiểm tra chữ ký: flask documents verify <tệp>."
    )


def sign(data: bytes, signer, *, reason: str, location: str) -> bytes:
    """``data`` with a PAdES signature (the signer's name and the signing time)."""
    lib = _lib()
    writer = lib.IncrementalPdfFileWriter(io.BytesIO(data))
    meta = lib.signers.PdfSignatureMetadata(
        field_name="ChuKySo",
        subfilter=lib.fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        name=subject_name(signer.signing_cert),
    )
    out = lib.signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()


@dataclass
class Verification:
    valid: bool
    signer: str = ""
    signed_at: datetime | None = None
    intact: bool = False
    trusted: bool | None = None  # None: no trust roots configured
    message: str = ""


def _roots(path: str) -> list:
    return list(_lib().load_certs_from_pemder([path])) if path else []


def verify(data: bytes, *, trust_roots: str = "") -> list[Verification]:
    """Every signature of ``data``; an unsigned or unreadable file gives one invalid entry.

    Valid means: the signed bytes are intact, the signature is cryptographically sound,
    it covers the whole file (nothing appended after signing) and, with trust roots, the
    signer's certificate chains to one of them.
    """
    lib = _lib()
    try:
        reader = lib.PdfFileReader(io.BytesIO(data))
        signatures = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not a valid signed PDF"
        return [Verification(False, message=f"unreadable PDF: {exc}")]
    if not signatures:
        return [Verification(False, message="no signature")]
    roots = _roots(trust_roots)
    # An explicit (possibly empty) list: never the operating system's trust store.
    context = lib.ValidationContext(trust_roots=roots, allow_fetching=False)
    out = []
    for embedded in signatures:
        try:
            status = lib.validate_pdf_signature(embedded, context)
        except ValueError as exc:  # pyHanko's SignatureValidationError is one
            out.append(Verification(False, message=str(exc)))
            continue
        whole = status.coverage == lib.SignatureCoverageLevel.ENTIRE_FILE
        trusted = bool(status.trusted) if roots else None
        valid = bool(status.intact and status.valid and whole and trusted is not False)
        out.append(
            Verification(
                valid,
                signer=subject_name(status.signing_cert),
                signed_at=status.signer_reported_dt,
                intact=bool(status.intact),
                trusted=trusted,
                message="" if whole else "the file was changed after signing",
            )
        )
    return out
