"""The portal's own audit actions (name and sentence) and the kinds of objects they act on.

Features outside the portal's core register theirs next to the code that records them
(see :mod:`portal.audit.sentences`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .wording import register_action, register_object_type

for _action, _name, _sentence in (
    ("login", _l("Logged in"), _l("%(actor)s logged in")),
    ("logout", _l("Logged out"), _l("%(actor)s logged out")),
    ("login.failed", _l("Failed login"), _l("A login to %(object)s failed")),
    ("user.created", _l("Account created"), _l("%(actor)s created the account %(object)s")),
    ("user.updated", _l("Account changed"), _l("%(actor)s changed the account %(object)s")),
    (
        "user.password_changed",
        _l("Password changed"),
        _l("%(actor)s changed the password of %(object)s"),
    ),
    (
        "user.password_reset",
        _l("Password reset"),
        _l("%(actor)s gave %(object)s a new one-time password"),
    ),
    (
        "centers.seeded",
        _l("Centers loaded"),
        _l("%(actor)s loaded the official centers of %(object)s"),
    ),
    ("center.updated", _l("Center changed"), _l("%(actor)s changed the center's profile")),
    ("counter.created", _l("Counter added"), _l("%(actor)s added %(object)s")),
    ("counter.updated", _l("Counter changed"), _l("%(actor)s changed %(object)s")),
    ("officer.created", _l("Officer added"), _l("%(actor)s added the officer %(object)s")),
    ("officer.updated", _l("Officer changed"), _l("%(actor)s changed the officer %(object)s")),
    (
        "standard.import",
        _l("Standard imported"),
        _l("%(actor)s imported a version of the standard"),
    ),
    (
        "period.create",
        _l("Assessment period created"),
        _l("%(actor)s created the assessment period %(object)s"),
    ),
    (
        "period.update",
        _l("Assessment period changed"),
        _l("%(actor)s changed the assessment period %(object)s"),
    ),
    (
        "assessment.create",
        _l("Self-assessment started"),
        _l("%(actor)s started the self-assessment %(object)s"),
    ),
    (
        "assessment.answers",
        _l("Self-assessment answers saved"),
        _l("%(actor)s saved answers of the self-assessment %(object)s"),
    ),
    (
        "assessment.submit",
        _l("Self-assessment submitted"),
        _l("%(actor)s submitted the self-assessment %(object)s"),
    ),
    ("evidence.add", _l("Evidence added"), _l("%(actor)s attached the evidence file %(object)s")),
    (
        "evidence.delete",
        _l("Evidence removed"),
        _l("%(actor)s removed the evidence file %(object)s"),
    ),
    (
        "rating.staff_assisted",
        _l("Rating entered by staff"),
        _l("%(actor)s entered %(object)s for a citizen"),
    ),
    ("rating.flags_cleared", _l("Rating cleared"), _l("%(actor)s cleared the flags of %(object)s")),
    (
        "rating.flags_confirmed",
        _l("Rating held back"),
        _l("%(actor)s confirmed the flags of %(object)s: it does not count"),
    ),
    ("rating.comment_hidden", _l("Comment hidden"), _l("%(actor)s hid the comment of %(object)s")),
    (
        "rating.comment_shown",
        _l("Comment shown"),
        _l("%(actor)s showed the comment of %(object)s again"),
    ),
    (
        "rating.personal_data_erased",
        _l("Personal data erased"),
        _l("The citizen erased the phone number and comment of %(object)s"),
    ),
    (
        "qr.posters_revoked",
        _l("Posters reprinted"),
        _l("%(actor)s reprinted the QR posters of %(object)s"),
    ),
    ("case.answered", _l("Complaint answered"), _l("%(actor)s answered %(object)s")),
    ("case.assigned", _l("Complaint assigned"), _l("%(actor)s assigned %(object)s")),
    (
        "case.note_added",
        _l("Internal note added"),
        _l("%(actor)s added an internal note to %(object)s"),
    ),
    ("inspection.start", _l("Inspection started"), _l("%(actor)s started inspection %(object)s")),
    (
        "inspection.verdict",
        _l("Inspection verdict"),
        _l("%(actor)s recorded a verdict in inspection %(object)s"),
    ),
    (
        "inspection.return",
        _l("Returned for correction"),
        _l("%(actor)s returned inspection %(object)s to the center for correction"),
    ),
    ("inspection.fix", _l("Correction made"), _l("%(actor)s corrected an answer in %(object)s")),
    (
        "inspection.evidence",
        _l("Inspection evidence"),
        _l("%(actor)s changed the evidence of inspection %(object)s"),
    ),
    (
        "inspection.resubmit",
        _l("Resubmitted"),
        _l("%(actor)s resubmitted the self-assessment of inspection %(object)s"),
    ),
    (
        "inspection.finalize",
        _l("Inspection finalized"),
        _l("%(actor)s finalized inspection %(object)s"),
    ),
    ("inspection.appeal", _l("Appeal filed"), _l("%(actor)s appealed inspection %(object)s")),
    (
        "inspection.appeal_decision",
        _l("Appeal decided"),
        _l("%(actor)s decided the appeal of inspection %(object)s"),
    ),
    (
        "inspection.visit",
        _l("On-site visit"),
        _l("%(actor)s recorded an on-site visit in inspection %(object)s"),
    ),
    (
        "inspection.action_create",
        _l("Corrective action"),
        _l("%(actor)s asked for a corrective action in inspection %(object)s"),
    ),
    (
        "inspection.action_close",
        _l("Corrective action done"),
        _l("%(actor)s closed a corrective action of inspection %(object)s"),
    ),
    (
        "inspection.action_confirm",
        _l("Corrective action confirmed"),
        _l("%(actor)s confirmed a corrective action of inspection %(object)s"),
    ),
    (
        "scores.settings",
        _l("Scoring settings changed"),
        _l("%(actor)s changed the scoring settings of %(object)s"),
    ),
    ("scores.recompute", _l("Scores computed"), _l("%(actor)s computed the scores of %(object)s")),
    (
        "scores.publish",
        _l("Ranking published"),
        _l("%(actor)s published the ranking of %(object)s"),
    ),
    ("receipt.issued", _l("Receipt issued"), _l("%(actor)s issued the rating receipt %(object)s")),
    (
        "rating.personal_data_purged",
        _l("Personal data purged"),
        _l("Phone numbers and comments past their retention period were deleted"),
    ),
    (
        "security.denied",
        _l("Access refused"),
        _l("%(actor)s was refused a page outside their rights"),
    ),
    (
        "security.csrf_failed",
        _l("Form refused"),
        _l("%(actor)s sent a form that had expired or came from another site"),
    ),
    (
        "security.rate_limited",
        _l("Too many requests"),
        _l("%(actor)s was slowed down after too many requests"),
    ),
    (
        "case.phone_revealed",
        _l("Callback number shown"),
        _l("%(actor)s looked at the callback number of %(object)s"),
    ),
    ("alert.acknowledged", _l("Alert acknowledged"), _l("%(actor)s acknowledged an alert")),
    ("demo.seeded", _l("Demo data loaded"), _l("%(actor)s loaded demo data for %(object)s")),
    ("settings.updated", _l("Settings changed"), _l("%(actor)s changed the settings")),
    (
        "settings.opening_hours",
        _l("Opening hours changed"),
        _l("%(actor)s changed the opening hours of %(object)s"),
    ),
    (
        "settings.opening_hours_cleared",
        _l("Opening hours reset"),
        _l("%(actor)s set %(object)s back to its province's opening hours"),
    ),
    (
        "settings.holiday_added",
        _l("Holiday added"),
        _l("%(actor)s added the public holiday %(object)s"),
    ),
    (
        "settings.holiday_removed",
        _l("Holiday removed"),
        _l("%(actor)s removed the public holiday %(object)s"),
    ),
):
    register_action(_action, name=_name, sentence=_sentence)

for _type, _label in (
    ("user", _l("account")),
    ("center", _l("center")),
    ("counter", _l("counter")),
    ("officer", _l("officer")),
    ("province", _l("province")),
    ("rating", _l("rating")),
    ("receipt", _l("receipt")),
    ("inspection", _l("inspection")),
    ("case", _l("complaint")),
    ("assessment", _l("self-assessment")),
    ("assessment_period", _l("period")),
    ("evidence", _l("file")),
    ("standard_version", _l("standard version")),
    ("settings", _l("settings")),
    ("holiday", _l("holiday")),
):
    register_object_type(_type, _label)
