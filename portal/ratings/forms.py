"""The public rating form, validated by hand against literal value sets.

WTForms' IntegerField would accept ``" 4 "``, ``"+4"``, ``"4_0"`` or ``"٣"`` (Python's
``int`` does); a citizen's score must be exactly one of the strings ``"1"``–``"5"``.
Any other value, or the parameter given twice, is a bad request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import (
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    validators,
)

from ..shared import crypto
from ..shared.forms import BaseForm, choices, length, number_range, optional, required
from ..shared.text import clean_text
from .models import ASPECTS, CHIPS, SCORES
from .submission import RatingInput

FACES = {
    "1": _l("Very dissatisfied"),
    "2": _l("Dissatisfied"),
    "3": _l("Neutral"),
    "4": _l("Satisfied"),
    "5": _l("Very satisfied"),
}
FACE_EMOJI = {
    "1": "😠",
    "2": "😞",
    "3": "😐",
    "4": "😊",
    "5": "😄",
}  # Unicode 6.0: old phones have them

ASPECT_LABELS = {
    "access": _l("Access and facilities"),
    "procedure": _l("Procedure and publicity"),
    "staff": _l("The civil servant"),
    "result": _l("The result and timeliness"),
    "feedback": _l("Handling of feedback"),
}

#: The ends of the 1–5 detail scales, shown beside them so nobody reads 1 as "first class".
SCALE_LOW = _l("1 = very poor")
SCALE_HIGH = _l("5 = very good")

CHIP_LABELS = {
    "fast": _l("Quick"),
    "clear_guidance": _l("Clear guidance"),
    "polite": _l("Polite staff"),
    "clean": _l("Clean, comfortable"),
    "slow": _l("Long wait"),
    "unclear": _l("Unclear guidance"),
    "rude": _l("Impolite staff"),
    "extra_papers": _l("Asked for extra papers"),
}
#: Why a rating is held for review (the codes stored in ``Rating.flags``), in words.
FLAG_LABELS = {
    "off_hours": _l("Sent outside opening hours"),
    "burst": _l("Unusually many ratings at once"),
    "over_receipts": _l("More ratings than receipts that day"),
    "issuer_device": _l("From the browser that issued the receipt"),
    "issuer_network": _l("From the network that issued the receipt"),
    "center_network": _l("From the center's network, soon after issuance"),
    "staff_session": _l("Sent from a signed-in staff session of the center"),
    "staff_device": _l("From a device a staff member of the center uses"),
    "staff_network": _l("From a network the center's staff use"),
    # Ratings synced from an offline kiosk tablet's queue (portal/kiosk).
    "kiosk_future": _l("Tablet clock ahead of the server"),
    "kiosk_before_enrolment": _l("Dated before the tablet was enrolled"),
    "kiosk_stale": _l("Queued on the tablet for too long"),
    "kiosk_burst": _l("Tapped faster than a person can"),
    "kiosk_volume": _l("Far more ratings than the counter's dossiers"),
}
FLAG_HELP = {
    "off_hours": _l(
        "The rating arrived when the center was closed (evening, night or a closed day)."
    ),
    "burst": _l(
        "The counter received more ratings within a few minutes than one counter can serve."
    ),
    "over_receipts": _l(
        "The center received more ratings that day than it issued rating receipts."
    ),
    "staff_session": _l(
        "A staff member of this center was signed in to the portal in the browser that "
        "sent this receipt rating."
    ),
    "staff_device": _l(
        "The receipt rating came from a browser a staff member of this center signed in "
        "or issued receipts from."
    ),
    "staff_network": _l(
        "The receipt rating came from a network the center's staff signed in or issued "
        "receipts from recently. A citizen on the center's Wi-Fi looks the same: confirm "
        "or let it count."
    ),
    "kiosk_future": _l(
        "The tablet dated the rating later than when it reached the server: its clock is "
        "wrong or the rating was made up. It is dated on arrival."
    ),
    "kiosk_before_enrolment": _l(
        "The tablet dated the rating before it was enrolled, when it had no key yet."
    ),
    "kiosk_stale": _l("The rating waited on the tablet longer than the allowed number of days."),
    "kiosk_burst": _l(
        "The tablet recorded this rating seconds after another, faster than one citizen "
        "after another can rate."
    ),
    "kiosk_volume": _l(
        "The tablet's counter received many more ratings that day than it handles dossiers."
    ),
}

GOOD_CHIPS = CHIPS[:4]
BAD_CHIPS = CHIPS[4:]

#: Fields the form may carry; anything else is ignored, but these may not repeat.
SINGLE_FIELDS = (
    "score",
    "nonce",
    "comment",
    "phone",
    "consent",
    "complaint",
    "website",
    "confirm",
    "edit",
    *(f"aspect_{a}" for a in ASPECTS),
)

HONEYPOT = "website"


class BadRequest(Exception):
    """The submission is malformed (not a mistake a person makes in the form): 400."""


@dataclass
class Parsed:
    data: RatingInput | None
    errors: dict[str, str] = field(default_factory=dict)
    honeypot: bool = False


def _single(form: MultiDict, name: str) -> str | None:
    values = form.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"{name} given {len(values)} times")
    return values[0] if values else None


def parse_rating_form(form: MultiDict, *, comment_max: int) -> Parsed:
    """Validate a submitted rating. Raises :class:`BadRequest` for a malformed request."""
    values = {name: _single(form, name) for name in SINGLE_FIELDS}
    errors: dict[str, str] = {}

    score = values["score"]
    if score is None or score == "":
        errors["score"] = str(_l("Please choose one of the five faces."))
    elif score not in SCORES:
        raise BadRequest("score")

    aspects: dict[str, int] = {}
    for aspect in ASPECTS:
        value = values[f"aspect_{aspect}"]
        if value in (None, ""):
            continue
        if value not in SCORES:
            raise BadRequest(f"aspect_{aspect}")
        aspects[aspect] = int(value)

    chips = form.getlist("chip")
    if (
        len(chips) > len(CHIPS)
        or any(c not in CHIPS for c in chips)
        or len(set(chips)) != len(chips)
    ):
        raise BadRequest("chip")

    comment = clean_text(values["comment"] or "")
    if len(comment) > comment_max:
        errors["comment"] = str(
            _l("The comment is too long (at most %(max)d characters).", max=comment_max)
        )

    phone_text = (values["phone"] or "").strip()
    consent = values["consent"] == "yes"
    phone = None
    if phone_text:
        phone = crypto.normalise_vn_phone(phone_text)
        if phone is None:
            errors["phone"] = str(_l("Enter a Vietnamese phone number, e.g. 0912 345 678."))
        elif not consent:
            errors["phone"] = str(
                _l("Tick the consent box to leave your phone number, or clear the field.")
            )

    complaint = values["complaint"] == "yes"
    if complaint and not comment:
        errors["comment"] = str(_l("Describe your complaint in the comment box."))

    if errors:
        return Parsed(None, errors, honeypot=bool(values[HONEYPOT]))
    return Parsed(
        RatingInput(
            score=int(score),  # type: ignore[arg-type]
            aspects=aspects,
            chips=chips,
            comment=comment,
            phone_e164=phone,
            complaint=complaint,
        ),
        honeypot=bool(values[HONEYPOT]),
    )


class ShortCodeForm(BaseForm):
    class Meta(BaseForm.Meta):
        csrf = False  # a GET lookup form, changes nothing

    code = StringField(_l("Code on the poster"), validators=[required(), length(max=32)])


class ReprintForm(BaseForm):
    """The issuer's "Reprint the slip" button (a POST: carries the CSRF token only)."""


class EraseForm(BaseForm):
    """Delete the phone number and comment of the rating with this tracking code."""

    code = HiddenField(validators=[required(), length(max=16)])


class TrackForm(BaseForm):
    class Meta(BaseForm.Meta):
        csrf = False

    code = StringField(_l("Tracking code"), validators=[optional(), length(max=16)])


# Staff forms -------------------------------------------------------------------------------
# The choices (counters, officers, outcomes) are filled by the view for the center at hand.


class ReceiptForm(BaseForm):
    dossier_code = StringField(
        _l("Dossier code (mã hồ sơ)"), validators=[required(), length(max=64)]
    )
    outcome = SelectField(_l("Outcome"), validators=[required()])
    counter = SelectField(_l("Counter"), validators=[required()])
    officer = SelectField(_l("Officer"), validators=[required()])


class AssistedRatingForm(BaseForm):
    counter = SelectField(_l("Counter"), validators=[required()])
    score = SelectField(_l("The citizen's answer"), validators=[required()])
    comment = TextAreaField(_l("Comment"), validators=[length(max=1000)])


# The queue of held ratings ------------------------------------------------------------------

#: "Older than" choices of the queue, in days.
AGE_CHOICES = (1, 2, 3, 5, 7, 14, 30)


class HeldFilterForm(BaseForm):
    """The queue's filters (a GET form: changes nothing)."""

    class Meta(BaseForm.Meta):
        csrf = False

    flag = SelectField(
        _l("Reason held"),
        choices=choices([("", _l("All reasons")), *FLAG_LABELS.items()]),
        validators=[optional()],
    )
    center = StringField(_l("Center (name or code)"), validators=[optional(), length(max=100)])
    older_than = SelectField(
        _l("Waiting"),
        choices=choices(
            [("", _l("Any time"))]
            + [
                (str(d), _l("More than %(num)d days", num=d) if d > 1 else _l("More than a day"))
                for d in AGE_CHOICES
            ]
        ),
        validators=[optional()],
    )
    page = IntegerField(
        _l("Page"),
        validators=[optional(), number_range(min=1, max=100_000)],
    )


class RatingIdsField(Field):
    """The ticked ratings (checkboxes named after the field, one id each)."""

    def process_formdata(self, valuelist):
        ids = []
        for value in valuelist:
            if not value.isdigit() or len(value) > 12:
                self.data = []
                raise ValueError(_l("The selection is not valid. Reload the page."))
            ids.append(int(value))
        self.data = ids

    def _value(self):
        return ""


class HeldReviewForm(BaseForm):
    """One verdict, with one mandatory reason, on the ticked held ratings."""

    rating = RatingIdsField(
        _l("Ratings"),
        default=list,
        validators=[
            validators.Length(min=1, message=_l("Select at least one rating.")),
        ],
    )
    verdict = RadioField(
        _l("Decision"),
        choices=choices(
            [
                ("confirmed", _l("Confirm abuse (keep out of scores)")),
                ("rejected", _l("Reject the flags (count it)")),
            ]
        ),
        validators=[required()],
    )
    reason = StringField(
        _l("Reason for your decision"),
        validators=[
            validators.DataRequired(message=_l("Give a reason.")),
            length(max=500),
        ],
    )
