"""Fixtures for inspections: a submitted self-assessment with every criterion fully met."""

from __future__ import annotations

import pytest

from portal.assessments import services as checklist
from portal.assessments.services import AnswerInput
from portal.extensions import db
from portal.inspections import services

from ..assessments import conftest as checklist_fixtures
from ..assessments.conftest import criterion, make_photo  # noqa: F401

# The checklist's fixtures, shared.
app_config = checklist_fixtures.app_config
standard_version = checklist_fixtures.standard_version
create_period = checklist_fixtures.create_period
period = checklist_fixtures.period
assessment = checklist_fixtures.assessment
other_assessment = checklist_fixtures.other_assessment
photo = checklist_fixtures.photo


def full_marks(version) -> dict[int, AnswerInput]:
    out = {}
    for c in version.criteria:
        if c.answer_type == "number":
            out[c.id] = AnswerInput(number=str(c.target))
        else:
            out[c.id] = AnswerInput(choice="met" if c.answer_type == "level" else "yes")
    return out


@pytest.fixture
def submitted(assessment, users, standard_version):
    """The Phường Việt Trì self-assessment, every criterion fully met, submitted."""
    manager = users["manager"]
    assert checklist.save_answers(assessment, full_marks(standard_version), actor=manager) == {}
    checklist.submit(assessment, actor=manager)
    db.session.commit()
    return assessment


@pytest.fixture
def second_inspector(create_user):
    from portal.accounts.models import Role

    return create_user(Role.INSPECTOR, username="inspector3", scope_province_code=25)


@pytest.fixture
def reviewing(submitted, users):
    """The review opened by the inspector, every criterion still without a verdict."""
    inspection = services.start_review(submitted, actor=users["inspector"])
    db.session.commit()
    return inspection


def accept_all(inspection, actor, *, skip=()):
    """One verdict per criterion, as an inspector clicking through the page does."""
    for item in inspection.items:
        if item.criterion.code in skip:
            continue
        services.record_verdict(
            inspection, item.criterion, services.VerdictInput("accept"), actor=actor
        )


def accept_rest(inspection, actor):
    """Every criterion without a verdict accepted at once."""
    services.accept_remaining(inspection, actor=actor)
