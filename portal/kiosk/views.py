"""Staff pages of the offline kiosk: a center's tablets, enrolment links, revocation."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.decorators import center_or_abort, roles_required
from ..accounts.models import Role
from ..accounts.permissions import can_manage_center
from ..centers.models import Center, Counter
from ..extensions import db
from ..ratings import services as ratings
from ..shared import qr
from ..shared.errors import PortalError
from . import services
from .forms import ConfirmForm
from .models import KioskDevice

bp = Blueprint("kiosk", __name__, url_prefix="/kiosks", template_folder="templates")

VIEWERS = (Role.ADMIN, Role.INSPECTOR, Role.MANAGER)
MANAGERS = (Role.ADMIN, Role.MANAGER)


def _counter_or_404(center: Center, counter_id: int) -> Counter:
    counter = db.session.get(Counter, counter_id)
    if counter is None or counter.center_id != center.id:
        abort(404)
    return counter


def _device_or_404(center: Center, device_id: int) -> KioskDevice:
    device = db.session.get(KioskDevice, device_id)
    if device is None or device.center_id != center.id:
        abort(404)
    return device


@bp.route("/<code>")
@roles_required(*VIEWERS)
def devices(code: str):
    """Every tablet of the center: counter, last sync, what it still holds, what it sent."""
    center = center_or_abort(code)
    return render_template(
        "kiosk/devices.html",
        center=center,
        counters=[c for c in center.counters if c.is_active],
        devices=services.devices_of(center.id),
        can_manage=can_manage_center(current_user, center),
        form=ConfirmForm(),
    )


@bp.route("/<code>/counters/<int:counter_id>/enrol", methods=["POST"])
@roles_required(*MANAGERS)
def enrol(code: str, counter_id: int):
    """A one-time link and its QR code: the tablet opens it within minutes to enrol."""
    center = center_or_abort(code, manage=True)
    counter = _counter_or_404(center, counter_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        enrolment, token = services.issue_enrolment(counter, actor=current_user)
    except PortalError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".devices", code=center.code))
    db.session.commit()
    link = f"{ratings.public_base_url()}{url_for('kiosk_app.enrol', token=token)}"
    return (
        render_template(
            "kiosk/enrol_link.html",
            center=center,
            counter=counter,
            link=link,
            qr_svg=qr.qr_svg(link, scale=6),
            minutes=current_app.config["KIOSK_ENROL_MINUTES"],
            expires_at=enrolment.expires_at,
        ),
        200,
        {"Cache-Control": "no-store"},
    )


@bp.route("/<code>/devices/<int:device_id>/revoke", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def revoke(code: str, device_id: int):
    """GET asks "Revoke this tablet?"; the POST of that page revokes it."""
    center = center_or_abort(code, manage=True)
    device = _device_or_404(center, device_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("kiosk/revoke_confirm.html", center=center, device=device, form=form)
    services.revoke_device(device, actor=current_user)
    db.session.commit()
    flash(_("The tablet is revoked: anything it sends from now on is refused."), "success")
    return redirect(url_for(".devices", code=center.code))
