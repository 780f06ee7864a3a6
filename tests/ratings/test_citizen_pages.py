"""What a citizen meets around the rating form: the confirmation of a quick rating, the
thank-you page after Post/Redirect/Get, old and forged QR codes, the language switch, the
tracking page and the kiosk's way back."""

from __future__ import annotations

import logging
import re
from datetime import date

import pytest
import sqlalchemy as sa

from portal.complaints.models import Case
from portal.extensions import db
from portal.ratings import services, submission, tokens
from portal.ratings.models import Rating, UsedNonce

from .conftest import nonce_of, tracking_of

CONFIRM_RE = re.compile(r'name="confirm" value="([^"]+)"')


def text(response) -> str:
    return response.get_data(as_text=True)


def hidden_fields(response) -> list[tuple[str, str]]:
    return re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', text(response))


@pytest.fixture
def slow_minimum(app):
    app.config["RATING_MIN_FILL_SECONDS"] = 30  # every post in these tests is "too fast"


# A rating sent too fast: one confirmation step ---------------------------------------------


def test_quick_rating_is_confirmed_then_stored(
    rater, client, counter_url, slow_minimum, count_rows, caplog
):
    answers = {
        "score": "2",
        "aspect_staff": "1",
        "comment": "Chờ lâu\nquá",
        "phone": "0912 345 678",
        "consent": "yes",
    }
    with caplog.at_level(logging.INFO, logger="portal.ratings"):
        first_nonce = nonce_of(client.get(counter_url))
        page = rater.submit(counter_url, answers, nonce=first_nonce)
    assert page.status_code == 200 and count_rows(Rating) == 0
    body = text(page)
    assert "Gửi đánh giá?" in body and "Không hài lòng" in body and "Chờ lâu" in body
    assert "0912 345 678" in body and "too_fast" in caplog.text
    fields = hidden_fields(page)
    names = [name for name, _value in fields]
    assert names.count("nonce") == 1 and names.count("confirm") == 1
    assert dict(fields)["nonce"] != first_nonce  # a fresh form token

    rest = [(n, v) for n, v in fields if n != "nonce"]
    done = rater.submit(counter_url, rest, nonce=dict(fields)["nonce"])
    code = tracking_of(done)
    rating = db.session.scalar(sa.select(Rating))
    assert code and rating.tracking_code == code
    assert (rating.score, rating.aspect_staff, rating.comment) == (2, 1, "Chờ lâu\nquá")
    assert rating.phone_encrypted
    # The first nonce was never consumed: the confirmation used only its own.
    assert count_rows(UsedNonce) == 1


def test_a_bot_repeating_its_blind_post_stores_nothing(
    rater, client, counter_url, slow_minimum, count_rows
):
    for _ in range(3):
        response = rater.submit(counter_url, {"score": "5"})
        assert "Gửi đánh giá?" in text(response)
    # A forged or borrowed confirmation does not help either.
    nonce = nonce_of(client.get(counter_url))
    other = CONFIRM_RE.search(text(rater.submit(counter_url, {"score": "5"}))).group(1)
    assert "Gửi đánh giá?" in text(rater.submit(counter_url, {"confirm": other}, nonce=nonce))
    assert "Gửi đánh giá?" in text(rater.submit(counter_url, {"confirm": "x" * 22}, nonce=nonce))
    assert count_rows(Rating) == 0 and count_rows(UsedNonce) == 0


def test_confirmation_can_go_back_to_the_answers(rater, counter_url, slow_minimum, count_rows):
    page = rater.submit(counter_url, {"score": "3", "chip": "slow", "comment": "Ghế ít"})
    fields = hidden_fields(page)
    back = rater.submit(
        counter_url,
        [(n, v) for n, v in fields if n != "nonce"] + [("edit", "1")],
        nonce=dict(fields)["nonce"],
    )
    body = text(back)
    assert back.status_code == 200 and count_rows(Rating) == 0
    assert 'value="3" required checked' in body and ">Ghế ít</textarea>" in body
    assert 'value="slow" checked' in body


def test_confirmed_nonce_is_still_single_use(rater, counter_url, slow_minimum, count_rows):
    fields = hidden_fields(rater.submit(counter_url, {"score": "4"}))
    rest, nonce = [(n, v) for n, v in fields if n != "nonce"], dict(fields)["nonce"]
    assert tracking_of(rater.submit(counter_url, rest, nonce=nonce))
    assert rater.submit(counter_url, rest, nonce=nonce).status_code == 409
    assert count_rows(Rating) == 1


def test_honeypot_stays_a_silent_drop_even_when_confirmed(
    rater, counter_url, slow_minimum, count_rows
):
    fields = hidden_fields(rater.submit(counter_url, {"score": "4"}))
    rest = [(n, v) for n, v in fields if n != "nonce"] + [("website", "http://spam")]
    response = rater.submit(counter_url, rest, nonce=dict(fields)["nonce"])
    assert tracking_of(response) and count_rows(Rating) == 0


# Post/Redirect/Get and the thank-you page --------------------------------------------------


def test_thank_you_page_survives_reload_and_language_switch(rater, client, counter_url):
    posted = rater.submit(counter_url, {"score": "1", "comment": "Quá chậm"}, follow=False)
    assert posted.status_code == 303
    location = posted.headers["Location"]
    first = client.get(location)
    code = tracking_of(first)
    assert code and code not in location  # the URL carries a sealed reference, not the code
    assert "Ông/bà hãy giữ mã này" in text(first)
    assert "lãnh đạo trung tâm" in text(first)  # the complaint went to the manager
    again = client.get(location)
    assert tracking_of(again) == code
    english_link = re.search(r'href="([^"]+)">English<', text(again)).group(1)
    english = client.get(english_link.replace("&amp;", "&"))
    assert english.status_code == 200 and tracking_of(english) == code
    assert "Please keep this code" in text(english)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 1
    client.get("?lang=vi")


@pytest.mark.parametrize("ref", ["x", "gAAAAA" + "A" * 120, "A" * 500])
def test_forged_thank_you_reference_is_a_citizen_404(client, ref):
    response = client.get(f"/r/thanks/{ref}")
    assert response.status_code == 404
    assert "/r/" in text(response) and "/account" not in text(response)


def test_thank_you_reference_expires(rater, client, counter_url, monkeypatch):
    location = rater.submit(counter_url, follow=False).headers["Location"]
    monkeypatch.setattr(submission, "THANKS_MAX_AGE_SECONDS", -60)
    assert client.get(location).status_code == 404


# Language switch keeps the citizen's place --------------------------------------------------


def test_language_switch_keeps_the_place_on_public_pages(rater, client, counter_url, counter, app):
    code = tracking_of(rater.submit(counter_url))
    with app.test_request_context():
        kiosk = f"/kiosk/{services.counter_token(counter, kiosk=True)}"
    for path, kept in [
        ("/r/", "/r/?"),
        (counter_url, counter_url + "?"),
        (kiosk, kiosk + "?"),
        (f"/t/?code={code}", f"code={code}"),
        ("/r/?code=ZZZZZZ9", "code=ZZZZZZ9"),
    ]:
        link = re.search(r'href="([^"]+)">English<', text(client.get(path))).group(1)
        assert kept in link and "lang=en" in link and "/account" not in link, (path, link)
        client.get("/r/?lang=vi")
    # Arguments of url_for itself are not taken from the query string.
    tricky = text(client.get(f"/t/?code={code}&_external=1&_anchor=x&ref=1"))
    link = re.search(r'href="([^"]+)">English<', tricky).group(1)
    assert link == f"/t/?code={code}&amp;lang=en"


# Old posters, forged links -----------------------------------------------------------------


def test_old_poster_and_kiosk_link_explain_the_reprint(client, counter, users, app):
    with app.test_request_context():
        old_poster = f"/r/{services.counter_token(counter)}"
        old_kiosk = f"/kiosk/{services.counter_token(counter, kiosk=True)}"
        old_code = services.counter_short_code(counter)
    services.revoke_counter_posters(counter, actor=users["manager"])
    db.session.commit()
    for url in (old_poster, old_kiosk):
        page = client.get(url)
        assert page.status_code == 410
        body = text(page)
        assert "Mã QR này đã được thay" in body and 'href="/r/"' in body
        assert "/account" not in body and "/ratings" not in body
    typed = client.get(f"/r/?code={old_code}")
    assert typed.status_code == 404 and "áp phích cũ" in text(typed)


def test_forged_poster_is_a_plain_citizen_not_found_page(client, counter_url):
    token = counter_url.split("/r/")[1]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for url in (f"/r/{forged}", f"/kiosk/k{forged[1:]}", "/r/c1.999.AAAAAAAAAAAAAAAAAAAAAA"):
        page = client.get(url)
        assert page.status_code == 404
        body = text(page)
        assert "Không tìm thấy trang" in body and 'href="/r/"' in body
        assert "đã được thay" not in body
        assert "/account" not in body and "/ratings" not in body


def test_reprint_asks_for_confirmation(client, auth, users, center, app):
    auth.login(users["manager"])
    counter = center.counters[0]
    with app.test_request_context():
        before = services.counter_token(counter)
    qr_page = text(client.get(f"/ratings/{center.code}/qr"))
    revoke_url = f"/ratings/{center.code}/counters/{counter.id}/revoke"
    assert f'href="{revoke_url}"' in qr_page and f'action="{revoke_url}"' not in qr_page
    confirm = client.get(revoke_url)
    assert confirm.status_code == 200 and f'action="{revoke_url}"' in text(confirm)
    assert "ngừng hoạt động" in text(confirm)
    with app.test_request_context():
        assert services.counter_token(counter) == before  # asking changed nothing
    assert client.post(revoke_url).status_code == 302
    with app.test_request_context():
        assert services.counter_token(counter) != before


# Tracking page -----------------------------------------------------------------------------


def test_tracking_page_shows_the_whole_rating_in_vietnamese(rater, client, counter_url, counter):
    code = tracking_of(rater.submit(counter_url, {"score": "1", "comment": "Phải chờ 2 tiếng"}))
    rating = db.session.scalar(sa.select(Rating))
    case = db.session.scalar(sa.select(Case))
    case.due_on = date(2026, 12, 3)
    db.session.commit()
    body = text(client.get(f"/t/?code={code}"))
    assert counter.center.name in body and f"Quầy {counter.number}" in body
    local = services.local_day(rating.created_at)
    assert local.strftime("%d/%m/%Y") in body
    assert "Phải chờ 2 tiếng" in body
    assert "03/12/2026" in body
    assert "ông/bà" in body.lower() and " bạn" not in body.lower()


def test_deleting_personal_data_asks_first(rater, client, counter_url):
    code = tracking_of(
        rater.submit(
            counter_url, {"comment": "Số tôi 0912345678", "phone": "0912345678", "consent": "yes"}
        )
    )
    track = text(client.get(f"/t/?code={code}"))
    assert 'action="/t/erase/confirm"' in track and 'action="/t/erase"' not in track
    confirm = client.get(f"/t/erase/confirm?code={code}")
    body = text(confirm)
    assert confirm.status_code == 200 and "không thể hoàn tác" in body
    assert 'action="/t/erase"' in body and "Số tôi 0912345678" in body
    assert db.session.scalar(sa.select(Rating.comment)) == "Số tôi 0912345678"  # not yet
    assert client.post("/t/erase", data={"code": code}).status_code == 302
    assert db.session.scalar(sa.select(Rating.comment)) == ""
    assert client.get(f"/t/erase/confirm?code={code}").status_code == 302  # nothing left
    assert client.get("/t/erase/confirm?code=ZZZZZZZZ").status_code == 404


# Detail scales and the kiosk ---------------------------------------------------------------


def test_detail_scales_say_which_end_is_good(client, counter_url):
    body = text(client.get(counter_url))
    assert body.count("1 = rất kém") == 5 and body.count("5 = rất tốt") == 5


def test_every_kiosk_page_returns_to_a_vietnamese_start(client, rater, counter, app):
    with app.test_request_context():
        url = f"/kiosk/{services.counter_token(counter, kiosk=True)}"
    start = f"{url}?lang=vi"
    english_form = text(client.get(url + "?lang=en"))
    assert f'content="180;url={start}"' in english_form  # idle reset back to Vietnamese
    # No link leads the kiosk away from itself (only its stylesheet and language switch).
    links = re.findall(r'href="([^"]+)"', english_form)
    assert all(link.startswith((url, "/static/")) for link in links), links
    thanks = rater.submit(url)
    assert f'href="{start}"' in text(thanks)
    stale = client.post(url, data={"nonce": "n1.1.1.1.AAAAAAAAAAAAAAAAAAAAAA", "score": "4"})
    assert stale.status_code == 400 and f'href="{start}"' in text(stale)
    nonce = nonce_of(client.get(url))
    rater.submit(url, nonce=nonce)
    again = rater.submit(url, nonce=nonce)
    assert again.status_code == 409 and f'href="{start}"' in text(again)
    assert "Tiếng Việt" not in text(client.get(start))  # the form is Vietnamese again


def test_an_unexpected_error_on_a_kiosk_stays_a_kiosk_page(client, counter, app, monkeypatch):
    with app.test_request_context():
        url = f"/kiosk/{services.counter_token(counter, kiosk=True)}"
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(tokens, "resolve_counter_token", broken)
    page = client.get(url)
    body = text(page)
    assert page.status_code == 500 and "Đã có lỗi" in body
    assert f'href="{url}?lang=vi"' in body and "/account" not in body
    assert "/account" not in text(client.get(counter_url_of(app, counter)))


def counter_url_of(app, counter) -> str:
    with app.test_request_context():
        return f"/r/{services.counter_token(counter)}"
