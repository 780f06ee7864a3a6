"""Admin pages: the imported standards, their versions, areas, weights and criteria."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.decorators import roles_required
from ..accounts.models import Role
from ..extensions import db
from . import services
from .forms import StandardUploadForm
from .loader import StandardFileError, parse_standard, replaced_texts
from .models import StandardVersion

MAX_UPLOAD = 1024 * 1024

bp = Blueprint("standards", __name__, url_prefix="/standards", template_folder="templates")


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    return render_template("standards/index.html", versions=services.list_versions())


@bp.route("/versions/<int:version_id>")
@roles_required(Role.ADMIN)
def version(version_id: int):
    v = db.get_or_404(StandardVersion, version_id)
    return render_template("standards/version.html", v=v)


@bp.route("/upload", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def upload():
    """Check an uploaded YAML file, show what it changes, then publish it as a new version."""
    form = StandardUploadForm()
    problems: list[str] = []
    spec = previous = None
    changes: list = []
    if form.validate_on_submit():
        if form.publish.data and form.content.data:
            text = form.content.data
        elif form.file.data:
            raw = form.file.data.read(MAX_UPLOAD + 1)
            try:
                text = raw.decode("utf-8") if len(raw) <= MAX_UPLOAD else None
            except UnicodeDecodeError:
                text = None
            if text is None:
                problems.append(_("The file must be UTF-8 text of at most 1 MB."))
        else:
            text = None
            problems.append(_("Choose a file."))
        if text is not None:
            try:
                spec = parse_standard(text)
                previous = services.previous_version(spec.code)
                if form.publish.data:
                    result = services.import_standard(
                        spec, actor=current_user, source_file="portal upload"
                    )
                    db.session.commit()
                    if result.created:
                        flash(_("Version %(v)s has been published.", v=spec.version), "success")
                    else:
                        flash(_("This version was already published; nothing changed."), "warning")
                    return redirect(url_for(".version", version_id=result.version.id))
                changes = services.diff_versions(previous, spec)
                form.content.data = text
            except StandardFileError as exc:
                db.session.rollback()
                problems.extend(exc.problems)
                spec = None
    status = 422 if problems else 200
    return (
        render_template(
            "standards/upload.html",
            form=form,
            problems=problems,
            spec=spec,
            previous=previous,
            changes=changes,
            overclaimed=[
                c
                for c in (spec.criteria if spec else [])
                if c.confidence != "unverified" and replaced_texts(c.legal_basis)
            ],
        ),
        status,
    )
