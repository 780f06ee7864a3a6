"""Foundation browser tests: one center with two counters and an account per role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from portal.accounts.models import Role, User
from portal.centers.models import Counter
from portal.extensions import db
from tests.browser import LiveServer, viet_tri_center
from tests.conftest import PASSWORD


def seed_minimal(app) -> None:
    center = viet_tri_center()
    db.session.add(center)
    db.session.add_all(
        [
            Counter(center=center, number=1, field="Tư pháp – Hộ tịch"),
            Counter(center=center, number=2, field="Đất đai"),
        ]
    )
    for username, role in (
        ("admin", Role.ADMIN),
        ("quanly", Role.MANAGER),
        ("thanhtra", Role.INSPECTOR),
        ("canbo", Role.OFFICER),
    ):
        user = User(
            username=username,
            full_name=f"Demo {username}",
            role=role.value,
            center=center if role in (Role.MANAGER, Role.OFFICER) else None,
            scope_province_code=25 if role == Role.INSPECTOR else None,
            password_hash="",
        )
        user.set_password(PASSWORD)
        db.session.add(user)
    db.session.commit()


@pytest.fixture
def live_server(make_live_app) -> Iterator[LiveServer]:
    with LiveServer(make_live_app(seed_minimal)) as server:
        yield server


def login(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/account/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
