"""On-site visits: the team's record of a visit, its findings per criterion and the photos
taken on site."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_babel import gettext as _

from ..accounts.models import User
from ..assessments.evidence import CleanFile
from ..extensions import db
from ..shared.timeutils import today_local
from ..standards.models import Criterion
from .access import InspectionError, check_inspector
from .corrections import add_evidence
from .models import EventKind, Inspection, Visit, VisitFinding
from .steps import clean_text, event, write_step


def record_visit(
    inspection: Inspection,
    *,
    visited_on: date,
    team: str,
    summary: str,
    findings: Mapping[int, str],
    actor: User,
    today: date | None = None,
) -> Visit:
    check_inspector(actor, inspection.assessment.center)
    if visited_on > (today or today_local()):
        raise InspectionError(_("A visit cannot be recorded before it happens."))
    team = clean_text(team)
    if not team:
        raise InspectionError(_("Name the members of the visiting team."))
    criteria = {c.id: c for c in inspection.assessment.period.standard_version.criteria}
    visit = Visit(
        inspection=inspection,
        visited_on=visited_on,
        team=team,
        summary=clean_text(summary),
        created_by_id=actor.id,
    )
    db.session.add(visit)
    events = []
    codes = []
    for criterion_id, text in findings.items():
        text = clean_text(text)
        if criterion_id not in criteria or not text:
            continue
        criterion = criteria[criterion_id]
        visit.findings.append(VisitFinding(criterion=criterion, text=text))
        events.append(
            event(inspection, EventKind.FINDING, actor=actor, criterion=criterion, text=text)
        )
        codes.append(criterion.code)
    db.session.flush()  # the visit's id, for the audit entry
    write_step(
        inspection,
        "inspection.visit",
        actor=actor,
        events=events,
        visit_id=visit.id,
        visited_on=visited_on.isoformat(),
        findings=sorted(codes),
    )
    return visit


def attach_visit_photo(
    visit: Visit,
    criterion: Criterion,
    clean: CleanFile,
    *,
    storage_name: str,
    original_name: str,
    actor: User,
) -> VisitFinding:
    """A photo taken on site: stored through the evidence pipeline, attached to a finding."""
    evidence = add_evidence(
        visit.inspection,
        criterion,
        clean,
        storage_name=storage_name,
        original_name=original_name,
        actor=actor,
    )
    finding = next(
        (f for f in visit.findings if f.criterion_id == criterion.id and f.evidence_id is None),
        None,
    )
    if finding is None:
        finding = VisitFinding(visit=visit, criterion=criterion, text="")
        db.session.add(finding)
    finding.evidence = evidence
    db.session.flush()
    return finding
