"""Enrolling a tablet with a one-time link, the tablets page, revocation and the app's
pages (what a manager and a tablet see)."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.kiosk import services
from portal.kiosk.models import KioskDevice, KioskEnrolment

LINK_RE = re.compile(r'id="enrol-link">[^<]*(/kiosk/enrol/[A-Za-z0-9_-]+)<')
KEY_RE = re.compile(r'data-key="([A-Za-z0-9_-]+)"')


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def issue_link(client, auth, manager, center) -> str:
    auth.login(manager)
    response = client.post(f"/kiosks/{center.code}/counters/{center.counters[0].id}/enrol")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "<svg" in html  # the QR code of the link
    return LINK_RE.search(html).group(1)


def test_a_manager_enrols_a_tablet_with_a_one_time_link(app, client, auth, manager, center):
    link = issue_link(client, auth, manager, center)
    auth.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KioskDevice)) == 0
    enrolled = client.post(link)
    assert enrolled.status_code == 200
    assert enrolled.headers["Cache-Control"] == "no-store"
    device = db.session.scalar(sa.select(KioskDevice))
    assert device.counter_id == center.counters[0].id
    key = KEY_RE.search(enrolled.get_data(as_text=True)).group(1)
    with app.app_context():
        assert key == services.key_text(services.device_key(device.id, device.key_salt))
    # The server keeps a salt, not the key.
    assert key not in str(db.session.execute(sa.select(KioskDevice.__table__)).all())
    # Once only.
    assert client.get(link).status_code == 410
    assert client.post(link).status_code == 410
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KioskDevice)) == 1
    assert {"kiosk.enrolment_issued", "kiosk.enrolled"} <= set(audit_actions())


def test_an_expired_link_enrols_nothing(client, auth, manager, center):
    link = issue_link(client, auth, manager, center)
    enrolment = db.session.scalar(sa.select(KioskEnrolment))
    enrolment.expires_at -= timedelta(hours=1)
    db.session.commit()
    assert client.post(link).status_code == 410
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KioskDevice)) == 0


def test_only_a_hash_of_the_link_is_stored(client, auth, manager, center):
    link = issue_link(client, auth, manager, center)
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalar(sa.select(KioskEnrolment.token_hash))
    assert token not in stored and len(stored) == 64


def test_the_tablets_page_shows_each_tablets_sync_and_counts(client, auth, manager, center, tablet):
    # Five waiting on the tablet, three of them sent: two still wait.
    client.post("/kiosk/sync", json=tablet.batch(tablet.spaced(3), pending=5))
    auth.login(manager)
    html = client.get(f"/kiosks/{center.code}").get_data(as_text=True)
    row = re.search(rf'<tr data-device="{tablet.device_id}">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td class="num">(\d+)</td>', row)
    assert cells == ["2", "3", "0"]  # waiting on the tablet, received, held
    assert "Quầy 1" in row


def test_revoking_a_tablet_refuses_it_and_is_audited(client, auth, manager, center, tablet):
    auth.login(manager)
    url = f"/kiosks/{center.code}/devices/{tablet.device_id}/revoke"
    assert "Thu hồi" in client.get(url).get_data(as_text=True)
    assert client.post(url).status_code == 302
    device = db.session.get(KioskDevice, tablet.device_id)
    db.session.refresh(device)
    assert device.revoked_at is not None
    assert "kiosk.revoked" in audit_actions()
    assert client.get(f"/kiosk/app/{tablet.device_id}").status_code == 410
    assert client.post("/kiosk/sync", json=tablet.batch([tablet.item()])).status_code == 403


def test_the_app_page_is_self_contained_and_installable(client, tablet):
    html = client.get(f"/kiosk/app/{tablet.device_id}?lang=vi").get_data(as_text=True)
    assert html.count('class="kiosk-face"') == 5
    assert "manifest.webmanifest" in html
    assert "/kiosk/r/" not in html and 'name="nonce"' not in html  # nothing per request
    manifest = client.get(f"/kiosk/app/{tablet.device_id}/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.get_json(force=True)
    assert body["start_url"].startswith(f"/kiosk/app/{tablet.device_id}")
    assert body["scope"] == "/kiosk/app/"
    worker = client.get("/kiosk/sw.js")
    assert worker.mimetype == "text/javascript"
    assert "no-cache" in worker.headers["Cache-Control"]
    assert client.get("/kiosk/app/999999").status_code == 404


def test_without_javascript_the_app_points_to_the_online_kiosk(client, tablet):
    html = client.get(f"/kiosk/app/{tablet.device_id}").get_data(as_text=True)
    online = re.search(r'<noscript>.*?href="(/kiosk/k[^"]+)"', html, re.S).group(1)
    assert client.get(online).status_code == 200  # the online kiosk, as before
