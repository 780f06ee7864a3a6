"""Staff pages: ratings per center, counter and officer; moderation; QR codes; receipts."""

from __future__ import annotations

import secrets
from datetime import date

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from .. import navigation
from ..accounts.decorators import center_or_abort, roles_required
from ..accounts.models import Role
from ..accounts.permissions import can_manage_center, visible_centers_clause
from ..centers.models import Center, Counter, Officer
from ..centers.services import officers_in_list_order
from ..extensions import db
from ..rankings import services as rankings
from ..settings import services as settings
from ..shared import crypto, qr
from ..shared.errors import PermissionDenied, PortalError
from ..shared.forms import choices
from ..shared.text import clean_text
from ..shared.timeutils import local_day, now_utc, parse_period
from . import fingerprints, held, moderation, receipts, screening, staff, submission, tokens
from .forms import (
    ASPECT_LABELS,
    CHIP_LABELS,
    FACES,
    FLAG_HELP,
    FLAG_LABELS,
    AssistedRatingForm,
    HeldFilterForm,
    HeldReviewForm,
    ReceiptForm,
    ReprintForm,
)
from .models import ASPECTS, DossierOutcome, FlagReview, Rating, RollupScope
from .posters import posters_for, render_posters

bp = Blueprint("ratings", __name__, url_prefix="/ratings", template_folder="templates")

VIEWERS = (Role.ADMIN, Role.INSPECTOR, Role.MANAGER)
ISSUERS = (Role.ADMIN, Role.MANAGER, Role.OFFICER)
MODERATORS = (Role.ADMIN, Role.INSPECTOR)

# Each staff sign-in records where the center's staff work from (a receipt rating from
# there is held for an inspector).
bp.record_once(lambda _state: staff.connect())
# The start page shows how many ratings wait beside the queue's menu item.
bp.record_once(lambda _state: navigation.register_count("ratings.held_queue", held.held_count))


@bp.app_context_processor
def rating_labels() -> dict:
    """The rating scale's words, for any page that shows a rating (a complaint's page):
    complaints never import ratings."""
    return {
        "rating_labels": {
            "faces": FACES,
            "chips": CHIP_LABELS,
            "aspects": ASPECT_LABELS,
            "aspect_order": ASPECTS,
        }
    }


@bp.app_context_processor
def held_ratings():
    """``held_ratings_count()`` for a page that links to the queue (the province
    dashboard): counted only when the page asks."""
    return {"held_ratings_count": lambda: held.held_count(current_user)}


def _period_or_400(args) -> tuple[date, date]:
    try:
        return parse_period(args)
    except ValueError:
        abort(400)


def _counter_or_404(center: Center, counter_id: int) -> Counter:
    counter = db.session.get(Counter, counter_id)
    if counter is None or counter.center_id != center.id:
        abort(404)
    return counter


def _rating_or_404(center: Center, rating_id: int) -> Rating:
    rating = db.session.get(Rating, rating_id)
    if rating is None or rating.center_id != center.id:
        abort(404)
    return rating


@bp.route("/")
@roles_required(*VIEWERS)
def index():
    start, end = _period_or_400(request.args)
    centers = db.session.scalars(
        sa.select(Center).where(visible_centers_clause(current_user)).order_by(Center.code)
    ).all()
    if current_user.role == Role.MANAGER and len(centers) == 1:
        return redirect(url_for(".center", code=centers[0].code))
    page = db.paginate(
        sa.select(Center).where(visible_centers_clause(current_user)).order_by(Center.code),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    stats = rankings.satisfaction_figures(
        RollupScope.CENTER, [c.id for c in page.items], start, end
    )
    return render_template(
        "ratings/index.html",
        page=page,
        stats=stats,
        start=start,
        end=end,
        min_n=current_app.config["RATING_MIN_N"],
    )


@bp.route("/me")
@roles_required(Role.OFFICER)
def mine():
    """A counter officer's own ratings, rank in the center and the province, and comments."""
    start, end = _period_or_400(request.args)
    officer = current_user.officer
    if officer is None or officer.center_id != current_user.center_id:
        return render_template("ratings/mine.html", officer=None, start=start, end=end)
    min_n = settings.get("rating_min_n")
    # Without a chosen range, the shortest recent one in which the officer has enough
    # ratings for a rank: a rank hidden behind a too-short default says nothing.
    window = None
    if not request.args.get("from") and not request.args.get("to"):
        window = rankings.officer_rank_window(officer, min_n=min_n)
        start, end = window.start, window.end
    row = rankings.officer_row(officer, start, end, min_n=min_n)
    reach_start, reach_total = (None, 0)
    if row.figures.n < min_n:
        reach_start, reach_total = rankings.start_for_rank(officer, end, min_n=min_n)
    comments = db.session.scalars(
        sa.select(Rating)
        .where(
            Rating.officer_id == officer.id,
            Rating.day >= start,
            Rating.day <= end,
            Rating.comment != "",
            Rating.comment_hidden.is_(False),
        )
        .order_by(Rating.created_at.desc(), Rating.id.desc())
        .limit(50)
    ).all()
    return render_template(
        "ratings/mine.html",
        officer=officer,
        start=start,
        end=end,
        own=row.figures,
        min_n=min_n,
        center_rank=(row.center_rank, row.center_ranked),
        province_rank=(row.province_rank, row.province_ranked),
        window=window,
        reach_start=reach_start,
        reach_total=reach_total,
        comments=comments,
        faces=FACES,
        chip_labels=CHIP_LABELS,
    )


@bp.route("/<code>")
@roles_required(*VIEWERS)
def center(code: str):
    center = center_or_abort(code)
    start, end = _period_or_400(request.args)
    total = rankings.satisfaction_figures(RollupScope.CENTER, [center.id], start, end)[center.id]
    counters = center.counters
    officers = officers_in_list_order(center)
    counter_stats = rankings.satisfaction_figures(
        RollupScope.COUNTER, [c.id for c in counters], start, end
    )
    officer_stats = rankings.satisfaction_figures(
        RollupScope.OFFICER, [o.id for o in officers], start, end
    )
    in_period = sa.and_(Rating.center_id == center.id, Rating.day >= start, Rating.day <= end)
    newest_first = (Rating.created_at.desc(), Rating.id.desc())
    comments = db.session.scalars(
        sa.select(Rating).where(in_period, Rating.comment != "").order_by(*newest_first).limit(100)
    ).all()
    pending = db.session.scalars(
        sa.select(Rating)
        .where(in_period, Rating.flags != "", Rating.cleared_at.is_(None))
        .order_by(*newest_first)
        .limit(100)
    ).all()
    reviewed = db.session.scalars(
        sa.select(Rating)
        .where(in_period, Rating.flags != "", Rating.cleared_at.is_not(None))
        .order_by(Rating.cleared_at.desc(), Rating.id.desc())
        .limit(50)
    ).all()
    phones = {}
    for rating in comments:
        if rating.phone_encrypted:
            phones[rating.id] = crypto.mask_phone(
                crypto.decrypt_phone(current_app.config["SECRET_KEY"], rating.phone_encrypted)
            )
    return render_template(
        "ratings/center.html",
        center=center,
        start=start,
        end=end,
        total=total,
        counters=counters,
        officers=officers,
        counter_stats=counter_stats,
        officer_stats=officer_stats,
        comments=comments,
        pending=pending,
        reviewed=reviewed,
        phones=phones,
        faces=FACES,
        chip_labels=CHIP_LABELS,
        flag_labels=FLAG_LABELS,
        flag_help=FLAG_HELP,
        aspect_labels=ASPECT_LABELS,
        aspects=ASPECTS,
        min_n=current_app.config["RATING_MIN_N"],
        can_moderate=current_user.role in MODERATORS,
        can_manage=can_manage_center(current_user, center),
        # Inspectors see how many of each officer's ratings came through receipts the
        # officer issued themselves (a self-rating signal).
        self_shares=(
            screening.self_issued_shares(center.id, start, end)
            if current_user.role in MODERATORS
            else None
        ),
    )


@bp.route("/<code>/ratings/<int:rating_id>/hide", methods=["POST"])
@roles_required(*MODERATORS)
def hide(code: str, rating_id: int):
    """Hide a comment from public view (with a reason) or show it again."""
    center = center_or_abort(code)
    rating = _rating_or_404(center, rating_id)
    hidden = request.form.get("hidden", "1") == "1"
    try:
        moderation.set_comment_hidden(
            rating, hidden, actor=current_user, reason=request.form.get("reason", "")
        )
    except PortalError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".center", code=center.code) + f"#rating-{rating.id}")
    db.session.commit()
    flash(_("The comment is hidden.") if hidden else _("The comment is shown again."), "success")
    return redirect(url_for(".center", code=center.code))


@bp.route("/<code>/ratings/<int:rating_id>/review", methods=["POST"])
@roles_required(*MODERATORS)
def review(code: str, rating_id: int):
    """Confirm (abuse, never counts) or reject (counts again) a rating's flags, with a reason."""
    center = center_or_abort(code)
    rating = _rating_or_404(center, rating_id)
    if not rating.is_pending_review:
        abort(409)
    verdict = request.form.get("verdict", "")
    try:
        moderation.review_flags(rating, verdict, request.form.get("reason", ""), actor=current_user)
    except PortalError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".center", code=center.code) + f"#pending-{rating.id}")
    db.session.commit()
    if verdict == FlagReview.CONFIRMED:
        flash(_("Confirmed as abuse: the rating stays out of the scores."), "success")
    else:
        flash(_("The flags were rejected: the rating now counts in the scores."), "success")
    return redirect(url_for(".center", code=center.code))


# The province-wide queue of held ratings ---------------------------------------------------


def _held_filters(form: HeldFilterForm) -> held.HeldFilter:
    return held.HeldFilter(
        flag=form.flag.data or "",
        center=(form.center.data or "").strip(),
        older_than_days=int(form.older_than.data) if form.older_than.data else None,
    )


@bp.route("/held", methods=["GET", "POST"])
@roles_required(*MODERATORS)
def held_queue():
    """Every rating held for review in the inspector's centers, oldest first, with
    filters; a POST decides the ticked ones with one verdict and one reason."""
    filters_form = HeldFilterForm(request.args)
    if request.args and not filters_form.validate():
        abort(400)
    form = HeldReviewForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                result = held.review_many(
                    form.rating.data, form.verdict.data, form.reason.data, actor=current_user
                )
            except PermissionDenied:
                db.session.rollback()
                abort(403)
            except PortalError as exc:
                db.session.rollback()
                form.reason.errors = [*form.reason.errors, exc.message]
                status = 400
            else:
                db.session.commit()
                _flash_bulk(form.verdict.data, result)
                return redirect(url_for(".held_queue", **request.args.to_dict()), 303)
        else:
            status = 400
    now = now_utc()
    page = db.paginate(
        held.held_query(current_user, _held_filters(filters_form), now=now),
        page=filters_form.page.data or 1,
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    holidays = settings.holidays()
    html = render_template(
        "ratings/held.html",
        page=page,
        filters=filters_form,
        form=form,
        total=held.held_count(current_user),
        now=now,
        due={r.id: held.review_due(r.day, holidays) for r in page.items},
        today=local_day(now),
        faces=FACES,
        flag_labels=FLAG_LABELS,
    )
    return html, status


def _flash_bulk(verdict: str, result: held.BulkResult) -> None:
    if verdict == FlagReview.CONFIRMED:
        message = ngettext(
            "%(num)d rating confirmed as abuse: it stays out of the scores.",
            "%(num)d ratings confirmed as abuse: they stay out of the scores.",
            result.decided,
        )
    else:
        message = ngettext(
            "Flags rejected on %(num)d rating: it now counts in the scores.",
            "Flags rejected on %(num)d ratings: they now count in the scores.",
            result.decided,
        )
    if result.decided:
        flash(message, "success")
    if result.skipped:
        flash(
            ngettext(
                "%(num)d rating had already been decided by someone else and was left as is.",
                "%(num)d ratings had already been decided by someone else and were left as is.",
                result.skipped,
            ),
            "warning",
        )


# QR codes and posters ----------------------------------------------------------------------


def _public_base() -> str:
    # A configured public address, never the request's Host header (which a client controls).
    return tokens.public_base_url()


@bp.errorhandler(tokens.PublicUrlMissing)
def _public_url_missing(error: tokens.PublicUrlMissing):
    return render_template(
        "errors/error.html",
        code=503,
        title=_("Not configured"),
        message=error.message,
        back_url=None,
        start_url=url_for("main.start"),
    ), 503


@bp.route("/<code>/qr")
@roles_required(*VIEWERS)
def qr_codes(code: str):
    center = center_or_abort(code)
    rows = [
        {
            "counter": counter,
            "url": f"{_public_base()}/r/{tokens.counter_token(counter)}",
            "kiosk_url": f"{_public_base()}/kiosk/{tokens.counter_token(counter, kiosk=True)}",
            "short_code": qr.format_short_code(tokens.counter_short_code(counter)),
        }
        for counter in center.counters
        if counter.is_active
    ]
    return render_template(
        "ratings/qr.html",
        center=center,
        rows=rows,
        can_manage=can_manage_center(current_user, center),
    )


@bp.route("/<code>/counters/<int:counter_id>/qr.<any(png, svg):fmt>")
@roles_required(*VIEWERS)
def qr_image(code: str, counter_id: int, fmt: str):
    center = center_or_abort(code)
    counter = _counter_or_404(center, counter_id)
    if not counter.is_active:
        abort(404)
    url = f"{_public_base()}/r/{tokens.counter_token(counter)}"
    filename = f"qr-{center.code}-quay-{counter.number}.{fmt}"
    if fmt == "png":
        body, mimetype = qr.qr_png(url), "image/png"
    else:
        body, mimetype = qr.qr_svg(url, scale=8).encode("utf-8"), "image/svg+xml"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/<code>/posters.pdf")
@roles_required(*VIEWERS)
def posters(code: str):
    center = center_or_abort(code)
    counters = [c for c in center.counters if c.is_active]
    if not counters:
        abort(404)
    pdf = render_posters(posters_for(counters, base=_public_base()))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="poster-{center.code}.pdf"'},
    )


@bp.route("/<code>/counters/<int:counter_id>/revoke", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.MANAGER)
def revoke(code: str, counter_id: int):
    """GET asks "Reprint?" (old posters stop working); the POST of that page reprints."""
    center = center_or_abort(code, manage=True)
    counter = _counter_or_404(center, counter_id)
    if request.method == "GET":
        return render_template("ratings/revoke_confirm.html", center=center, counter=counter)
    tokens.revoke_counter_posters(counter, actor=current_user)
    db.session.commit()
    flash(
        _(
            "Counter %(number)s has a new QR code; old posters no longer work. Print new ones.",
            number=counter.number,
        ),
        "success",
    )
    return redirect(url_for(".qr_codes", code=center.code))


# Receipts ----------------------------------------------------------------------------------


def _prefill_own(form: ReceiptForm, center: Center) -> None:
    """An officer linked to their staff record issues receipts for their own counter."""
    officer = current_user.officer if current_user.role == Role.OFFICER else None
    if officer is None or officer.center_id != center.id or not officer.is_active:
        return
    form.officer.data = str(officer.id)
    if officer.counter is not None and officer.counter.is_active:
        form.counter.data = str(officer.counter.id)


@bp.route("/<code>/receipts/new", methods=["GET", "POST"])
@roles_required(*ISSUERS)
def receipt_new(code: str):
    center = center_or_abort(code)
    if current_user.role != Role.ADMIN and current_user.center_id != center.id:
        abort(403)
    form = ReceiptForm()
    form.outcome.choices = choices(
        [
            (DossierOutcome.COMPLETED.value, _("Completed")),
            (DossierOutcome.REFUSED.value, _("Refused")),
            (DossierOutcome.RETURNED.value, _("Returned for more documents")),
        ]
    )
    form.counter.choices = choices(
        [("", _("— none —"))]
        + [(str(c.id), _("Counter %(number)s", number=c.number)) for c in center.counters]
    )
    form.officer.choices = choices(
        [("", _("— none —"))] + [(str(o.id), o.full_name) for o in officers_in_list_order(center)]
    )
    form.counter.validators = []
    form.officer.validators = []
    if request.method == "GET":
        _prefill_own(form, center)
    if form.validate_on_submit():
        counter = db.session.get(Counter, int(form.counter.data)) if form.counter.data else None
        officer = db.session.get(Officer, int(form.officer.data)) if form.officer.data else None
        # The staff browser gets the rating pages' device cookie now if it has none, so
        # that rating a receipt from the same browser is recognised (and held).
        device = _staff_device()
        receipt = receipts.issue_receipt(
            center,
            dossier_code=form.dossier_code.data.strip(),
            outcome=form.outcome.data,
            counter=counter,
            officer=officer,
            actor=current_user,
            fingerprint=fingerprints.client_fingerprint(device),
        )
        db.session.commit()
        return _slip_with_link(center, receipt, device)
    return render_template("ratings/receipt_new.html", center=center, form=form)


def _staff_device() -> str:
    return request.cookies.get(fingerprints.DEVICE_COOKIE) or secrets.token_urlsafe(16)


def _slip_with_link(center: Center, receipt, device: str):
    """The slip with its rating link, QR and short code: the one time they are shown (the
    response of the POST that issued or reprinted the receipt, never cached)."""
    url = f"{_public_base()}/r/{receipts.receipt_token(receipt)}"
    html = render_template(
        "ratings/receipt_slip.html",
        center=center,
        receipt=receipt,
        url=url,
        short_code=receipts.receipt_short_code(receipt),
        code_page=f"{_public_base()}/r/",
        svg=qr.qr_svg(url, scale=5),
    )
    response = current_app.make_response(html)
    response.headers["Cache-Control"] = "no-store"
    if fingerprints.DEVICE_COOKIE not in request.cookies:
        fingerprints.set_device_cookie(response, device)
    return response


def _receipt_or_404(center: Center, receipt_id: int):
    from .models import Receipt

    if current_user.role != Role.ADMIN and current_user.center_id != center.id:
        abort(403)
    receipt = db.session.get(Receipt, receipt_id)
    if receipt is None or receipt.center_id != center.id:
        abort(404)
    return receipt


def _may_reprint(receipt) -> bool:
    return (
        receipt.issued_via == "portal"
        and receipt.issued_by_id == current_user.id
        and receipt.used_at is None
        and receipt.expires_at > now_utc()
    )


@bp.route("/<code>/receipts/<int:receipt_id>")
@roles_required(*ISSUERS)
def receipt_slip(code: str, receipt_id: int):
    """A receipt's details without its link: the link was shown once, to its issuer, and
    the portal keeps no copy of it (the issuer may reprint a lost slip)."""
    center = center_or_abort(code)
    receipt = _receipt_or_404(center, receipt_id)
    return render_template(
        "ratings/receipt_slip.html",
        center=center,
        receipt=receipt,
        url=None,
        can_reprint=_may_reprint(receipt),
    )


@bp.route("/<code>/receipts/<int:receipt_id>/reprint", methods=["POST"])
@roles_required(*ISSUERS)
def receipt_reprint(code: str, receipt_id: int):
    """The issuer reprints a lost or spoiled slip: a new link and code, the old ones die."""
    center = center_or_abort(code)
    receipt = _receipt_or_404(center, receipt_id)
    if not ReprintForm().validate_on_submit():
        abort(400)
    device = _staff_device()
    try:
        receipts.reprint_receipt(
            receipt, actor=current_user, fingerprint=fingerprints.client_fingerprint(device)
        )
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except receipts.ReceiptUsed:
        db.session.rollback()
        abort(409)
    db.session.commit()
    return _slip_with_link(center, receipt, device)


# Staff-assisted ratings ----------------------------------------------------------------------


@bp.route("/<code>/assist", methods=["GET", "POST"])
@roles_required(*ISSUERS)
def assist(code: str):
    """An officer enters a rating for a citizen who cannot (no phone, needs help).

    Stored with the ``staff`` channel: visible in the lists, never counted in scores.
    """
    center = center_or_abort(code)
    if current_user.role != Role.ADMIN and current_user.center_id != center.id:
        abort(403)
    form = AssistedRatingForm()
    form.counter.choices = choices(
        [(str(c.id), _("Counter %(number)s", number=c.number)) for c in center.counters]
    )
    form.score.choices = choices([(value, str(label)) for value, label in FACES.items()])
    if form.validate_on_submit():
        counter = _counter_or_404(center, int(form.counter.data))
        rating = submission.submit_staff_assisted(
            center,
            counter,
            score=int(form.score.data),
            comment=clean_text(form.comment.data or ""),
            actor=current_user,
        )
        code_ = rating.tracking_code
        db.session.commit()
        flash(
            _(
                "Recorded as a staff-assisted rating (not counted in scores). Tracking code: "
                "%(code)s",
                code=code_,
            ),
            "success",
        )
        return redirect(url_for(".assist", code=center.code))
    return render_template("ratings/assist.html", center=center, form=form)
