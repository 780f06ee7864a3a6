"""``flask demo seed``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..accounts.models import Role, User
from ..assessments.models import Assessment
from ..centers.services import official_units
from ..extensions import db
from ..inspections import services as inspections
from ..inspections.models import Appeal, AppealStatus, Inspection
from ..rankings import services as score_services
from . import services
from .exports import seed_exports
from .history import EARLIER, seed_history
from .inspections import seed_inspections
from .statistics import seed_statistics

cli = AppGroup("demo", help="Demo data.")


def decide_one_appeal(period) -> None:
    """An administrator rejects the first open appeal of the period (a new revision)."""
    appeal = db.session.scalar(
        sa.select(Appeal)
        .join(Inspection, Inspection.id == Appeal.inspection_id)
        .join(Assessment, Assessment.id == Inspection.assessment_id)
        .where(Assessment.period_id == period.id, Appeal.status == AppealStatus.OPEN)
        .order_by(Appeal.id)
        .limit(1)
    )
    admin = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN).limit(1))
    if appeal is None or admin is None:
        return
    decisions = {
        item.criterion_id: inspections.AppealDecision(
            upheld=False, note="Ảnh chụp sau ngày kiểm tra; giữ nguyên kết quả thẩm định."
        )
        for item in appeal.items
    }
    inspections.decide_appeal(appeal, decisions, actor=admin)


@cli.command("seed")
@click.option(
    "--province",
    "province_code",
    type=int,
    default=25,
    show_default=True,
    help="Official province code.",
)
def seed(province_code: int) -> None:
    """Seed centers, accounts, the standard, the current quarter and two earlier ones, ratings."""
    n = len(official_units(province_code))
    with click.progressbar(length=n, label="Demo centers", show_pos=True) as bar:
        accounts = services.seed_demo(province_code, progress=bar.update)
    with click.progressbar(length=n, label="Demo inspections", show_pos=True) as bar:
        seed_inspections(services.current_period(), province_code, progress=bar.update)
    seed_statistics(province_code)
    db.session.commit()
    # The inspected period's results on the public board, provisional (the quarter runs
    # on), then one appeal decided: the board shows "update no. 2" and the centers whose
    # appeal is still open are marked.
    period = services.current_period()
    if not score_services.settings_for(period).is_published:
        score_services.publish(period, actor=None)
        db.session.commit()
        decide_one_appeal(period)
    db.session.commit()
    # Two earlier quarters, inspected and published, so that trends show.
    with click.progressbar(length=n * EARLIER, label="Earlier quarters", show_pos=True) as bar:
        seed_history(period, province_code, progress=bar.update)
    db.session.commit()
    # A finished export for the admin and the inspector: the export list shows a file ready.
    seed_exports(period)
    db.session.commit()
    click.echo("\nDemo accounts (log in at http://127.0.0.1:5000/account/login):")
    for acc in accounts:
        click.echo(f"  {acc.role.value:<10} {acc.username:<10} {acc.password}")
