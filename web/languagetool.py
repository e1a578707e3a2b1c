"""LanguageTool-compatible endpoint (blueprint ``languagetool`` at ``/v2``): ``POST /v2/check`` and
``GET /v2/languages``.

Editors that speak LanguageTool's HTTP API (browser add-ons, VS Code, Obsidian, language_tool_python)
show wording's findings when pointed at this server. The response has the shape LanguageTool's
``RuleMatchesAsJsonSerializer`` writes; offsets and lengths count UTF-16 code units, over the submitted
``text`` or, for ``data`` with an ``annotation``, over the whole annotated document (text and markup),
as LanguageTool does.

Rules: each check is a rule ``CS_<CHECK>`` (``CS_OVER_APOLOGY``); team rules are ``CS_TEAM_<ID>``.
``enabledRules``/``disabledRules``/``enabledOnly`` accept those ids or the plain check ids; ids this
server does not know (other LanguageTool rules an editor sends) are ignored, as LanguageTool ignores
unknown ids. Categories: ``CS_TONE``, ``CS_STRUCTURE``, ``CS_EFFORT``, ``CS_TEAM``.

A finding the rewrite fixes becomes one match over the range its edits touch, whose single
replacement is that range rewritten, so applying it in an editor makes exactly the rewrite's change
(moving a sentence included). A finding without a fix becomes one match per span, with no replacement.
The customer's message may ride in ``data.metaData.customerMessage`` (and ``goal`` in ``metaData.goal``).
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

import wording
from wording.language import normalise_code
from wording.markup import Markup, extract, from_annotation
from wording.types import CheckId

from .errors import ApiError

bp = Blueprint("languagetool", __name__, url_prefix="/v2")

LANGUAGES = (
    ("English", "en", "en"),
    ("English (US)", "en", "en-US"),
    ("English (GB)", "en", "en-GB"),
    ("Russian", "ru", "ru-RU"),
    ("Latvian", "lv", "lv-LV"),
    ("Arabic", "ar", "ar"),
    ("Armenian", "hy", "hy-AM"),
)
_NAMES = {"en": "English", "ru": "Russian", "lv": "Latvian", "ar": "Arabic", "hy": "Armenian"}
_LONG = {"en": "en-US", "ru": "ru-RU", "lv": "lv-LV", "ar": "ar", "hy": "hy-AM"}
_CATEGORY = {
    CheckId.OVER_APOLOGY: ("CS_TONE", "Customer service: tone"),
    CheckId.PROMO_CLASH: ("CS_TONE", "Customer service: tone"),
    CheckId.NEWS_ORDER: ("CS_STRUCTURE", "Customer service: structure"),
    CheckId.MISSING_ACKNOWLEDGEMENT: ("CS_STRUCTURE", "Customer service: structure"),
    CheckId.MISSING_NEXT_STEP: ("CS_STRUCTURE", "Customer service: structure"),
    CheckId.CUSTOMER_EFFORT: ("CS_EFFORT", "Customer service: customer effort"),
}
_TEAM = ("CS_TEAM", "Customer service: team standards")
_LABEL = {
    CheckId.OVER_APOLOGY: "Over-apology",
    CheckId.NEWS_ORDER: "Bad news last",
    CheckId.PROMO_CLASH: "Promotion in a complaint",
    CheckId.CUSTOMER_EFFORT: "Customer effort",
    CheckId.MISSING_ACKNOWLEDGEMENT: "No acknowledgement",
    CheckId.MISSING_NEXT_STEP: "No next step",
}
CONTEXT_CHARS = 40


def rule_id(check: str) -> str:
    if check in set(CheckId):
        return "CS_" + check.upper()
    return "CS_TEAM_" + re.sub(r"[^A-Za-z0-9]+", "_", check).strip("_").upper()


def _category(check: str) -> tuple[str, str]:
    return _CATEGORY.get(check, _TEAM)  # type: ignore[call-overload]


def _ids(raw: str | None) -> list[str]:
    return [p.strip() for p in (raw or "").split(",") if p.strip()]


def _utf16_prefix(text: str) -> list[int]:
    """``out[i]`` = UTF-16 length of ``text[:i]``."""
    return [0, *accumulate(2 if ord(ch) > 0xFFFF else 1 for ch in text)]


def _disabled(form: Any, known: list[str]) -> list[str]:
    by_id: dict[str, str] = {}
    for check in known:
        by_id[check.upper()] = check
        by_id[rule_id(check)] = check
    enabled_only = (form.get("enabledOnly") or "false").strip().lower() == "true"
    enabled_rules = _ids(form.get("enabledRules"))
    enabled_cats = _ids(form.get("enabledCategories"))
    disabled_rules = _ids(form.get("disabledRules"))
    disabled_cats = _ids(form.get("disabledCategories"))
    if enabled_only:
        if disabled_rules or disabled_cats:
            raise ApiError(
                400, "invalid_input", "You cannot specify disabled rules or categories using enabledOnly=true"
            )
        if not enabled_rules and not enabled_cats:
            raise ApiError(
                400,
                "invalid_input",
                "You must specify enabled rules or categories when using enabledOnly=true",
            )
        on = {by_id[r.upper()] for r in enabled_rules if r.upper() in by_id}
        cats = {c.upper() for c in enabled_cats}
        on |= {c for c in known if _category(c)[0] in cats}
        return [c for c in known if c not in on]
    off = {by_id[r.upper()] for r in disabled_rules if r.upper() in by_id}
    cats = {c.upper() for c in disabled_cats}
    off |= {c for c in known if _category(c)[0] in cats}
    return [c for c in known if c in off]


def _document(form: Any) -> tuple[Markup, dict[str, Any]]:
    text, data = form.get("text"), form.get("data")
    if text is not None and data is not None:
        raise ApiError(400, "invalid_input", "Set only 'text' or 'data' parameter, not both")
    if text is not None:
        return extract(text, "text"), {}
    if data is None:
        raise ApiError(400, "invalid_input", "Missing 'text' or 'data' parameter")
    try:
        parsed = json.loads(data)
    except ValueError:
        raise ApiError(400, "invalid_input", "Could not parse JSON from 'data' parameter") from None
    if not isinstance(parsed, dict):
        raise ApiError(400, "invalid_input", "'data' must be a JSON object with 'text' or 'annotation'")
    meta = parsed.get("metaData") or {}
    if not isinstance(meta, dict):
        raise ApiError(400, "invalid_input", "'metaData' must be a JSON object")
    if ("text" in parsed) == ("annotation" in parsed):
        raise ApiError(400, "invalid_input", "'data' needs exactly one of 'text' and 'annotation'")
    if "text" in parsed:
        if not isinstance(parsed["text"], str):
            raise ApiError(400, "invalid_input", "'data.text' must be a string")
        return extract(parsed["text"], "text"), meta
    if not isinstance(parsed["annotation"], list):
        raise ApiError(400, "invalid_input", "'data.annotation' must be a list")
    try:
        return from_annotation(parsed["annotation"]), meta
    except ValueError as exc:
        raise ApiError(400, "invalid_input", f"data.{exc}") from None


def _matches(markup: Markup, report: wording.Report) -> list[dict[str, Any]]:
    plain = markup.text
    source = markup.source
    src16 = _utf16_prefix(source)
    plain_flat = plain.replace("\n", " ").replace("\r", " ")
    plain16 = _utf16_prefix(plain_flat)
    sentences = report.sentences
    edits_by_finding: dict[str, list[wording.Edit]] = {}
    for e in report.rewrite.edits:
        edits_by_finding.setdefault(e.finding, []).append(e)
    out = []
    for f in report.findings:
        edits = edits_by_finding.get(f.id, [])
        regions: list[tuple[int, int, list[str]]] = []
        if edits and f.id not in report.rewrite.unresolved:
            lo = min([e.start for e in edits] + [s.start for s in f.spans])
            hi = max([e.end for e in edits] + [s.end for s in f.spans])
            pieces, pos = [], lo
            for e in sorted(edits, key=lambda e: (e.start, e.end)):
                pieces.append(plain[pos : e.start])
                pieces.append(e.replacement)
                pos = e.end
            pieces.append(plain[pos:hi])
            regions.append((lo, hi, ["".join(pieces)]))
        else:
            regions.extend((s.start, s.end, []) for s in f.spans)
        check = f.check
        cat_id, cat_name = _category(check)
        label = _LABEL.get(check, check.replace("_", " ").capitalize())  # type: ignore[call-overload]
        for start, end, replacements in regions:
            s0, s1 = markup.source_span(start, end)
            c0, c1 = max(0, start - CONTEXT_CHARS), min(len(plain), end + CONTEXT_CHARS)
            prefix = "..." if c0 > 0 else ""
            suffix = "..." if c1 < len(plain) else ""
            sentence = next((s.text for s in sentences if s.start <= start < s.end), plain[start:end])
            out.append(
                {
                    "message": f.message,
                    "shortMessage": label,
                    "replacements": [{"value": r} for r in replacements],
                    "offset": src16[s0],
                    "length": src16[s1] - src16[s0],
                    "context": {
                        "text": prefix + plain_flat[c0:c1] + suffix,
                        "offset": len(prefix) + plain16[start] - plain16[c0],
                        "length": plain16[end] - plain16[start],
                    },
                    "sentence": sentence,
                    "type": {"typeName": "Hint"},
                    "rule": {
                        "id": rule_id(check),
                        "description": f"{label}: {f.source.title}" if f.source.title else label,
                        "issueType": "style",
                        "category": {"id": cat_id, "name": cat_name},
                        "urls": [{"value": f.source.url}] if f.source.url else [],
                    },
                    "ignoreForIncompleteSentence": False,
                    "contextForSureMatch": 0,
                }
            )
    out.sort(key=lambda m: (m["offset"], m["length"]))
    return out


@bp.post("/check")
def check() -> Response:
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise ApiError(
            415, "unsupported_media_type", "send the parameters form-encoded, as LanguageTool does"
        )
    form = request.form
    language = (form.get("language") or "").strip()
    if not language:
        raise ApiError(
            400,
            "invalid_input",
            "Missing 'language' parameter. "
            "Use 'language=auto' to auto-detect the language of the input text.",
        )
    if form.get("preferredVariants") and language.lower() != "auto":
        raise ApiError(400, "invalid_input", "You can specify 'preferredVariants' only when 'language=auto'")
    markup, meta = _document(form)
    given = None if language.lower() == "auto" else normalise_code(language)
    context = meta.get("customerMessage", meta.get("context"))
    if context is not None and not isinstance(context, str):
        raise ApiError(400, "invalid_input", "'metaData.customerMessage' must be a string")
    goal = meta.get("goal", "satisfaction")
    if goal not in ("satisfaction", "action"):
        raise ApiError(400, "invalid_input", "'metaData.goal' must be 'satisfaction' or 'action'")
    engine = current_app.extensions["wording_engine"]
    std = engine.resolve(meta.get("standards") if isinstance(meta.get("standards"), str) else None)
    known = [str(c) for c in CheckId] + [str(r.get("id")) for r in std.rules if r.get("id")]
    disabled = _disabled(form, known)
    if not markup.text.strip():
        matches: list[dict[str, Any]] = []
        code = given or "en"
        detected = {"name": _NAMES[code], "code": _LONG[code], "confidence": 0.0, "source": "none"}
    else:
        report = wording.check(
            markup.text, context=context, language=given, goal=goal, standards=std, disabled=disabled
        )
        matches = _matches(markup, report)
        code = report.language.code
        detected = {
            "name": _NAMES[code],
            "code": _LONG[code],
            "confidence": report.language.confidence,
            "source": report.language.source,
        }
    lang_code = language if given else _LONG[code]  # echo what the client asked for, as LanguageTool does
    name = next((n for n, _, long in LANGUAGES if long.lower() == lang_code.lower()), _NAMES[code])
    return jsonify(
        {
            "software": {
                "name": "wording",
                "version": wording.__version__,
                "buildDate": "",
                "apiVersion": 1,
                "premium": False,
                "status": "",
            },
            "warnings": {"incompleteResults": False},
            "language": {"name": name, "code": lang_code, "detectedLanguage": detected},
            "matches": matches,
        }
    )


@bp.get("/languages")
def languages() -> Response:
    return jsonify([{"name": n, "code": c, "longCode": lc} for n, c, lc in LANGUAGES])
