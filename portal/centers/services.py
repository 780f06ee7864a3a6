"""Center directory operations: seeding from the official list, editing, counters, officers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward

from ..audit import services as audit
from ..extensions import db
from ..shared.errors import PermissionDenied, PortalError
from ..shared.search import like_contains
from ..shared.text import fold, vietnamese_sort_key
from .models import Center, CenterLevel, Counter, Officer
from .permissions import can_manage_center

CENTER_PREFIX = "Trung tâm Phục vụ hành chính công"


class CenterError(PortalError):
    """A center, counter or officer rule was broken."""


# Official units --------------------------------------------------------------


@dataclass(frozen=True)
class OfficialUnit:
    code: str
    level: CenterLevel
    unit_code: int
    unit_name: str
    unit_type: str
    province_code: int
    province_name: str

    @property
    def center_name(self) -> str:
        return center_name_for(self.unit_name, self.unit_type)


UNIT_PREFIXES = ("thành phố", "tỉnh", "phường", "xã", "đặc khu")


def center_name_for(unit_name: str, unit_type: str) -> str:
    """'Phường Việt Trì' → 'Trung tâm Phục vụ hành chính công phường Việt Trì'."""
    lowered = unit_name.lower()
    prefix = next((p for p in UNIT_PREFIXES if lowered.startswith(p + " ")), None)
    if prefix is not None:
        qualified = prefix + unit_name[len(prefix) :]
    elif unit_type == VietNamDivisionType.TINH.value:
        qualified = f"tỉnh {unit_name}"
    else:
        qualified = f"{unit_type} {unit_name}"
    return f"{CENTER_PREFIX} {qualified}"


def province_codes() -> list[int]:
    return sorted(int(p.code) for p in Province.iter_all())


#: Official codes are written with this many digits (``07``, ``07900``).
CODE_DIGITS = {CenterLevel.PROVINCE: 2, CenterLevel.COMMUNE: 5}


def _official_unit(unit: Province | Ward, level: CenterLevel, province: Province) -> OfficialUnit:
    return OfficialUnit(
        code=f"{int(unit.code):0{CODE_DIGITS[level]}d}",
        level=level,
        unit_code=int(unit.code),
        unit_name=unit.name,
        unit_type=unit.division_type.value,
        province_code=int(province.code),
        province_name=province.name,
    )


def official_units(province_code: int) -> list[OfficialUnit]:
    """The province itself and its communes/wards, from ``vietnam-provinces``."""
    try:
        code = ProvinceCode(province_code)
    except ValueError as exc:
        raise CenterError(_("Unknown province code %(code)s.", code=province_code)) from exc
    province = Province.from_code(code)
    wards = sorted(Ward.iter_by_province(code), key=lambda w: int(w.code))
    return [_official_unit(province, CenterLevel.PROVINCE, province)] + [
        _official_unit(ward, CenterLevel.COMMUNE, province) for ward in wards
    ]


@dataclass
class SeedResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def seed_province(
    province_code: int, *, actor=None, progress: Callable[[int], None] | None = None
) -> SeedResult:
    """Create or refresh the centers of one province. Idempotent.

    Official fields (unit name and type, province name) are refreshed from the
    list; fields that the center maintains itself (address, phone, hours, its
    own name once edited) are left alone.
    """
    units = official_units(province_code)
    existing = {
        c.code: c
        for c in db.session.scalars(sa.select(Center).where(Center.province_code == province_code))
    }
    result = SeedResult()
    for unit in units:
        center = existing.get(unit.code)
        if center is None:
            center = Center(
                code=unit.code,
                name=unit.center_name,
                level=unit.level.value,
                unit_code=unit.unit_code,
                unit_name=unit.unit_name,
                unit_type=unit.unit_type,
                province_code=unit.province_code,
                province_name=unit.province_name,
            )
            center.refresh_search_key()
            db.session.add(center)
            result.created += 1
        else:
            official = (unit.unit_name, unit.unit_type, unit.province_name, unit.level.value)
            current = (center.unit_name, center.unit_type, center.province_name, center.level)
            if official != current:
                center.unit_name, center.unit_type, center.province_name, center.level = official
                center.refresh_search_key()
                result.updated += 1
            else:
                result.unchanged += 1
        if progress is not None:
            progress(1)
    db.session.flush()
    if result.created or result.updated:
        audit.record(
            actor=actor,
            action="centers.seeded",
            object_type="province",
            object_id=province_code,
            summary={"created": result.created, "updated": result.updated},
        )
    return result


# Queries ---------------------------------------------------------------------


def search_centers(
    scope: sa.ColumnElement[bool], *, q: str = "", level: str = "", province_code: int | None = None
) -> sa.Select:
    stmt = sa.select(Center).where(scope)
    if q.strip():
        for word in fold(q).split()[:8]:
            stmt = stmt.where(like_contains(Center.search_key, word))
    if level in {lvl.value for lvl in CenterLevel}:
        stmt = stmt.where(Center.level == level)
    if province_code is not None:
        stmt = stmt.where(Center.province_code == province_code)
    # The provincial center first, then communes/wards by name.
    return stmt.order_by(Center.province_code, Center.level.desc(), Center.unit_name)


def get_center_by_code(code: str) -> Center | None:
    return db.session.scalar(sa.select(Center).where(Center.code == code))


def center_label(center: Center) -> str:
    """How a center appears in pickers: ``07900 — Trung tâm … phường Việt Trì``."""
    return f"{center.code} — {center.name}"


def _leading_code(text: str) -> str:
    head = text.split("—", 1)[0].split(" ", 1)[0].strip(" -–")
    return head if head.isdigit() else ""


def find_centers(text: str, *, limit: int = 10) -> list[Center]:
    """Centers matching a typed code, picker label or name (with or without diacritics)."""
    text = " ".join((text or "").split())
    if not text:
        return []
    code = _leading_code(text)
    if code:
        center = get_center_by_code(code)
        if center is not None:
            return [center]
    candidates = list(
        db.session.scalars(search_centers(sa.true(), q=text).limit(max(limit, 1) + 1))
    )
    folded = fold(text)
    exact = [c for c in candidates if folded in (fold(c.name), fold(c.unit_name))]
    return exact if len(exact) == 1 else candidates[: limit + 1]


def resolve_center(text: str) -> Center:
    """The one center that ``text`` names; :class:`CenterError` when none or several do."""
    matches = find_centers(text, limit=5)
    if not matches:
        raise CenterError(_("No center matches “%(text)s”.", text=text.strip()))
    if len(matches) > 1:
        names = "; ".join(center_label(c) for c in matches[:5])
        raise CenterError(
            _(
                "Several centers match “%(text)s”: %(names)s. Type more of the name, or the code.",
                text=text.strip(),
                names=names + ("; …" if len(matches) > 5 else ""),
            )
        )
    return matches[0]


#: Up to this many centers the pickers list every center; above it they ask the server.
PICKER_FULL_LIST_MAX = 1000


def picker_options() -> list[tuple[str, str]] | None:
    """``(label, folded label)`` of every center for a datalist, or ``None`` when too many."""
    count = db.session.scalar(sa.select(sa.func.count(Center.id))) or 0
    if count > PICKER_FULL_LIST_MAX:
        return None
    rows = db.session.execute(
        sa.select(Center.code, Center.name).order_by(
            Center.province_code, Center.level.desc(), Center.unit_name
        )
    ).all()
    return [(f"{code} — {name}", fold(f"{code} {name}")) for code, name in rows]


# Editing: every service checks its actor itself (``centers.permissions``) -------


def _require_manager(actor, center: Center) -> None:
    """Only an administrator or the center's own manager changes a center."""
    if actor is None or not can_manage_center(actor, center):
        raise PermissionDenied(_("You are not allowed to change this center."))


def _record_change(
    obj: Center | Counter | Officer, before: dict | None, *, actor, action: str
) -> None:
    """Flush, then record ``action`` in the center's audit trail: a creation (``before`` is
    ``None``) always, an update when something changed. Officers' names stay out of it."""
    db.session.flush()
    personal = Officer.PERSONAL_FIELDS if isinstance(obj, Officer) else ()
    changes = audit.diff(before, obj.audit_state(), personal=personal)
    if before is not None and not changes:
        return
    if isinstance(obj, Center):  # a center is known by its code
        object_type, object_id, center_id = "center", obj.code, obj.id
    else:
        object_type = "officer" if isinstance(obj, Officer) else "counter"
        object_id, center_id = obj.id, obj.center_id
    audit.record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        center_id=center_id,
        summary=changes,
    )


def update_center(
    center: Center,
    *,
    actor,
    address: str,
    phone: str,
    opening_hours: str,
    extra_sites: str = "",
    name: str | None = None,
) -> Center:
    """The center's profile. Its public name (``name``; ``None`` keeps it) comes from the
    official list, or an administrator changes it: a manager may not rename the center
    citizens and the ranking know. Either way the change is audited with both names."""
    _require_manager(actor, center)
    if name is not None and name.strip() != center.name and not actor.is_admin:
        raise PermissionDenied(_("Only an administrator may change a center's public name."))
    before = center.audit_state()
    if name is not None:
        center.name = name.strip()
    center.address = address.strip()
    center.phone = phone.strip()
    center.opening_hours = opening_hours.strip()
    center.extra_sites = "\n".join(
        line.strip() for line in extra_sites.splitlines() if line.strip()
    )
    center.refresh_search_key()
    _record_change(center, before, actor=actor, action="center.updated")
    return center


def _check_counter_number(center: Center, number: int, *, exclude_id: int | None = None) -> None:
    stmt = sa.select(Counter.id).where(Counter.center_id == center.id, Counter.number == number)
    if exclude_id is not None:
        stmt = stmt.where(Counter.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise CenterError(_("Counter number %(n)d already exists in this center.", n=number))


def add_counter(center: Center, *, actor, number: int, field: str) -> Counter:
    _require_manager(actor, center)
    _check_counter_number(center, number)
    counter = Counter(center=center, number=number, field=field.strip())
    db.session.add(counter)
    _record_change(counter, None, actor=actor, action="counter.created")
    return counter


def update_counter(counter: Counter, *, actor, number: int, field: str, is_active: bool) -> Counter:
    _require_manager(actor, counter.center)
    _check_counter_number(counter.center, number, exclude_id=counter.id)
    before = counter.audit_state()
    counter.number = number
    counter.field = field.strip()
    counter.is_active = is_active
    _record_change(counter, before, actor=actor, action="counter.updated")
    return counter


def _resolve_counter(center: Center, counter_id: int | None) -> Counter | None:
    if counter_id is None:
        return None
    counter = db.session.get(Counter, counter_id)
    if counter is None or counter.center_id != center.id:
        raise CenterError(_("Choose a counter of this center."))
    return counter


def add_officer(
    center: Center, *, actor, full_name: str, position: str, counter_id: int | None
) -> Officer:
    _require_manager(actor, center)
    officer = Officer(
        center=center,
        full_name=full_name.strip(),
        position=position.strip(),
        counter=_resolve_counter(center, counter_id),
    )
    db.session.add(officer)
    _record_change(officer, None, actor=actor, action="officer.created")
    return officer


def update_officer(
    officer: Officer,
    *,
    actor,
    full_name: str,
    position: str,
    counter_id: int | None,
    is_active: bool,
) -> Officer:
    _require_manager(actor, officer.center)
    before = officer.audit_state()
    officer.full_name = full_name.strip()
    officer.position = position.strip()
    officer.counter = _resolve_counter(officer.center, counter_id)
    officer.is_active = is_active
    _record_change(officer, before, actor=actor, action="officer.updated")
    return officer


def iter_centers(province_code: int) -> Iterator[Center]:
    yield from db.session.scalars(
        sa.select(Center).where(Center.province_code == province_code).order_by(Center.code)
    )


def officers_in_list_order(center: Center) -> list[Officer]:
    """The center's officers as Vietnamese lists are ordered (by given name, Đ after D)."""
    return sorted(center.officers, key=lambda o: (vietnamese_sort_key(o.full_name), o.id))
