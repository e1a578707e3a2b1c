"""The wire models of the HTTP API, and the OpenAPI 3.1 document generated from them.

Every request body is parsed by one of these pydantic models and every response is built from one,
so the document at ``/api/v1/openapi.json`` is the code's own description, not a hand-written copy.
Offsets in the native API are Unicode code points; only the LanguageTool-compatible endpoint (``/v2``)
counts UTF-16 code units, as its clients expect.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt
from pydantic.json_schema import models_json_schema

from wording.types import ContextType, Goal, Report

Format = Literal["text", "html", "markdown"]
MAX_EDITS = 500
# Text fields have no maxLength here: the request size limit (413 request_too_large) and the draft
# limit (413 text_too_long, WORDING_MAX_CHARS) bound them, and both are documented responses.


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ------------------------------------------------------------------------------------------- requests


class CheckRequest(_In):
    """Check a draft reply."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "draft": "Hi Ana, we are so sorry. We apologize for the delay. Check out our new plans!",
                    "context": "My parcel is two weeks late and nobody answers my emails.",
                    "goal": "satisfaction",
                },
                {
                    "draft": "<p>Hi Ana,</p><p>We are <b>so sorry</b>. We apologize again.</p>",
                    "context": "My parcel is late!",
                    "format": "html",
                    "language": "en",
                },
            ]
        },
    )

    draft: str = Field(description="The agent's draft reply.")
    context: str | None = Field(default=None, description="The customer's message the draft answers.")
    language: str | None = Field(
        default=None,
        max_length=35,
        description="en, ru, lv, ar or hy (a tag like en-US is fine); null or 'auto' detects it.",
    )
    goal: Goal = Field(
        default="satisfaction", description="'action' when the reply wants the customer to act."
    )
    context_type: ContextType | None = Field(
        default=None, description="Name the type of the customer's message instead of classifying it."
    )
    format: Format = Field(
        default="text",
        description="How draft and context are written. For html and markdown the text a customer reads "
        "is checked and the response's 'markup' maps findings and the rewrite back onto the markup.",
    )
    disabled: list[str] = Field(
        default_factory=list, max_length=100, description="Check or rule ids to skip."
    )
    standards: str | None = Field(
        default=None, max_length=64, description="Name of a team standards set configured on the server."
    )


class EditIn(_In):
    """An edit over the draft's text (as in ``report.rewrite.edits``; extra fields of those are accepted)."""

    start: StrictInt = Field(ge=0, description="First code point replaced, in the draft's text.")
    end: StrictInt = Field(ge=0, description="One past the last code point replaced.")
    replacement: str
    original: str | None = Field(default=None, description="If given, must equal the text at start..end.")
    id: str | None = Field(default=None, max_length=200)
    finding: str | None = Field(default=None, max_length=200)
    check: str | None = Field(default=None, max_length=200)
    kind: Literal["delete", "replace", "insert"] | None = None


class RewriteRequest(_In):
    """Apply chosen edits to a draft."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "draft": "Sorry. We apologize for the delay.",
                    "edits": [
                        {"start": 7, "end": 34, "replacement": "", "original": "We apologize for the delay."}
                    ],
                }
            ]
        },
    )

    draft: str = Field(description="The draft, in its format.")
    format: Format = "text"
    edits: list[EditIn] = Field(max_length=MAX_EDITS)


# ------------------------------------------------------------------------------------------ responses


class SourceSpan(_Out):
    start: int = Field(ge=0, description="First code point in the markup.")
    end: int = Field(ge=0)
    text: str = Field(description="The markup at start..end (tags inside included).")


class MarkupFinding(_Out):
    id: str = Field(description="The finding's id in the report.")
    spans: list[SourceSpan]


class MarkupRewrite(_Out):
    text: str = Field(description="The rewritten draft in its own format, markup kept.")


class MarkupResult(_Out):
    format: Literal["html", "markdown"]
    text: str = Field(description="The text that was checked; the report's offsets count in it.")
    findings: list[MarkupFinding]
    rewrite: MarkupRewrite


class CheckResponse(_Out):
    result: Report
    markup: MarkupResult | None = Field(default=None, description="Present for html and markdown drafts.")


class RewriteResult(_Out):
    text: str = Field(description="The draft with the edits applied, in its own format.")
    plain: str = Field(description="The text a customer reads (equals text for format=text).")
    applied: int


class RewriteResponse(_Out):
    result: RewriteResult


class EngineStatus(_Out):
    name: Literal["hybrid", "lexicon"]
    model_loaded: bool
    required: bool = Field(
        description="The server refuses to answer without the model (WORDING_ENGINE=hybrid)."
    )
    reason: str | None = None
    encoder: str | None = None


class Limits(_Out):
    max_chars: int
    max_request_bytes: int
    rate_limit: str


class HealthResult(_Out):
    status: Literal["ok", "unavailable"]
    version: str
    engine: EngineStatus
    languages: list[str]
    standards: list[str] = Field(description="Standards set names a request may pick.")
    auth: bool = Field(description="Whether the API needs a key.")
    limits: Limits


class HealthResponse(_Out):
    result: HealthResult


class ErrorDetail(_Out):
    field: str | None = None
    message: str


class ErrorBody(_Out):
    code: str = Field(description="Stable machine-readable code, e.g. invalid_input, text_too_long.")
    message: str = Field(description="Human-readable; never quotes the draft or the customer's message.")
    field: str | None = Field(
        default=None, description="Path of the request field at fault, e.g. edits.0.end."
    )
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorResponse(_Out):
    error: ErrorBody


# ------------------------------------------------------------------------------- LanguageTool (/v2)


class LTCheckForm(_In):
    """LanguageTool's /v2/check parameters (form-encoded)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": "So sorry 😔. We apologize. Sorry again!", "language": "en-US"},
                {
                    "data": '{"text": "We are so sorry. We apologize.", '
                    '"metaData": {"customerMessage": "Late again!"}}',
                    "language": "auto",
                    "disabledRules": "CS_MISSING_NEXT_STEP",
                },
            ]
        },
    )

    text: str | None = Field(default=None, description="Plain text; give this or data, not both.")
    data: str | None = Field(
        default=None,
        description='JSON: {"text": ...} or '
        '{"annotation": [{"text": ...}, {"markup": ..., "interpretAs": ...}]}, '
        'optionally with "metaData": {"customerMessage": ..., "goal": "satisfaction" | "action"}.',
    )
    language: str = Field(description="A code like en-US, or 'auto'.")
    motherTongue: str | None = None
    preferredVariants: str | None = None
    enabledRules: str | None = Field(default=None, description="Comma-separated rule ids.")
    disabledRules: str | None = None
    enabledCategories: str | None = None
    disabledCategories: str | None = None
    enabledOnly: str | None = Field(
        default=None, description="'true' to use only the enabled rules/categories."
    )
    level: str | None = None
    username: str | None = None
    apiKey: str | None = None


class LTReplacement(_Out):
    value: str


class LTContext(_Out):
    text: str
    offset: int
    length: int


class LTCategory(_Out):
    id: str
    name: str


class LTUrl(_Out):
    value: str


class LTRule(_Out):
    id: str
    description: str
    issueType: str
    category: LTCategory
    urls: list[LTUrl] = Field(default_factory=list)


class LTType(_Out):
    typeName: str


class LTMatch(_Out):
    message: str
    shortMessage: str
    replacements: list[LTReplacement]
    offset: int = Field(description="UTF-16 code units into the submitted text (or annotated document).")
    length: int = Field(description="UTF-16 code units.")
    context: LTContext
    sentence: str
    type: LTType
    rule: LTRule
    ignoreForIncompleteSentence: bool = False
    contextForSureMatch: int = 0


class LTSoftware(_Out):
    name: str
    version: str
    buildDate: str
    apiVersion: int
    premium: bool
    status: str


class LTWarnings(_Out):
    incompleteResults: bool


class LTDetectedLanguage(_Out):
    name: str
    code: str
    confidence: float
    source: str


class LTLanguageResult(_Out):
    name: str
    code: str
    detectedLanguage: LTDetectedLanguage


class LTCheckResponse(_Out):
    software: LTSoftware
    warnings: LTWarnings
    language: LTLanguageResult
    matches: list[LTMatch]


class LTLanguage(_Out):
    name: str
    code: str
    longCode: str


# ------------------------------------------------------------------------------------------- OpenAPI

_REF = "#/components/schemas/{model}"


def _json(ref: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": ref}}


def openapi(version: str, auth: bool) -> dict[str, Any]:
    """The OpenAPI 3.1 document, its schemas generated from the models above."""
    inputs = [CheckRequest, RewriteRequest, LTCheckForm]
    outputs = [CheckResponse, RewriteResponse, HealthResponse, ErrorResponse, LTCheckResponse, LTLanguage]
    refs, top = models_json_schema(
        [(m, "validation") for m in inputs] + [(m, "serialization") for m in outputs], ref_template=_REF
    )
    schemas = top.get("$defs", {})

    def ref(model: type[BaseModel], mode: str) -> dict[str, Any]:
        return refs[(model, mode)]  # type: ignore[index]

    error = ref(ErrorResponse, "serialization")

    def errors(*codes: int) -> dict[str, Any]:
        text = {
            400: "Invalid request; error.field names the field.",
            401: "An API key is required.",
            403: "The API key is not valid.",
            413: "The request or the draft is too large.",
            415: "Wrong content type.",
            422: "The draft's language is not supported.",
            429: "Rate limited; see Retry-After.",
            503: "The model is required but unavailable.",
        }
        return {str(c): {"description": text[c], "content": _json(error)} for c in codes}

    lt_errors = {
        str(c): {"description": d, "content": {"text/plain": {"schema": {"type": "string"}}}}
        for c, d in (
            (400, "Invalid request (LanguageTool-style plain-text message)."),
            (401, "An API key is required."),
            (403, "The API key is not valid."),
            (413, "Too large."),
            (415, "Wrong content type."),
            (429, "Rate limited."),
            (503, "The model is required but unavailable."),
        )
    }
    secured = [{"bearer": []}, {"apiKeyHeader": []}] if auth else []
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "wording",
            "version": version,
            "description": "Checks a customer-support reply for what hurts the customer's experience and "
            "proposes a rewrite. Native offsets are Unicode code points; /v2 (LanguageTool-compatible) "
            "counts UTF-16 code units. Drafts and customer messages are never logged.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/check": {
                "post": {
                    "operationId": "check",
                    "summary": "Check a draft reply",
                    "requestBody": {"required": True, "content": _json(ref(CheckRequest, "validation"))},
                    "responses": {
                        "200": {
                            "description": "The report.",
                            "content": _json(ref(CheckResponse, "serialization")),
                        },
                        **errors(400, 401, 403, 413, 415, 422, 429, 503),
                    },
                    "security": secured,
                }
            },
            "/api/v1/rewrite": {
                "post": {
                    "operationId": "rewrite",
                    "summary": "Apply chosen edits to a draft",
                    "requestBody": {"required": True, "content": _json(ref(RewriteRequest, "validation"))},
                    "responses": {
                        "200": {
                            "description": "The rewritten draft.",
                            "content": _json(ref(RewriteResponse, "serialization")),
                        },
                        **errors(400, 401, 403, 413, 415, 429),
                    },
                    "security": secured,
                }
            },
            "/api/v1/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Version, engine and whether the model is loaded",
                    "responses": {
                        "200": {
                            "description": "Ready.",
                            "content": _json(ref(HealthResponse, "serialization")),
                        },
                        "503": {
                            "description": "The model is required but not loaded.",
                            "content": _json(ref(HealthResponse, "serialization")),
                        },
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {
                        "200": {"description": "OpenAPI 3.1", "content": _json({"type": "object"})}
                    },
                }
            },
            "/v2/check": {
                "post": {
                    "operationId": "languagetoolCheck",
                    "summary": "LanguageTool-compatible check",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {"schema": ref(LTCheckForm, "validation")}
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "LanguageTool's response shape.",
                            "content": _json(ref(LTCheckResponse, "serialization")),
                        },
                        **lt_errors,
                    },
                    "security": secured,
                }
            },
            "/v2/languages": {
                "get": {
                    "operationId": "languagetoolLanguages",
                    "summary": "Supported languages (LanguageTool shape)",
                    "responses": {
                        "200": {
                            "description": "Languages.",
                            "content": _json({"type": "array", "items": ref(LTLanguage, "serialization")}),
                        },
                        **{k: v for k, v in lt_errors.items() if k in ("401", "403", "429")},
                    },
                    "security": secured,
                }
            },
        },
        "components": {"schemas": schemas},
    }
    if auth:
        doc["components"]["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer"},
            "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        }
    return doc
