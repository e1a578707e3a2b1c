"""The data wording hands out: frozen, JSON-serialisable pydantic models (wire schema "1").

Offsets are ``[start, end)`` in Unicode code points over the exact input string, so that
``draft[start:end] == span.text`` always holds. The LanguageTool-compatible endpoint converts them to
UTF-16 code units; nothing else does.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1"

LANGUAGES: tuple[str, ...] = ("en", "ru", "lv", "ar", "hy")
LanguageCode = Literal["en", "ru", "lv", "ar", "hy"]
Goal = Literal["satisfaction", "action"]
Severity = Literal["error", "warning", "suggestion"]
EffortKind = Literal["redirect", "ask", "instruction"]


class Role(StrEnum):
    """What a sentence does in a reply (multi-label)."""

    APOLOGY = "apology"
    EMPATHY = "empathy"  # empathy / acknowledgement of the problem, care statements
    BAD_NEWS = "bad_news"
    GOOD_NEWS = "good_news"
    PROMOTION = "promotion"  # offer, upsell, discount code, self-praise, marketing call to action
    ACTION = "action"  # what the company did or will do: remedy, commitment, timeline
    CUSTOMER_EFFORT = "customer_effort"  # work pushed onto the customer
    NEXT_STEP = "next_step"
    GREETING = "greeting"
    CLOSING = "closing"
    QUESTION = "question"


ROLES: tuple[Role, ...] = tuple(Role)


class ContextType(StrEnum):
    COMPLAINT = "complaint"
    INQUIRY = "inquiry"
    PRAISE = "praise"
    OTHER = "other"


class CheckId(StrEnum):
    """Stable check ids: part of the API contract and the keys of standards files."""

    OVER_APOLOGY = "over_apology"
    NEWS_ORDER = "news_order"
    PROMO_CLASH = "promo_clash"
    CUSTOMER_EFFORT = "customer_effort"
    MISSING_ACKNOWLEDGEMENT = "missing_acknowledgement"
    MISSING_NEXT_STEP = "missing_next_step"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(_Frozen):
    start: int = Field(ge=0, description="First code point, inclusive.")
    end: int = Field(ge=0, description="Last code point, exclusive.")
    text: str = Field(description="Exactly draft[start:end].")


class Cue(_Frozen):
    """One lexicon hit: a phrase that signals a role."""

    role: Role
    start: int
    end: int
    text: str
    rule: str = Field(description="Id of the lexicon entry or team rule that matched.")
    tag: str | None = Field(default=None, description="Sub-kind, e.g. 'ask:order_number' or 'redirect'.")


class Sentence(_Frozen):
    index: int
    start: int
    end: int
    text: str
    roles: dict[Role, float] = Field(description="Score in [0, 1] for every role.")
    labels: list[Role] = Field(description="Roles whose score passed the threshold.")
    cues: list[Cue] = Field(default_factory=list)
    effort: EffortKind | None = Field(
        default=None,
        description="With the customer_effort label and the hybrid engine: the kind of effort the model "
        "reads ('redirect': the customer is sent elsewhere or does the company's work; 'ask': information "
        "the company needs; 'instruction': a self-service step). None otherwise.",
    )


class LanguageInfo(_Frozen):
    code: LanguageCode
    source: Literal["given", "detected"]
    confidence: float = Field(ge=0.0, le=1.0)


class ContextInfo(_Frozen):
    type: ContextType
    score: float = Field(ge=0.0, le=1.0)
    scores: dict[ContextType, float]
    source: Literal["context", "draft", "given"] = Field(
        description="'context': classified from the customer's message; 'draft': inferred from the draft "
        "because no message was given; 'given': the caller named the type."
    )
    note: str


class Source(_Frozen):
    """The research behind a check."""

    title: str
    citation: str
    url: str | None = None


class Finding(_Frozen):
    id: str = Field(description="Stable within a report: check id plus the first span's offsets.")
    check: str
    severity: Severity
    message: str
    explanation: str
    language: LanguageCode = Field(description="Language of message and explanation.")
    spans: list[Span] = Field(min_length=1)
    source: Source
    replacements: list[str] = Field(default_factory=list)
    fixable: bool = Field(description="Whether the rewrite fixes it automatically.")


class Edit(_Frozen):
    """One change to the draft. Spans are over the original draft; edits never overlap."""

    id: str
    finding: str = Field(description="Id of the finding this edit fixes.")
    check: str
    kind: Literal["delete", "replace", "insert"]
    start: int
    end: int
    original: str
    replacement: str


class Placeholder(_Frozen):
    start: int = Field(description="Offset in the rewritten text.")
    end: int
    text: str


class Fact(_Frozen):
    kind: Literal["number", "amount", "date", "order_id", "phone", "email", "url"]
    text: str
    start: int = Field(description="Offset in the draft.")
    end: int


class Rewrite(_Frozen):
    text: str
    changed: bool
    edits: list[Edit]
    placeholders: list[Placeholder]
    facts_kept: list[Fact]
    facts_removed: list[Fact] = Field(
        default_factory=list, description="Facts inside text the rewrite removed on purpose (e.g. a promo code)."
    )
    unresolved: list[str] = Field(
        default_factory=list, description="Finding ids the rewrite could not fix, with the reason in notes."
    )
    notes: list[str] = Field(default_factory=list)


class EngineInfo(_Frozen):
    name: Literal["hybrid", "lexicon"]
    reason: str | None = Field(default=None, description="Why the model is not in use, when it is not.")
    encoder: str | None = None


class Report(_Frozen):
    schema_version: Literal["1"] = SCHEMA_VERSION
    engine: EngineInfo
    standards: str = "default"
    language: LanguageInfo
    goal: Goal
    context: ContextInfo
    length: int = Field(description="Length of the draft in code points.")
    sentences: list[Sentence]
    findings: list[Finding]
    rewrite: Rewrite

    def to_json(self, **kwargs: object) -> str:
        return self.model_dump_json(**kwargs)  # type: ignore[arg-type]

    def to_dict(self) -> dict:
        return self.model_dump(mode="json")
