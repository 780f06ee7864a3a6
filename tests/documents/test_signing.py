"""Issued PDFs signed with a throwaway CA's certificate (made here, at test time): the
signature verifies with its name and time, a modified copy does not, and
``flask documents verify`` says so with its exit code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from portal.documents import signing

from .conftest import pdf_pages, squeeze

SIGNER = "Nguyễn Văn Ký"
PASSWORD = "mật-khẩu-thử"
URL = "/documents/periods/2026-Q1/centers/07900.pdf"


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "UBND tỉnh Phú Thọ (thử)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _cert(subject, issuer, public_key, signing_key, *, ca: bool):
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    return builder.sign(signing_key, hashes.SHA256())


@pytest.fixture
def certificate(tmp_path):
    """A throwaway CA and a signer's certificate, as a PKCS#12 file and the CA's PEM."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name("CA thử nghiệm")
    ca = _cert(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = _cert(_name(SIGNER), ca_name, key.public_key(), ca_key, ca=False)
    p12 = tmp_path / "signer.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"signer",
            key,
            leaf,
            [ca],
            serialization.BestAvailableEncryption(PASSWORD.encode()),
        )
    )
    roots = tmp_path / "ca.pem"
    roots.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return {"p12": str(p12), "roots": str(roots)}


@pytest.fixture
def signed(app, client, auth, users, scored, certificate):
    app.config["DOCUMENTS_SIGNING_P12"] = certificate["p12"]
    app.config["DOCUMENTS_SIGNING_PASSWORD"] = PASSWORD
    auth.login(users["inspector"])
    response = client.post(URL)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return response.data


def test_an_issued_pdf_is_signed_and_verifies(signed, certificate):
    (result,) = signing.verify(signed, trust_roots=certificate["roots"])
    assert result.valid and result.intact and result.trusted
    assert result.signer == SIGNER
    assert abs(result.signed_at - datetime.now(UTC)) < timedelta(minutes=5)
    # The visible verification line, on the page.
    text = squeeze("".join(page["text"] for page in pdf_pages(signed)))
    assert squeeze(f"được ký số bởi {SIGNER}") in text


def test_a_modified_copy_does_not_verify(signed, certificate):
    tampered = bytearray(signed)
    at = signed.index(b"/Title")  # inside the signed revision
    tampered[at + 1 : at + 2] = b"X"
    assert not any(r.valid for r in signing.verify(bytes(tampered)))
    appended = signed + b"\n% added after signing\n"
    (result,) = signing.verify(appended, trust_roots=certificate["roots"])
    assert not result.valid


def test_another_ca_is_not_trusted(signed, tmp_path, certificate):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = _cert(_name("CA khác"), _name("CA khác"), other_key.public_key(), other_key, ca=True)
    path = tmp_path / "other.pem"
    path.write_bytes(other.public_bytes(serialization.Encoding.PEM))
    (result,) = signing.verify(signed, trust_roots=str(path))
    assert result.intact and not result.valid


def test_the_verify_command(runner, signed, certificate, tmp_path):
    good = tmp_path / "good.pdf"
    good.write_bytes(signed)
    result = runner.invoke(
        args=["documents", "verify", str(good), "--trust-roots", certificate["roots"]]
    )
    assert result.exit_code == 0, result.output
    assert "VALID" in result.output and SIGNER in result.output
    bad = tmp_path / "bad.pdf"
    tampered = bytearray(signed)
    at = signed.index(b"/Title")
    tampered[at + 1 : at + 2] = b"X"
    bad.write_bytes(bytes(tampered))
    result = runner.invoke(
        args=["documents", "verify", str(bad), "--trust-roots", certificate["roots"]]
    )
    assert result.exit_code == 1
    assert "INVALID" in result.output


def test_without_a_certificate_issued_pdfs_are_unsigned(
    client, auth, users, scored, runner, tmp_path
):
    auth.login(users["inspector"])
    response = client.post(URL)
    assert response.status_code == 200
    (result,) = signing.verify(response.data)
    assert not result.valid and result.message == "no signature"
    path = tmp_path / "unsigned.pdf"
    path.write_bytes(response.data)
    assert runner.invoke(args=["documents", "verify", str(path)]).exit_code == 1
