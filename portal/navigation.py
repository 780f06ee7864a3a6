"""The staff menu: one list per role, shown in the header and on the start page.

Endpoints are named as strings, so this module imports no feature. A feature
adds its pages by adding a ``MenuItem`` here; the header, the start page and the
every-page test all read the same list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import lazy_gettext as _l

ADMIN, INSPECTOR, MANAGER, OFFICER = "admin", "inspector", "manager", "officer"
STAFF = (ADMIN, INSPECTOR, MANAGER)

#: How much waits behind a menu item (``endpoint → count(user)``), shown on the start
#: page: a feature registers its count here, so this module still imports none.
COUNTS: dict[str, Callable[[object], int]] = {}


def register_count(endpoint: str, count: Callable[[object], int]) -> None:
    COUNTS[endpoint] = count


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    label: object
    description: object
    roles: tuple[str, ...]
    #: Needs the user's own center (its code is passed as ``code``).
    own_center: bool = False
    args: dict = field(default_factory=dict)

    def count(self, user) -> int | None:
        """How many things wait for ``user`` behind this item, if the item counts any."""
        count = COUNTS.get(self.endpoint)
        return None if count is None else count(user)

    def url(self, user) -> str:
        kwargs = dict(self.args)
        if self.own_center:
            kwargs["code"] = user.center.code
        return url_for(self.endpoint, **kwargs)


MENU: tuple[MenuItem, ...] = (
    MenuItem(
        "dashboards.province",
        _l("Province dashboard"),
        _l("Every center's scores, trend and class, with charts and drill-down."),
        (ADMIN, INSPECTOR),
    ),
    MenuItem(
        "dashboards.center",
        _l("Center dashboard"),
        _l("Your center's scores, weakest criteria, satisfaction trend and open work."),
        (MANAGER,),
        own_center=True,
    ),
    MenuItem(
        "centers.detail",
        _l("My center"),
        _l("Counters, officers, opening hours and QR posters of your center."),
        (MANAGER, OFFICER),
        own_center=True,
    ),
    MenuItem(
        "ratings.mine",
        _l("My ratings"),
        _l("What citizens said about your service, and your rank."),
        (OFFICER,),
    ),
    MenuItem(
        "centers.index",
        _l("Centers"),
        _l("Every center in your scope, with search by name."),
        (ADMIN, INSPECTOR),
    ),
    MenuItem(
        "inspections.index",
        _l("Inspection queue"),
        _l("Self-assessments to verify, appeals and visits."),
        (ADMIN, INSPECTOR),
    ),
    MenuItem(
        "assessments.index",
        _l("Self-assessments"),
        _l("The one-stop digital checklist of each period, with evidence."),
        STAFF,
    ),
    MenuItem(
        "ratings.index",
        _l("Citizen ratings"),
        _l("Satisfaction by center, counter and officer, and citizens' comments."),
        STAFF,
    ),
    MenuItem(
        "ratings.held_queue",
        _l("Held ratings"),
        _l("Ratings held for review in every center of your scope, oldest first."),
        (ADMIN, INSPECTOR),
    ),
    MenuItem(
        "complaints.index",
        _l("Complaints"),
        _l("Cases opened by dissatisfied citizens, with their due dates."),
        STAFF,
    ),
    MenuItem(
        "complaints.alerts",
        _l("Alerts"),
        _l("Dissatisfaction spikes, silent counters and overdue cases."),
        STAFF,
    ),
    MenuItem(
        "rankings.officers",
        _l("Civil servants' ratings"),
        _l("Officers' satisfaction figures and ranks, above the minimum number of ratings."),
        STAFF,
    ),
    MenuItem(
        "statistics.overview",
        _l("Dossier statistics"),
        _l("Dossiers, rating coverage and the 766 index of every center."),
        (ADMIN, INSPECTOR),
    ),
    MenuItem(
        "statistics.center",
        _l("Results of my center"),
        _l("Dossiers by month, rating coverage and the 766 index beside the scores."),
        (MANAGER,),
        own_center=True,
    ),
    MenuItem(
        "exports.index",
        _l("Exports"),
        _l("Excel, CSV and PDF files of rankings, ratings, assessments and complaints."),
        STAFF,
    ),
    MenuItem(
        "rankings.board",
        _l("Public ranking"),
        _l("The published ranking of centers, as citizens see it."),
        (ADMIN, INSPECTOR, MANAGER, OFFICER),
    ),
    MenuItem(
        "ratings.receipt_new",
        _l("Rating receipt"),
        _l("A single-use QR code for the citizen whose dossier you handled."),
        (MANAGER, OFFICER),
        own_center=True,
    ),
    MenuItem(
        "standards.index",
        _l("Standards"),
        _l("Versions of the checklist standard and their criteria."),
        (ADMIN,),
    ),
    MenuItem(
        "assessments.periods",
        _l("Assessment periods"),
        _l("Open and close self-assessment periods."),
        (ADMIN,),
    ),
    MenuItem(
        "rankings.periods",
        _l("Scores and publication"),
        _l("Scoring settings of each period, computing and publishing the ranking."),
        (ADMIN,),
    ),
    MenuItem(
        "statistics.import_page",
        _l("Import statistics"),
        _l("Dossier statistics and the Decision 766 index from CSV files."),
        (ADMIN,),
    ),
    MenuItem("admin.users", _l("Users"), _l("Accounts, roles and scopes."), (ADMIN,)),
    MenuItem(
        "admin.settings_page",
        _l("Settings"),
        _l("Complaint due days, alert thresholds, opening hours and public holidays."),
        (ADMIN,),
    ),
    MenuItem(
        "admin.audit_log",
        _l("Audit log"),
        _l("Every change, who made it and when, in a tamper-evident chain."),
        (ADMIN,),
    ),
)


def menu_for(user) -> list[tuple[MenuItem, str]]:
    """The menu items a signed-in user may open, with their URLs."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    for item in MENU:
        if user.role not in item.roles:
            continue
        if item.own_center and user.center is None:
            continue
        items.append((item, item.url(user)))
    return items


#: Where each role lands after logging in.
LANDING = {
    ADMIN: ("dashboards.province", False),
    INSPECTOR: ("dashboards.province", False),
    MANAGER: ("dashboards.center", True),
    OFFICER: ("ratings.mine", False),
}


def landing_url(user) -> str:
    endpoint, own_center = LANDING.get(user.role, ("main.start", False))
    if own_center:
        if user.center is None:
            return url_for("main.start")
        return url_for(endpoint, code=user.center.code)
    return url_for(endpoint)


def register_navigation(app) -> None:
    """``staff_menu()`` in every template."""
    from flask_login import current_user

    @app.context_processor
    def _menu():
        return {"staff_menu": lambda: menu_for(current_user)}
