"""Per-view request size limits for the few views that accept photos.

The app-wide ``MAX_CONTENT_LENGTH`` and ``MAX_FORM_PARTS`` stay small. A view
decorated with :func:`large_upload` gets larger limits, applied in a
``before_request`` hook that runs before CSRF protection parses the form.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request


def large_upload(*, bytes_key: str, parts_key: str) -> Callable:
    """Let a view accept ``config[bytes_key]`` bytes and ``config[parts_key]`` form parts."""

    def decorator(view: Callable) -> Callable:
        view.upload_limits = (bytes_key, parts_key)  # type: ignore[attr-defined]
        return view

    return decorator


def apply_upload_limits() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    limits = getattr(view, "upload_limits", None)
    if limits is None:
        return
    bytes_key, parts_key = limits
    request.max_content_length = current_app.config[bytes_key]
    request.max_form_parts = current_app.config[parts_key]
