"""One error shape for the whole API, and no traceback ever reaches a client.

``/api/...`` answers ``{"error": {"code", "message", "field"?, "details"?}}`` with the status of the
error. ``/v2/...`` (LanguageTool-compatible) answers a plain-text ``Error: ...`` line, as LanguageTool
does, because its clients show that body to the user. Unexpected exceptions are logged with their type
and stack only: an exception's message could quote the draft, so it is never logged.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from wording.errors import WordingError

log = logging.getLogger("wording.web")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    413: "request_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    429: "rate_limited",
    431: "headers_too_large",
}
_HTTP_MESSAGES = {
    401: "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
    403: "the API key is not valid",
    404: "no such endpoint",
    405: "this endpoint does not accept that method",
    413: "the request is larger than this server accepts",
    415: "wrong content type",
    429: "too many requests; slow down and retry after the time in Retry-After",
}


class ApiError(Exception):
    """A request the API refuses, with the status, a stable code and the field at fault."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.field, self.details, self.headers = field, details or [], headers or {}

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            out["field"] = self.field
        if self.details:
            out["details"] = self.details
        return out


def _languagetool() -> bool:
    return request.path.startswith("/v2/")


def respond(error: ApiError) -> Response:
    if _languagetool():
        resp = Response(f"Error: {error.message}", status=error.status, mimetype="text/plain")
    else:
        resp = jsonify({"error": error.body()})
        resp.status_code = error.status
    for k, v in error.headers.items():
        resp.headers[k] = v
    return resp


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return respond(exc)

    @app.errorhandler(WordingError)
    def _wording_error(exc: WordingError) -> Response:
        if exc.http_status >= 500 and exc.http_status != 503:
            log.error("engine error %s on %s %s", exc.code, request.method, request.path)
        status = exc.http_status
        if _languagetool() and status in (422,):
            status = 400  # LanguageTool answers 400 for a language it does not support
        return respond(ApiError(status, exc.code, exc.message, field=exc.field))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        code = _HTTP_CODES.get(status, "http_error")
        message = _HTTP_MESSAGES.get(status) or (exc.description or exc.name)
        if status == 429 and getattr(exc, "description", None):
            message = f"rate limit exceeded ({exc.description}); retry after the time in Retry-After"
        headers: dict[str, str] = {}
        if status == 405 and exc.get_response().headers.get("Allow"):
            headers["Allow"] = exc.get_response().headers["Allow"]
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="wording"'
        return respond(ApiError(status, code, message, headers=headers))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # the type and where it happened, never str(exc) or source lines: they could hold customer text
        stack = "\n".join(
            f"  {frame.filename}:{frame.lineno} in {frame.name}"
            for frame in traceback.extract_tb(exc.__traceback__)
        )
        log.error("unexpected %s on %s %s\n%s", type(exc).__name__, request.method, request.path, stack)
        return respond(
            ApiError(500, "internal_error", "the server failed to handle this request; it was logged")
        )
