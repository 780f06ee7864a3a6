"""Privacy: the consent ledger, the notice, retention purges, and the poster's wording."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import timedelta

import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.complaints.models import Case, CaseStatus
from portal.extensions import db
from portal.privacy.models import ConsentRecord
from portal.ratings.models import Rating
from portal.shared.timeutils import now_utc

from .conftest import nonce_of, tracking_of

CONSENT_RE = re.compile(r'name="consent" value="yes"> ([^<]+)</label>')


def consents() -> list[ConsentRecord]:
    db.session.expire_all()
    return db.session.scalars(sa.select(ConsentRecord).order_by(ConsentRecord.id)).all()


def test_consent_is_ledgered_with_the_hash_of_the_words_shown(client, counter_url):
    page = client.get(counter_url).get_data(as_text=True)
    shown = html.unescape(CONSENT_RE.search(page).group(1))
    assert "12" in shown
    response = client.post(
        counter_url,
        data={
            "nonce": nonce_of(client.get(counter_url)),
            "score": "2",
            "phone": "0912 345 678",
            "consent": "yes",
        },
    )
    assert response.status_code == 303  # stored, then Post/Redirect/Get
    (record,) = consents()
    rating = db.session.scalars(sa.select(Rating)).one()
    assert record.rating_id == rating.id
    assert record.text_hash == hashlib.sha256(shown.encode()).hexdigest()
    assert (record.purpose, record.version, record.locale) == ("rating_callback", "2026-01", "vi")
    assert record.ended_at is None
    row = " ".join(str(getattr(record, c.key)) for c in ConsentRecord.__table__.columns)
    assert "912345678" not in row and "345" not in row


def test_english_consent_hashes_the_english_words(client, counter_url):
    page = client.get(counter_url + "?lang=en").get_data(as_text=True)
    shown = html.unescape(CONSENT_RE.search(page).group(1))
    assert shown.startswith("I agree that")
    client.post(
        counter_url,
        data={"nonce": nonce_of(page_response := client.get(counter_url)), "score": "5"}
        | {"phone": "0912345678", "consent": "yes"},
    )
    assert page_response.status_code == 200
    (record,) = consents()
    assert record.locale == "en"
    assert record.text_hash == hashlib.sha256(shown.encode()).hexdigest()


def test_no_phone_or_no_consent_writes_no_consent(client, rater, counter_url):
    assert rater.submit(counter_url, {"score": "4"}).status_code == 200
    refused = rater.submit(counter_url, {"score": "4", "phone": "0912345678"})
    assert refused.status_code == 400
    assert consents() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 1


def test_erasing_with_the_tracking_code_ends_the_consent(client, rater, counter_url):
    response = rater.submit(
        counter_url, {"score": "1", "comment": "Chờ lâu", "phone": "0912345678", "consent": "yes"}
    )
    code = tracking_of(response)
    assert client.post("/t/erase", data={"code": code}).status_code == 302
    (record,) = consents()
    assert record.end_reason == "erased" and record.ended_at is not None
    rating = db.session.scalars(sa.select(Rating)).one()
    assert rating.phone_encrypted is None and rating.comment == ""


def test_purge_removes_old_phones_and_comments_but_not_open_complaints(runner, rater, counter_url):
    for comment in ("Cũ, đã trả lời", "Cũ, khiếu nại đang mở", "Mới"):
        rater.submit(
            counter_url,
            {"score": "1", "comment": comment, "phone": "0912345678", "consent": "yes"},
        )
    old_answered, old_open, new = db.session.scalars(sa.select(Rating).order_by(Rating.id)).all()
    for rating in (old_answered, old_open):
        rating.created_at = now_utc() - timedelta(days=30 * 25)
    db.session.scalars(
        sa.select(Case).where(Case.rating_id == old_answered.id)
    ).one().status = CaseStatus.ANSWERED
    assert db.session.scalar(sa.select(Case).where(Case.rating_id == old_open.id)) is not None
    db.session.commit()

    result = runner.invoke(args=["ratings", "purge-personal"])
    assert result.exit_code == 0, result.output
    assert "2 phone number(s) deleted" in result.output
    assert "1 comment(s) deleted" in result.output
    db.session.expire_all()
    assert old_answered.comment == "" and old_answered.phone_encrypted is None
    assert old_open.comment == "Cũ, khiếu nại đang mở" and old_open.phone_encrypted is None
    assert new.comment == "Mới" and new.phone_encrypted is not None
    ended = {c.rating_id: c.end_reason for c in consents()}
    assert ended == {old_answered.id: "retention", old_open.id: "retention", new.id: None}
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "rating.personal_data_purged")
    ).one()
    assert '"comments": 1' in entry.summary and '"phones": 2' in entry.summary
    # Scores are kept as anonymous data.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 3


def test_purge_can_keep_comments_and_refuses_nonsense(runner, rater, counter_url):
    rater.submit(counter_url, {"score": "3", "comment": "Ổn"})
    db.session.scalars(sa.select(Rating)).one().created_at = now_utc() - timedelta(days=3000)
    db.session.commit()
    result = runner.invoke(args=["ratings", "purge-personal", "--comment-months", "0"])
    assert "0 comment(s) deleted" in result.output
    assert runner.invoke(args=["ratings", "purge-personal", "--months", "0"]).exit_code != 0
    db.session.expire_all()
    assert db.session.scalars(sa.select(Rating)).one().comment == "Ổn"


def test_privacy_notice_in_both_languages_linked_from_rating_and_tracking(client, counter_url):
    vi = client.get("/privacy").get_data(as_text=True)
    assert "91/2025/QH15" in vi and "356/2025/NĐ-CP" in vi
    assert "Cách chúng tôi xử lý dữ liệu cá nhân của ông/bà" in vi
    assert "12 tháng" in vi and "24 tháng" in vi
    en = client.get("/privacy?lang=en").get_data(as_text=True)
    assert "How we handle your personal data" in en and "24 months" in en
    for url in (counter_url, "/t/"):
        assert 'href="/privacy"' in client.get(url).get_data(as_text=True)


def test_poster_no_longer_claims_no_personal_data(runner, center, tmp_path):
    from .test_posters import decode_pdf

    out = tmp_path / "posters.pdf"
    result = runner.invoke(args=["qr", "posters", "--center", "07900", "--out", str(out)])
    assert result.exit_code == 0, result.output
    _pages, text = decode_pdf(out.read_bytes())
    assert "không thu thập thông tin cá nhân" not in text[0]
    assert "số điện thoại là tùy chọn" in text[0]
