"""The public rating form: the happy path and every bad input of QUALITY.md §4."""

from __future__ import annotations

import logging
from datetime import timedelta

import flask_babel
import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from portal.complaints.models import Case
from portal.extensions import db
from portal.ratings import services
from portal.ratings.models import Rating, RatingRollup, Receipt, UsedNonce
from portal.shared import crypto
from portal.shared.timeutils import now_utc

from .conftest import nonce_of, receipt_url, tracking_of


def ratings():
    db.session.expire_all()
    return db.session.scalars(sa.select(Rating).order_by(Rating.id)).all()


# Happy path --------------------------------------------------------------------------------


def test_rating_page_is_small_vietnamese_and_has_no_external_requests(client, counter_url, app):
    page = client.get(counter_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Rất không hài lòng" in html and "Rất hài lòng" in html
    assert "Quầy 1" in html or "Quầy số 1" in html
    css_response = client.get("/static/css/rate.css")
    css = css_response.get_data()
    css_response.close()
    assert len(page.get_data()) + len(css) < 15 * 1024
    assert "<script" not in html
    assert "http://" not in html and "https://" not in html  # nothing external
    assert page.headers["Cache-Control"] == "no-store"


def test_english_switch(client, counter_url):
    html = client.get(counter_url + "?lang=en").get_data(as_text=True)
    assert "Very dissatisfied" in html and "How satisfied are you" in html


def test_get_does_not_write(client, counter_url, count_rows):
    client.get(counter_url)
    assert count_rows(UsedNonce) == 0 and count_rows(Rating) == 0


def test_submit_stores_rating_with_channel_rollups_and_tracking_code(
    rater, counter_url, counter, center
):
    response = rater.submit(
        counter_url,
        [
            ("score", "5"),
            ("aspect_staff", "4"),
            ("chip", "fast"),
            ("chip", "polite"),
            ("comment", "Cán bộ nhiệt tình"),
        ],
    )
    assert response.status_code == 200
    code = tracking_of(response)
    (rating,) = ratings()
    assert rating.tracking_code == code
    assert (rating.score, rating.channel, rating.counter_id) == (5, "counter_qr", counter.id)
    assert rating.aspect_staff == 4 and rating.chip_list == ["fast", "polite"]
    assert rating.comment == "Cán bộ nhiệt tình"
    rollup = db.session.scalars(sa.select(RatingRollup).where(RatingRollup.scope == "center")).one()
    assert rollup.counts == (0, 0, 0, 0, 1) and rollup.key_id == center.id


def test_track_page_finds_the_rating(rater, client, counter_url):
    code = tracking_of(rater.submit(counter_url))
    page = client.get(f"/t/?code={code.lower()}")
    assert "Đã nhận đánh giá" in page.get_data(as_text=True)
    assert "Không có đánh giá" in client.get("/t/?code=ZZZZZZZZ").get_data(as_text=True)


# Score values ------------------------------------------------------------------------------

BAD_SCORES = ["0", "6", "-1", "3.5", "abc", "1e1", "٣", "４", " 4 ", "4_0", "+4", "4\x00", "04"]


@pytest.mark.parametrize("score", BAD_SCORES)
def test_bad_score_is_400_and_nothing_stored(rater, counter_url, score, count_rows):
    response = rater.submit(counter_url, {"score": score})
    assert response.status_code == 400
    assert count_rows(Rating) == 0 and count_rows(UsedNonce) == 0


@pytest.mark.parametrize("score", ["", None])
def test_missing_score_is_400_with_a_message(rater, counter_url, score, count_rows):
    response = rater.submit(counter_url, {"score": score})
    assert response.status_code == 400
    assert "Vui lòng chọn" in response.get_data(as_text=True)
    assert count_rows(Rating) == 0


def test_duplicated_score_parameter_is_400(rater, counter_url, count_rows):
    response = rater.submit(counter_url, [("score", "1"), ("score", "5")])
    assert response.status_code == 400
    assert count_rows(Rating) == 0


@pytest.mark.parametrize(
    "extra",
    [[("aspect_staff", "6")], [("aspect_staff", "2"), ("aspect_staff", "3")], [("chip", "evil")]],
)
def test_bad_optional_values_are_400(rater, counter_url, extra, count_rows):
    assert rater.submit(counter_url, [("score", "4"), *extra]).status_code == 400
    assert count_rows(Rating) == 0


@pytest.mark.parametrize("score", ["1", "2", "3", "4", "5"])
def test_every_literal_score_is_accepted(rater, counter_url, score):
    assert rater.submit(counter_url, {"score": score}).status_code == 200
    assert ratings()[0].score == int(score)


# Center and token --------------------------------------------------------------------------


def test_bad_tokens_are_404(client, counter_url, other_center, app):
    token = counter_url.split("/r/")[1]
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    with app.test_request_context():
        other = services.counter_token(other_center.counters[0])
    tampered_other = other.split(".")[0] + "." + token.split(".", 1)[1]
    for bad in [
        "",
        flipped,
        tampered_other,  # another counter id with this counter's MAC
        token * 150,  # ~10 KB
        "c-1.1.AAAAAAAAAAAAAAAAAAAAAA",
        f"c{2**64}.1.AAAAAAAAAAAAAAAAAAAAAA",
        "c999999.1.AAAAAAAAAAAAAAAAAAAAAA",
        token.replace(".", "%252E"),
    ]:
        if not bad:
            continue
        assert client.get(f"/r/{bad}").status_code == 404, bad
        assert client.post(f"/r/{bad}", data={"score": "4"}).status_code == 404, bad


def test_nonce_from_another_counter_is_rejected(client, rater, counter_url, other_center, app):
    with app.test_request_context():
        other_url = f"/r/{services.counter_token(other_center.counters[0])}"
    other_nonce = nonce_of(client.get(other_url))
    assert rater.submit(counter_url, nonce=other_nonce).status_code == 400
    assert ratings() == []


def test_revoked_poster_no_longer_works(client, rater, counter_url, counter, users, app):
    services.revoke_counter_posters(counter, actor=users["manager"])
    db.session.commit()
    old = client.get(counter_url)
    assert old.status_code == 410 and "Mã QR này đã được thay" in old.get_data(as_text=True)
    assert client.post(counter_url, data={"score": "4"}).status_code == 410
    with app.test_request_context():
        assert services.counter_token(counter) != counter_url.split("/r/")[1]
        new_url = f"/r/{services.counter_token(counter)}"
    assert rater.submit(new_url).status_code == 200


def test_inactive_counter_says_so(client, counter_url, counter):
    counter.is_active = False
    db.session.commit()
    page = client.get(counter_url)
    assert page.status_code == 410
    assert "không còn nhận đánh giá" in page.get_data(as_text=True)


def test_short_code_page_redirects_to_the_rating_page(client, counter, counter_url, app):
    with app.test_request_context():
        code = services.counter_short_code(counter)
    assert client.get("/r/").status_code == 200
    response = client.get(f"/r/?code={code[:3].lower()} {code[3:]}")
    assert response.status_code == 302 and response.headers["Location"].endswith(counter_url)
    assert client.get("/r/?code=AAAAAAA").status_code == 404


# Nonce and duplicates ----------------------------------------------------------------------


def test_missing_nonce_is_400(client, counter_url, count_rows):
    assert client.post(counter_url, data={"score": "4"}).status_code == 400
    assert count_rows(Rating) == 0


def test_forged_or_duplicated_nonce_is_400(client, rater, counter_url):
    nonce = nonce_of(client.get(counter_url))
    forged = nonce[:-2] + ("AA" if not nonce.endswith("AA") else "BB")
    assert rater.submit(counter_url, nonce=forged).status_code == 400
    assert (
        client.post(
            counter_url, data=MultiDict([("nonce", nonce), ("nonce", nonce), ("score", "4")])
        ).status_code
        == 400
    )


def test_reused_nonce_counts_once(client, rater, counter_url):
    nonce = nonce_of(client.get(counter_url))
    assert rater.submit(counter_url, nonce=nonce).status_code == 200
    again = rater.submit(counter_url, nonce=nonce)
    assert again.status_code == 409
    assert len(ratings()) == 1


def test_expired_nonce_is_400(client, rater, counter_url, app):
    nonce = nonce_of(client.get(counter_url))
    app.config["RATING_NONCE_MAX_AGE_SECONDS"] = -10
    assert rater.submit(counter_url, nonce=nonce).status_code == 400


def test_honeypot_is_silently_dropped_and_logged(rater, counter_url, caplog, count_rows):
    with caplog.at_level(logging.WARNING, logger="portal.ratings"):
        response = rater.submit(counter_url, {"website": "http://spam", "phone": "0912345678"})
    assert response.status_code == 200 and tracking_of(response)  # looks like a success
    assert count_rows(Rating) == 0 and count_rows(UsedNonce) == 0
    assert "honeypot" in caplog.text and "0912345678" not in caplog.text


# Receipts ----------------------------------------------------------------------------------


def test_receipt_rates_once(rater, client, make_receipt, app, counter):
    receipt = make_receipt(counter=counter)
    url = receipt_url(app, receipt)
    first_nonce = nonce_of(client.get(url))
    second_nonce = nonce_of(client.get(url))  # two tabs open
    assert rater.submit(url, nonce=first_nonce).status_code == 200
    assert rater.submit(url, nonce=second_nonce).status_code == 410
    assert client.get(url).status_code == 410
    (rating,) = ratings()
    assert rating.channel == "receipt_qr" and rating.receipt_id == receipt.id
    assert db.session.get(Receipt, receipt.id).used_at is not None


def test_expired_receipt_is_refused(client, make_receipt, app):
    receipt = make_receipt(expires_at=now_utc() - timedelta(minutes=1))
    assert client.get(receipt_url(app, receipt)).status_code == 410


def test_receipt_used_between_get_and_post_counts_once(rater, client, make_receipt, app):
    receipt = make_receipt()
    url = receipt_url(app, receipt)
    nonce = nonce_of(client.get(url))
    db.session.execute(sa.update(Receipt).values(used_at=now_utc()))
    db.session.commit()
    assert rater.submit(url, nonce=nonce).status_code == 410
    assert ratings() == []


# Comment -----------------------------------------------------------------------------------


def test_one_megabyte_body_is_413(client, counter_url, count_rows):
    nonce = nonce_of(client.get(counter_url))
    response = client.post(
        counter_url, data={"nonce": nonce, "score": "4", "comment": "x" * 1_000_000}
    )
    assert response.status_code == 413
    assert count_rows(Rating) == 0


def test_ten_thousand_emoji_are_refused_with_a_message(rater, counter_url):
    response = rater.submit(counter_url, {"comment": "😀" * 10_000})
    assert response.status_code in (400, 413)
    assert ratings() == []


def test_comment_is_cleaned_and_nfc_normalised(rater, counter_url):
    nfd = "Thu\u0309 tu\u0323c nhanh"
    rater.submit(counter_url, {"comment": f"\u202e{nfd}\x00\u200b"})
    assert ratings()[0].comment == "Thủ tục nhanh"


@pytest.mark.parametrize(
    "comment",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "javascript:alert(1)",
        "{{7*7}}",
        "'; DROP TABLE ratings; --",
        '=HYPERLINK("http://evil")',
        "dòng 1\r\nFAKE LOG LINE",
    ],
)
def test_hostile_comments_are_stored_verbatim_and_escaped(
    rater, counter_url, comment, users, auth, client, center
):
    rater.submit(counter_url, {"score": "1", "comment": comment})
    stored = ratings()[0].comment
    assert stored == comment.replace("\r\n", "\n")
    auth.login(users["manager"])
    html = client.get(f"/ratings/{center.code}").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    if comment == "{{7*7}}":
        # Shown verbatim, never evaluated. (The former check, no "49" anywhere after the
        # comments heading, failed on PostgreSQL whenever a rating id contained 49.)
        assert "{{7*7}}" in html


def test_invalid_utf8_does_not_crash(client, counter_url):
    nonce = nonce_of(client.get(counter_url))
    body = b"nonce=" + nonce.encode() + b"&score=4&comment=%FF%FEabc"
    response = client.post(counter_url, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303
    assert "abc" in ratings()[0].comment


# Phone -------------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["+84 912 345 678", "0912345678", "84912345678"])
def test_phone_with_consent_is_stored_encrypted(rater, counter_url, phone, app):
    assert rater.submit(counter_url, {"phone": phone, "consent": "yes"}).status_code == 200
    rating = ratings()[0]
    assert "912345678" not in (rating.phone_encrypted or "")
    assert crypto.decrypt_phone(app.config["SECRET_KEY"], rating.phone_encrypted) == "+84912345678"
    assert rating.phone_hmac and rating.consent_version


@pytest.mark.parametrize("phone", ["09123abc78", "1" * 30])
def test_bad_phone_is_refused_with_a_message(rater, counter_url, phone, count_rows):
    response = rater.submit(counter_url, {"phone": phone, "consent": "yes"})
    assert response.status_code == 400
    assert "số điện thoại" in response.get_data(as_text=True)
    assert count_rows(Rating) == 0


def test_phone_without_consent_is_refused(rater, counter_url, count_rows):
    response = rater.submit(counter_url, {"phone": "0912345678"})
    assert response.status_code == 400
    assert count_rows(Rating) == 0
    # The same nonce still works once the citizen fixes the form.
    nonce = nonce_of(response)
    assert rater.submit(counter_url, {"phone": ""}, nonce=nonce).status_code == 200
    assert ratings()[0].phone_encrypted is None


def test_phone_is_shown_masked_to_the_manager(rater, counter_url, auth, users, client, center):
    rater.submit(counter_url, {"comment": "Gọi lại giúp", "phone": "0912345678", "consent": "yes"})
    auth.login(users["manager"])
    html = client.get(f"/ratings/{center.code}").get_data(as_text=True)
    assert "09******78" in html and "0912345678" not in html


# HTTP level --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(client, counter_url, method):
    assert client.open(counter_url, method=method).status_code == 405


def test_head_is_a_read(client, counter_url, count_rows):
    assert client.head(counter_url).status_code == 200
    assert count_rows(UsedNonce) == 0


def test_json_body_is_refused(client, counter_url, count_rows):
    response = client.post(counter_url, json={"score": "4"})
    assert response.status_code == 400
    assert count_rows(Rating) == 0


def test_too_many_multipart_parts_is_413(client, counter_url):
    nonce = nonce_of(client.get(counter_url))
    data = {"nonce": nonce, "score": "4", **{f"f{i}": "x" for i in range(100)}}
    response = client.post(counter_url, data=data, content_type="multipart/form-data")
    assert response.status_code == 413


def test_spoofed_host_does_not_change_the_qr_url(client, auth, users, center):
    auth.login(users["manager"])
    # The browser would send its session cookie to whatever host it talks to.
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")
    response = client.get(f"/ratings/{center.code}/qr", headers={"Host": "evil.example"})
    assert response.status_code == 200
    html = client.get(f"/ratings/{center.code}/qr", headers={"Host": "evil.example"}).get_data(
        as_text=True
    )
    assert "evil.example" not in html and "danhgia.example.vn" in html


# Channels, flags, rollups ------------------------------------------------------------------


def test_kiosk_channel_and_reset(client, rater, counter, app):
    with app.test_request_context():
        url = f"/kiosk/{services.counter_token(counter, kiosk=True)}"
        assert client.get(f"/kiosk/{services.counter_token(counter)}").status_code == 404
    page = client.get(url)
    start = f"{url}?lang=vi"  # the next citizen starts in Vietnamese
    assert f'http-equiv="refresh" content="180;url={start}"' in page.get_data(as_text=True)
    done = rater.submit(url)
    assert f'content="8;url={start}"' in done.get_data(as_text=True)  # reset after rating
    assert ratings()[0].channel == "kiosk"


def test_staff_assisted_rating_never_counts(app, center, counter):
    target = services.Target(channel=services.Channel.STAFF, center=center, counter=counter)
    rating = services.submit_rating(target, services.RatingInput(score=5), nonce_key="k1")
    db.session.commit()
    assert rating.channel == "staff" and not rating.is_reportable
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RatingRollup)) == 0


def test_off_hours_rating_is_kept_but_held(rater, counter_url, app):
    app.config["RATING_OPENING_HOURS"] = (0.0, 0.0)
    rater.submit(counter_url)
    (rating,) = ratings()
    assert "off_hours" in rating.flag_list and rating.is_pending_review
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RatingRollup)) == 0


def test_burst_is_flagged(rater, counter_url, app):
    app.config["RATING_BURST_MAX"] = 2
    for _ in range(3):
        rater.submit(counter_url)
    assert [bool(r.flags) for r in ratings()] == [False, False, True]


def test_more_ratings_than_receipts_is_flagged(rater, counter_url, app, make_receipt):
    app.config["RATING_RECEIPT_SLACK"] = 0
    make_receipt()
    rater.submit(counter_url)
    rater.submit(counter_url)
    assert [r.flag_list for r in ratings()] == [[], ["over_receipts"]]


def test_dissatisfied_comment_opens_a_case(rater, counter_url, count_rows):
    response = rater.submit(counter_url, {"score": "1", "comment": "Chờ quá lâu"})
    assert "gửi đến lãnh đạo" in response.get_data(as_text=True)
    rater.submit(counter_url, {"score": "1"})  # no comment: no case
    rater.submit(counter_url, {"score": "5", "comment": "Tốt"})  # satisfied: no case
    rater.submit(counter_url, {"score": "4", "comment": "Cần thêm ghế", "complaint": "yes"})
    cases = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
    assert [c.source for c in cases] == ["dissatisfied", "complaint"]


def test_explicit_complaint_needs_a_comment(rater, counter_url, count_rows):
    assert rater.submit(counter_url, {"complaint": "yes"}).status_code == 400
    assert count_rows(Rating) == 0


def test_cached_form_gets_a_fresh_nonce_and_current_names(client, counter_url, center):
    first = nonce_of(client.get(counter_url))
    second = nonce_of(client.get(counter_url))
    assert first != second
    center.name = "Trung tâm đã đổi tên"
    db.session.commit()
    assert "Trung tâm đã đổi tên" in client.get(counter_url).get_data(as_text=True)
    # The test app context outlives requests and caches the locale: forget it, as a new
    # request's context would.
    flask_babel.refresh()
    html_en = client.get(counter_url + "?lang=en").get_data(as_text=True)
    assert "Very satisfied" in html_en


def test_rating_is_attributed_to_the_counter_officer(rater, counter_url, counter, create_officer):
    officer = create_officer(counter.center, counter=counter)
    rater.submit(counter_url)
    assert ratings()[0].officer_id == officer.id
