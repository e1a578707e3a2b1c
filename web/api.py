"""JSON API v1 (blueprint ``api`` at ``/api/v1``): check, rewrite, health, openapi.json.

Responses are ``{"result": ...}`` or ``{"error": ...}`` (see :mod:`web.errors`). Offsets are Unicode
code points over the text that was checked.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import BaseModel, ValidationError

import wording
from wording.errors import EmptyDraft, InputError
from wording.markup import Markup, extract
from wording.pipeline import max_chars
from wording.types import LANGUAGES

from . import schemas
from .engine import Engine
from .errors import ApiError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
M = TypeVar("M", bound=BaseModel)


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(body)"


def parse_json(model: type[M]) -> M:
    """The JSON body as ``model``: 415 if it is not JSON, 400 naming the field when it is invalid."""
    if not request.is_json:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"send the request as application/json, not {request.mimetype or 'no content type'}",
        )
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "invalid_json", "the body is not valid JSON")
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_input", "the body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = []
        for err in exc.errors(include_url=False, include_input=False):
            msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
            details.append({"field": _field(err["loc"]), "message": msg})
        first = details[0]
        raise ApiError(
            400,
            "invalid_input",
            f"{first['field']}: {first['message']}",
            field=first["field"],
            details=details,
        ) from None


def _engine() -> Engine:
    return current_app.extensions["wording_engine"]


def _plain(source: str | None, fmt: str, field: str) -> tuple[Markup | None, str | None]:
    if source is None:
        return None, None
    # bound the work before parsing markup; check() applies the exact limit to the text
    if len(source) > 20 * max_chars():
        raise wording.TextTooLong(
            f"the {field} is far over the limit of {max_chars():,} characters", field=field
        )
    markup = extract(source, fmt)
    return markup, markup.text


def _markup_result(markup: Markup, report: wording.Report) -> dict[str, Any]:
    findings = []
    for f in report.findings:
        spans = []
        for s in f.spans:
            start, end = markup.source_span(s.start, s.end)
            spans.append({"start": start, "end": end, "text": markup.source[start:end]})
        findings.append({"id": f.id, "spans": spans})
    return {
        "format": markup.format,
        "text": markup.text,
        "findings": findings,
        "rewrite": {"text": markup.apply(report.rewrite.edits)},
    }


@bp.post("/check")
def check() -> Response:
    body = parse_json(schemas.CheckRequest)
    std = _engine().resolve(body.standards)
    markup, draft = _plain(body.draft, body.format, "draft")
    _, context = _plain(body.context, body.format, "context")
    assert draft is not None and markup is not None
    if body.format != "text" and not draft.strip():
        raise EmptyDraft("the draft has no text outside its markup", field="draft")
    report = wording.check(
        draft,
        context=context,
        language=body.language,
        goal=body.goal,
        context_type=body.context_type,
        standards=std,
        disabled=body.disabled,
    )
    out: dict[str, Any] = {"result": report.to_dict()}
    if body.format != "text":
        out["markup"] = _markup_result(markup, report)
    return jsonify(out)


@bp.post("/rewrite")
def rewrite() -> Response:
    body = parse_json(schemas.RewriteRequest)
    limit = max_chars()
    markup, plain = _plain(body.draft, body.format, "draft")
    assert markup is not None and plain is not None
    if len(plain) > limit:
        raise wording.TextTooLong(
            f"the draft has {len(plain):,} characters; the limit is {limit:,}", field="draft"
        )
    for n, e in enumerate(body.edits):
        if e.end < e.start:
            raise InputError(f"edit {n} ends ({e.end}) before it starts ({e.start})", field=f"edits.{n}.end")
        if e.end > len(plain):
            raise InputError(
                f"edit {n} ends at {e.end}, past the end of the draft's text ({len(plain)})",
                field=f"edits.{n}.end",
            )
        if e.original is not None and plain[e.start : e.end] != e.original:
            raise InputError(
                f"edit {n} does not match the draft at {e.start}-{e.end}; the draft changed, check it again",
                field=f"edits.{n}.original",
            )
    ordered = sorted(body.edits, key=lambda e: (e.start, e.end))
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.start < a.end:
            raise InputError(f"edits at {a.start}-{a.end} and {b.start}-{b.end} overlap", field="edits")
    try:
        text = markup.apply(body.edits)
    except ValueError as exc:  # the message names offsets only
        raise InputError(str(exc), field="edits") from None
    new_plain = text if body.format == "text" else extract(text, body.format).text
    return jsonify({"result": {"text": text, "plain": new_plain, "applied": len(body.edits)}})


@bp.get("/health")
def health() -> tuple[Response, int]:
    settings = current_app.extensions["wording_settings"]
    engine = _engine()
    status = engine.status()
    ok = status["model_loaded"] or not status["required"]
    result = {
        "status": "ok" if ok else "unavailable",
        "version": wording.__version__,
        "engine": status,
        "languages": list(LANGUAGES),
        "standards": sorted(engine.sets),
        "auth": bool(settings.api_keys),
        "limits": {
            "max_chars": max_chars(),
            "max_request_bytes": settings.max_request_bytes,
            "rate_limit": settings.rate_limit,
        },
    }
    return jsonify({"result": result}), (200 if ok else 503)


@bp.get("/openapi.json")
def openapi() -> Response:
    settings = current_app.extensions["wording_settings"]
    return jsonify(schemas.openapi(wording.__version__, auth=bool(settings.api_keys)))
