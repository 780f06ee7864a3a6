"""Demo data: counters, officers, one account per role, the standard and an open quarter.

Idempotent.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from ..accounts.models import Role, User
from ..assessments import services as assessments
from ..assessments.models import AssessmentPeriod
from ..audit import services as audit
from ..centers import services as centers
from ..centers.models import Center, Counter, Officer
from ..extensions import db
from ..shared.timeutils import today_local
from ..standards import services as standards
from ..standards.models import StandardVersion
from .ratings import seed_ratings

FIELDS = (
    "Tư pháp – Hộ tịch",
    "Chứng thực",
    "Đất đai",
    "Xây dựng",
    "Đăng ký kinh doanh",
    "Nội vụ – Lao động",
    "Bảo trợ xã hội",
    "Nông nghiệp và Môi trường",
    "Văn hóa – Giáo dục – Y tế",
    "Tài chính – Kế hoạch",
)
FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hà",
    "Đinh",
    "Cao",
    "Phùng",
    "Kiều",
)
MIDDLE = ("Văn", "Thị", "Minh", "Thu", "Hữu", "Thanh", "Ngọc", "Đức", "Quang", "Thùy")
GIVEN = (
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hùng",
    "Hương",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Ngân",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vân",
    "Yến",
)
POSITIONS = (
    "Công chức một cửa",
    "Công chức Tư pháp – Hộ tịch",
    "Công chức Địa chính",
    "Công chức Văn hóa – Xã hội",
    "Viên chức tiếp nhận hồ sơ",
)
OPENING_HOURS = "Thứ Hai – Thứ Sáu 7:30–11:30, 13:30–17:00; sáng Thứ Bảy 7:30–11:30"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    full_name: str


def demo_accounts(province_code: int) -> list[DemoAccount]:
    return [
        DemoAccount("admin", "PhuTho-admin-2026", Role.ADMIN, "Quản trị cổng"),
        DemoAccount("thanhtra", "PhuTho-thanhtra-2026", Role.INSPECTOR, "Đoàn kiểm tra Sở Nội vụ"),
        DemoAccount("quanly", "PhuTho-quanly-2026", Role.MANAGER, "Giám đốc Trung tâm"),
        DemoAccount("canbo", "PhuTho-canbo-2026", Role.OFFICER, "Công chức quầy 1"),
    ]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def populate_center(center: Center, rng: random.Random) -> bool:
    """Give a center counters and officers if it has none yet."""
    has_counters = db.session.scalar(
        sa.select(sa.func.count(Counter.id)).where(Counter.center_id == center.id)
    )
    if has_counters:
        return False
    n_counters = 6 if center.is_provincial else rng.randint(2, 5)
    fields = rng.sample(FIELDS, n_counters)
    counters = [Counter(center=center, number=i + 1, field=f) for i, f in enumerate(fields)]
    db.session.add_all(counters)
    for counter in counters:
        for _ in range(rng.randint(1, 2)):
            db.session.add(
                Officer(
                    center=center,
                    counter=counter,
                    full_name=_name(rng),
                    position=rng.choice(POSITIONS),
                )
            )
    if not center.opening_hours:
        center.opening_hours = OPENING_HOURS
    if not center.address:
        center.address = f"Trụ sở UBND {center.unit_name}, tỉnh {center.province_name}"
    return True


def seed_demo(
    province_code: int, *, progress: Callable[[int], None] | None = None
) -> list[DemoAccount]:
    centers.seed_province(province_code)
    rng = random.Random(province_code)  # noqa: S311 - demo data, reproducible on purpose
    all_centers = list(centers.iter_centers(province_code))
    populated = 0
    for center in all_centers:
        populated += populate_center(center, rng)
        if progress:
            progress(1)
    db.session.flush()
    communes = [c for c in all_centers if not c.is_provincial]
    # Phú Thọ's demo manager runs the center of Phường Việt Trì, the provincial capital.
    home = next((c for c in communes if c.unit_name == "Phường Việt Trì"), communes[0])
    accounts = demo_accounts(province_code)
    created: list[str] = []
    for acc in accounts:
        if db.session.scalar(sa.select(User.id).where(User.username == acc.username)):
            continue
        center = home if acc.role in (Role.MANAGER, Role.OFFICER) else None
        user = User(
            username=acc.username,
            full_name=acc.full_name,
            role=acc.role.value,
            center=center,
            password_hash="",
        )
        if acc.role == Role.INSPECTOR:
            user.scope_province_code = province_code
        if acc.role == Role.OFFICER:
            user.officer = db.session.scalar(
                sa.select(Officer)
                .join(Counter, Counter.id == Officer.counter_id)
                .where(Officer.center_id == home.id)
                .order_by(Counter.number, Officer.id)
            )
            # The account carries the name of the person it belongs to.
            if user.officer is not None:
                user.full_name = user.officer.full_name
        user.set_password(acc.password)
        db.session.add(user)
        created.append(acc.username)
    db.session.flush()
    seed_checklist()
    created_ratings = seed_ratings(province_code)
    if populated or created or created_ratings:
        audit.record(
            actor=None,
            action="demo.seeded",
            object_type="province",
            object_id=province_code,
            summary={
                "centers_populated": populated,
                "accounts_created": created,
                "ratings_created": created_ratings,
            },
        )
    return accounts


def current_quarter(today: date) -> tuple[str, date, date]:
    q = (today.month - 1) // 3 + 1
    opens_on = date(today.year, 3 * q - 2, 1)
    next_start = date(today.year + 1, 1, 1) if q == 4 else date(today.year, 3 * q + 1, 1)
    return f"{today.year}-Q{q}", opens_on, next_start - timedelta(days=1)


def period_by_code(code: str) -> AssessmentPeriod | None:
    return db.session.scalar(sa.select(AssessmentPeriod).where(AssessmentPeriod.code == code))


def first_admin() -> User | None:
    """The account the demo's periods are created by (the first admin)."""
    return db.session.scalar(sa.select(User).where(User.role == Role.ADMIN).order_by(User.id))


def create_quarter(
    code: str, opens_on: date, closes_on: date, version: StandardVersion, *, actor: User
) -> AssessmentPeriod:
    """The quarter ``code`` ("2026-Q2"), named as the province names it ("Quý 2 năm 2026")."""
    return assessments.create_period(
        actor=actor,
        code=code,
        name=f"Quý {code.rsplit('Q', 1)[1]} năm {opens_on.year}",
        kind="quarter",
        opens_on=opens_on,
        closes_on=closes_on,
        standard_version=version,
    )


def current_period() -> AssessmentPeriod | None:
    """The demo's open quarter (created by :func:`seed_checklist`)."""
    return period_by_code(current_quarter(today_local())[0])


def seed_checklist() -> AssessmentPeriod | None:
    """Import the built-in standard and open the current quarter for self-assessment."""
    spec = standards.load_file(standards.DEFAULT_STANDARD_FILE)
    version = standards.import_standard(spec, actor=None).version
    code, opens_on, closes_on = current_quarter(today_local())
    existing = period_by_code(code)
    admin = first_admin()
    if existing is not None or admin is None:
        return existing
    return create_quarter(code, opens_on, closes_on, version, actor=admin)
