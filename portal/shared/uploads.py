"""Per-view request size limits for the few views that accept photos.

The app-wide ``MAX_CONTENT_LENGTH`` and ``MAX_FORM_PARTS`` stay small. A view
decorated with :func:`large_upload` gets larger limits, applied in a
``before_request`` hook that runs before CSRF protection parses the form.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request

from ..floor import current_view


def large_upload(*, bytes_key: str, parts_key: str) -> Callable:
    """Let a view accept ``config[bytes_key]`` bytes and ``config[parts_key]`` form parts."""

    def decorator(view: Callable) -> Callable:
        view.upload_limits = (bytes_key, parts_key)  # type: ignore[attr-defined]
        return view

    return decorator


def form_limits(
    *,
    max_content_length: int,
    max_form_memory_size: int,
    max_form_parts: int,
    cleans_text: bool = False,
):
    """Give a view smaller limits than the app's (the public rating form).

    ``cleans_text``: the view strips control characters (NUL included) from every text
    it stores itself, so a stray NUL does not refuse the whole form.
    """

    def decorator(view: Callable) -> Callable:
        view.cleans_text = cleans_text  # type: ignore[attr-defined]
        view.form_limits = {  # type: ignore[attr-defined]
            "max_content_length": max_content_length,
            "max_form_memory_size": max_form_memory_size,
            "max_form_parts": max_form_parts,
        }
        return view

    return decorator


def apply_upload_limits() -> None:
    view = current_view()
    if view is None:
        return
    for name, value in getattr(view, "form_limits", {}).items():
        setattr(request, name, value)
    limits = getattr(view, "upload_limits", None)
    if limits is None:
        return
    bytes_key, parts_key = limits
    request.max_content_length = current_app.config[bytes_key]
    request.max_form_parts = current_app.config[parts_key]
