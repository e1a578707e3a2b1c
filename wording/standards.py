"""Standards files: the data behind every check, and a team's own rules.

A standards file is YAML. The project's own defaults are written in the same format
(``wording/data/standards/*.yml``), so the built-in behaviour is itself a standards document, and a
team's file is merged on top of them. The format reference is ``docs/standards.md``.

A document has four parts: ``checks`` (switches, severity and thresholds of the built-in checks),
``languages`` (per language: the phrase patterns of every role, phrase banks the rewrite draws on and
the messages), and ``rules`` (the team's own rules, of the kinds ``existence``, ``substitution``,
``occurrence``, ``conditional`` and ``order``, each with an optional ``when`` context condition).

Loading validates everything (unknown keys, wrong types, broken regexes, rules without examples,
duplicate ids) and raises :class:`~wording.errors.ConfigError` naming the file, the line and the key
path. Running the examples of a file is :func:`wording.standards_tools.lint`.
"""

from __future__ import annotations

import copy
import functools
import string
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import regex
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .errors import ConfigError
from .types import LANGUAGES, CheckId, ContextType, Role

__all__ = [
    "CheckSettings",
    "ConditionalRule",
    "CueEntry",
    "ExistenceRule",
    "LanguagePack",
    "OccurrenceRule",
    "OrderRule",
    "Rule",
    "Standards",
    "SubstitutionRule",
    "compile_pattern",
    "default_standards",
    "load_standards",
]

REGEX_FLAGS = regex.IGNORECASE | regex.UNICODE | regex.VERSION1
RULE_KINDS = ("existence", "substitution", "occurrence", "conditional", "order")
# phrase-bank slots a rule's fix text may name as {slot}; lists give their first entry
PHRASE_SLOTS = ("care", "acknowledgement", "action", "next_step", "ownership", "sign_off")
# phrase banks that a team's file replaces instead of extending (texts the rewrite writes)
_REPLACED_LISTS = frozenset({"care", "acknowledgement"})
_DEFAULT_ORIGIN = "wording/data/standards"


@functools.lru_cache(maxsize=4096)
def compile_pattern(pattern: str, ignorecase: bool = True) -> regex.Pattern[str]:
    flags = REGEX_FLAGS if ignorecase else REGEX_FLAGS & ~regex.IGNORECASE
    return regex.compile(pattern, flags)


def _check_regex(pattern: str, info: ValidationInfo | None = None) -> str:
    """Compile ``pattern`` to prove it valid, unless the validation context says the patterns are the
    packaged defaults (``{"compile": False}``): those compile when a language first uses them, so a
    start-up that needs one language does not pay for five (a test compiles them all)."""
    if info is not None and isinstance(info.context, dict) and info.context.get("compile") is False:
        return pattern
    try:
        compile_pattern(pattern)
    except regex.error as exc:
        raise ValueError(f"broken regular expression '{pattern}': {exc}") from exc
    return pattern


def _check_language(code: str) -> str:
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}; expected one of {', '.join(LANGUAGES)}")
    return code


def _fields(text: str) -> set[str]:
    """The ``{name}`` fields of a format string (raises ValueError for a malformed one)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _check_fields(text: str, allowed: Iterable[str], what: str) -> None:
    try:
        names = _fields(text)
    except ValueError as exc:
        raise ValueError(
            f"{what} is not a valid template ({exc}); write {{{{ and }}}} for literal braces"
        ) from None
    unknown = sorted(n for n in names if n not in set(allowed))
    if unknown:
        allowed_txt = ", ".join("{" + a + "}" for a in allowed) or "none"
        raise ValueError(
            f"{what} uses unknown placeholder(s) {', '.join('{' + u + '}' for u in unknown)}; "
            f"allowed here: {allowed_txt}"
        )


def _pattern_field(pattern: str, info: ValidationInfo) -> str:
    return _check_regex(pattern, info)


Pattern = Annotated[str, AfterValidator(_pattern_field)]
LangCode = Annotated[str, AfterValidator(_check_language)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(_Model):
    title: str
    citation: str
    url: str | None = None


class CueEntry(_Model):
    """A phrase pattern that signals a role (or, under ``exceptions``, cancels it)."""

    id: str
    pattern: str
    tag: str | None = None
    weight: float = Field(default=0.9, ge=0.0, le=1.0)
    examples: list[str] = Field(default_factory=list, description="Texts the pattern must match.")
    counter: list[str] = Field(default_factory=list, description="Texts that must not get the role from it.")

    @field_validator("pattern")
    @classmethod
    def _valid_regex(cls, value: str, info: ValidationInfo) -> str:
        return _check_regex(value, info)


class RoleLexicon(_Model):
    cues: list[CueEntry] = Field(default_factory=list)
    exceptions: list[CueEntry] = Field(default_factory=list)


class Message(_Model):
    message: str
    explanation: str


class Phrases(_Model):
    """Phrase banks the rewrite draws on. Placeholders are in square brackets."""

    care: list[str] = Field(default_factory=list)
    acknowledgement: list[str] = Field(default_factory=list)
    action: str | None = None  # inserted after an apology that stands alone
    next_step: str | None = None  # inserted when a complaint reply has no next step
    ownership: str | None = None  # replaces a sentence that pushes work onto the customer
    have_info: str | None = None  # replaces a request for information the customer already gave ({value})
    sign_off: str | None = None  # the team's sign-off; team rules can insert it as {sign_off}
    contrast_openers: list[str] = Field(default_factory=list)  # "However," etc., dropped when moved first
    generic_apology: list[str] = Field(default_factory=list)  # patterns of apologies that name nothing
    # words that open a dependent clause ("that", "что", "ka"): cutting the apology before one leaves a
    # fragment, so the rewrite drops the whole sentence instead
    subordinators: list[str] = Field(default_factory=list)
    join_and: str | None = None

    @field_validator("generic_apology")
    @classmethod
    def _valid_patterns(cls, value: list[str], info: ValidationInfo) -> list[str]:
        return [_check_regex(p, info) for p in value]

    def slot(self, name: str) -> str | None:
        """The text of phrase-bank slot ``name`` (the first entry of a list), or None when empty."""
        value = getattr(self, name)
        if isinstance(value, list):
            return value[0] if value else None
        return value


class LanguagePack(_Model):
    abbreviations: list[str] = Field(default_factory=list)
    roles: dict[Role, RoleLexicon] = Field(default_factory=dict)
    context: dict[ContextType, RoleLexicon] = Field(default_factory=dict)
    phrases: Phrases = Field(default_factory=Phrases)
    messages: dict[str, Message] = Field(default_factory=dict)  # check id, or id_variant


class CheckSettings(_Model):
    enabled: bool = True
    severity: Literal["error", "warning", "suggestion"] = "warning"
    source: SourceRef | None = None
    # over_apology: how many apology expressions are fine alongside action (3 or more are flagged)
    max_apologies: int | None = Field(default=None, ge=1)
    # customer_effort: how many times the same piece of information may be asked for
    max_asks: int | None = Field(default=None, ge=1)


# ------------------------------------------------------------------------------------------ team rules

Severity = Literal["error", "warning", "suggestion"]


class RuleSource(_Model):
    """Where a rule comes from: the team's style guide, a policy page, a study."""

    title: str = Field(min_length=1)
    url: str = Field(min_length=1)
    citation: str = ""


class Example(_Model):
    """A text a rule must flag (or leave alone), with the customer's message it answers."""

    text: str = Field(min_length=1)
    context: str | None = None  # the customer's message
    context_type: ContextType | None = None  # or name the type directly
    lang: LangCode | None = None  # default: en when the rule speaks English, else its first language
    goal: Literal["satisfaction", "action"] = "satisfaction"
    rewrite: str | None = None  # flag examples only: the text once this rule's own fix is applied

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value


class Examples(_Model):
    flag: list[Example] = Field(min_length=1, description="Texts the rule must flag.")
    ok: list[Example] = Field(min_length=1, description="Texts the rule must leave alone.")


class Target(_Model):
    """What a rule looks for: sentences with any of ``roles``, or matches of ``patterns`` (per language)."""

    roles: list[Role] = Field(default_factory=list)
    patterns: dict[LangCode, list[Pattern]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _something(self) -> Target:
        if not self.roles and not any(self.patterns.values()):
            raise ValueError("give `roles` or `patterns` (or both)")
        return self


class Fix(_Model):
    """How the rewrite fixes a finding of the rule. Texts may name phrase-bank slots, e.g. {care}."""

    remove: bool = False  # remove the clause (or the sentence) at fault
    replace: dict[LangCode, str] = Field(default_factory=dict)  # replace the sentence at fault, per language
    insert: dict[LangCode, str] = Field(default_factory=dict)  # insert a sentence, per language
    at: Literal["trigger", "start", "end"] | None = None  # where an insertion goes

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"remove": True} if value == "remove" else value

    @model_validator(mode="after")
    def _one(self) -> Fix:
        chosen = [name for name in ("remove", "replace", "insert") if getattr(self, name)]
        if len(chosen) != 1:
            raise ValueError(
                "a fix is exactly one of `remove`, `replace: {lang: text}` or `insert: {lang: text}`"
            )
        for code, text in {**self.replace, **self.insert}.items():
            _check_fields(text, PHRASE_SLOTS, f"the fix text for {code!r}")
        if self.at is not None and not self.insert:
            raise ValueError("`at` only applies to `insert`")
        return self

    def text(self, language: str) -> str | None:
        table = self.replace or self.insert
        return table.get(language)


_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"


class _RuleBase(_Model):
    id: str = Field(pattern=_ID_PATTERN, description="Stable id: findings' `check`, usable in `disabled`.")
    description: str | None = None
    when: list[ContextType] | None = None  # the rule runs only when the customer's message is of a type
    severity: Severity = "warning"
    source: RuleSource
    messages: dict[LangCode, Message] = Field(min_length=1)  # the languages the rule supports
    examples: Examples
    exceptions: dict[LangCode, list[Pattern]] = Field(default_factory=dict)  # scoped to this rule

    # placeholders a message may use, per kind
    MESSAGE_FIELDS: ClassVar[tuple[str, ...]] = ()

    @field_validator("when", mode="before")
    @classmethod
    def _when(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _common(self) -> _RuleBase:
        for code, msg in self.messages.items():
            _check_fields(msg.message, self.MESSAGE_FIELDS, f"messages.{code}.message")
            _check_fields(msg.explanation, self.MESSAGE_FIELDS, f"messages.{code}.explanation")
        for code in self.exceptions:
            self._supported(code, "exceptions")
        for kind in ("flag", "ok"):
            for n, ex in enumerate(getattr(self.examples, kind)):
                if ex.lang is not None:
                    self._supported(ex.lang, f"examples.{kind}.{n}.lang")
                if kind == "ok" and ex.rewrite is not None:
                    raise ValueError(f"examples.ok.{n}: `rewrite` belongs to flag examples")
        return self

    def _supported(self, code: str, where: str) -> None:
        if code not in self.messages:
            raise ValueError(
                f"{where}: {code!r} has no entry under `messages`, so the rule does not run in it"
            )

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.messages)

    def example_language(self, example: Example) -> str:
        return example.lang or ("en" if "en" in self.messages else next(iter(self.messages)))


class _Targeted(_RuleBase):
    roles: list[Role] = Field(default_factory=list)
    patterns: dict[LangCode, list[Pattern]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _target(self) -> _Targeted:
        if not self.roles and not any(self.patterns.values()):
            raise ValueError("give `roles` or `patterns` (or both): what the rule looks for")
        for code in self.patterns:
            self._supported(code, "patterns")
        return self

    @property
    def target(self) -> Target:
        return Target(roles=self.roles, patterns=self.patterns)


class ExistenceRule(_Targeted):
    """Flag a phrase, or a sentence with a role (Vale: existence)."""

    kind: Literal["existence"]
    fix: Fix | None = None
    MESSAGE_FIELDS: ClassVar[tuple[str, ...]] = ("match",)

    @model_validator(mode="after")
    def _fix(self) -> ExistenceRule:
        if self.fix is not None and self.fix.insert:
            raise ValueError(
                "fix: an existence rule removes or replaces; `insert` is for conditional and occurrence"
            )
        return self


class SubstitutionRule(_RuleBase):
    """This -> that (Vale: substitution). ``swap`` maps a pattern to its replacement, per language."""

    kind: Literal["substitution"]
    swap: dict[LangCode, dict[Pattern, str]] = Field(min_length=1)
    ignorecase: bool = True
    MESSAGE_FIELDS: ClassVar[tuple[str, ...]] = ("match", "replacement")

    @field_validator("swap")
    @classmethod
    def _swap(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for code, table in value.items():
            if not table:
                raise ValueError(f"swap.{code} is empty")
        return value

    @model_validator(mode="after")
    def _langs(self) -> SubstitutionRule:
        for code in self.swap:
            self._supported(code, "swap")
        return self


class OccurrenceRule(_Targeted):
    """At most ``max`` / at least ``min`` of a role (counted in sentences) or a phrase (Vale: occurrence)."""

    kind: Literal["occurrence"]
    max: int | None = Field(default=None, ge=0)
    min: int | None = Field(default=None, ge=1)
    fix: Fix | None = None
    MESSAGE_FIELDS: ClassVar[tuple[str, ...]] = ("count", "max", "min", "match")

    @model_validator(mode="after")
    def _limits(self) -> OccurrenceRule:
        if self.max is None and self.min is None:
            raise ValueError("an occurrence rule needs `max`, `min` or both")
        if self.max is not None and self.min is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        if self.fix is not None:
            if self.fix.replace:
                raise ValueError("fix: an occurrence rule removes (over max) or inserts (under min)")
            if self.fix.remove and self.max is None:
                raise ValueError("fix: `remove` needs `max`")
            if self.fix.insert and self.min is None:
                raise ValueError("fix: `insert` needs `min`")
            if self.fix.at == "trigger":
                raise ValueError("fix.at: an occurrence rule inserts at `start` or `end`")
        return self


class ConditionalRule(_RuleBase):
    """If ``if`` appears, ``then`` must appear too (Vale: conditional)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: Literal["conditional"]
    if_: Target = Field(alias="if")
    then: Target
    fix: Fix | None = None
    MESSAGE_FIELDS: ClassVar[tuple[str, ...]] = ("match",)

    @model_validator(mode="after")
    def _langs(self) -> ConditionalRule:
        for code in {**self.if_.patterns, **self.then.patterns}:
            self._supported(code, "patterns")
        if self.fix is not None and not self.fix.insert:
            raise ValueError("fix: a conditional rule inserts what is missing: `insert: {lang: text}`")
        return self


class OrderRule(_RuleBase):
    """Sentences with a role in ``before`` must come before sentences with a role in ``after``."""

    kind: Literal["order"]
    before: list[Role] = Field(min_length=1)
    after: list[Role] = Field(min_length=1)
    MESSAGE_FIELDS: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _disjoint(self) -> OrderRule:
        both = sorted(set(self.before) & set(self.after))
        if both:
            raise ValueError(f"{', '.join(both)} cannot be both `before` and `after`")
        return self


Rule = Annotated[
    ExistenceRule | SubstitutionRule | OccurrenceRule | ConditionalRule | OrderRule,
    Field(discriminator="kind"),
]


class Standards(_Model):
    version: Literal[1] = 1
    name: str = "default"
    description: str | None = None
    checks: dict[CheckId, CheckSettings] = Field(default_factory=dict)
    languages: dict[str, LanguagePack] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: dict[str, LanguagePack]) -> dict[str, LanguagePack]:
        for code in value:
            _check_language(code)
        return value

    def pack(self, language: str) -> LanguagePack:
        return self.languages.get(language) or LanguagePack()

    def check(self, check: str) -> CheckSettings:
        return self.checks.get(CheckId(check)) or CheckSettings()

    def message(self, check: str, language: str) -> Message:
        """The message of ``check`` in ``language``, falling back to English."""
        for code in (language, "en"):
            msg = self.pack(code).messages.get(check)
            if msg is not None:
                return msg
        raise ConfigError(f"no message for check {check!r} in {language!r} or English")

    def rule(
        self, rule_id: str
    ) -> ExistenceRule | SubstitutionRule | OccurrenceRule | ConditionalRule | OrderRule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def rule_ids(self) -> tuple[str, ...]:
        """Every id a caller can enable or disable: the built-in check ids, then the team rules' ids."""
        return (*(str(c) for c in CheckId), *(r.id for r in self.rules))


# --------------------------------------------------------------------------------------------- loading


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster


def _line_index(root: yaml.Node | None) -> dict[tuple[Any, ...], int]:
    """Map each key path of a composed YAML document to its 1-based line number."""
    out: dict[tuple[Any, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        out.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                k = key.value
                out[(*path, k)] = key.start_mark.line + 1
                walk(value, (*path, k))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return out


def _parse(text: str, origin: str) -> tuple[dict[str, Any], dict[tuple[Any, ...], int]]:
    """Parse once: the data and the line of every key path, from the same node tree."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark is not None else origin
        raise ConfigError(f"{where}: not valid YAML: {exc}") from exc
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}:1: a standards file must be a mapping at the top level")
    return data, _line_index(root)


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``extra`` into a copy of ``base``: mappings merge, lists append, scalars replace.

    The exception: the phrase banks a rewrite writes from (``phrases.care``, ``phrases.acknowledgement``)
    are replaced, so that a team's care statement is the one used.
    """
    out = copy.deepcopy(base)
    _merge_into(out, copy.deepcopy(dict(extra)), ())
    return out


def _merge_into(out: dict[str, Any], extra: Mapping[str, Any], path: tuple[str, ...]) -> None:
    for key, value in extra.items():
        here = (*path, str(key))
        replaced = (
            len(here) == 4 and here[0] == "languages" and here[2] == "phrases" and here[3] in _REPLACED_LISTS
        )
        if key in out and isinstance(out[key], dict) and isinstance(value, Mapping):
            _merge_into(out[key], value, here)
        elif key in out and isinstance(out[key], list) and isinstance(value, list) and not replaced:
            out[key] = out[key] + value
        else:
            out[key] = value


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the union tag pydantic inserts after ``rules.N`` (``rules.0.existence.patterns``) and the
    ``[key]`` marker it appends when a mapping's key (a swap pattern, a language code) is invalid."""
    if loc and loc[-1] == "[key]":
        loc = loc[:-1]
    if len(loc) >= 3 and loc[0] == "rules" and isinstance(loc[1], int) and loc[2] in RULE_KINDS:
        return (*loc[:2], *loc[3:])
    return loc


def _describe(loc: tuple[Any, ...], data: Mapping[str, Any]) -> str:
    """``rules.2 (nordlink.plans).swap.en`` rather than a bare index, when the rule has an id."""
    key = ".".join(str(p) for p in loc) or "(top level)"
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = data.get("rules")
        if isinstance(rules, list) and loc[1] < len(rules) and isinstance(rules[loc[1]], Mapping):
            rid = rules[loc[1]].get("id")
            if rid:
                rest = ".".join(str(p) for p in loc[2:])
                key = f"rules.{loc[1]} ({rid})" + (f".{rest}" if rest else "")
    return key


def _line(lines: Mapping[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int:
    for cut in range(len(loc), -1, -1):
        line = lines.get(loc[:cut])
        if line is not None:
            return line
    return 1


def _message(err: Mapping[str, Any], loc: tuple[Any, ...]) -> str:
    kind = err["type"]
    msg = str(err["msg"])
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing" and loc and loc[-1] == "examples":
        return "missing: every rule needs `examples` with at least one `flag` and one `ok` text"
    if kind == "missing" and loc and loc[-1] == "source":
        return "missing: every rule needs a `source` with a `title` and a `url`"
    if kind == "missing" and loc and loc[-1] == "messages":
        return "missing: every rule needs `messages`, one per language it supports"
    if kind == "too_short" and loc and loc[-1] in ("flag", "ok"):
        return f"needs at least one `{loc[-1]}` example"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return f"`kind` must be one of {', '.join(RULE_KINDS)}"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg


def _validate(
    data: dict[str, Any], origin: str, lines: Mapping[tuple[Any, ...], int], *, compile_patterns: bool = True
) -> Standards:
    try:
        std = Standards.model_validate(data, context={"compile": compile_patterns})
    except ValidationError as exc:
        problems = []
        seen = set()
        for err in exc.errors():
            loc = _clean_loc(tuple(err["loc"]))
            text = f"{origin}:{_line(lines, loc)}: {_describe(loc, data)}: {_message(err, loc)}"
            if text not in seen:
                seen.add(text)
                problems.append(text)
        raise ConfigError("invalid standards file\n" + "\n".join(problems)) from None
    problems = [
        f"{origin}:{_line(lines, loc)}: {_describe(loc, data)}: {msg}" for loc, msg in _cross_checks(std)
    ]
    if problems:
        raise ConfigError("invalid standards file\n" + "\n".join(problems))
    return std


def _cross_checks(std: Standards) -> list[tuple[tuple[Any, ...], str]]:
    """What no single field can check: rule ids are unique and distinct from the built-in checks."""
    out: list[tuple[tuple[Any, ...], str]] = []
    seen: dict[str, int] = {}
    builtin = {str(c) for c in CheckId}
    for n, rule in enumerate(std.rules):
        if rule.id in builtin:
            out.append((("rules", n, "id"), f"{rule.id!r} is a built-in check id; choose another"))
        elif rule.id in seen:
            out.append((("rules", n, "id"), f"duplicate rule id {rule.id!r} (also rule {seen[rule.id]})"))
        else:
            seen[rule.id] = n
    return out


def duplicate_cue_ids(std: Standards) -> list[tuple[str, str]]:
    """(language, id) of cue entries whose id is used twice within a language (weights are keyed by id)."""
    dupes: list[tuple[str, str]] = []
    for code, pack in std.languages.items():
        seen: set[str] = set()
        for group in (pack.roles, pack.context):
            for lex in group.values():
                for entry in (*lex.cues, *lex.exceptions):
                    if entry.id in seen:
                        dupes.append((code, entry.id))
                    seen.add(entry.id)
    return dupes


def _default_texts() -> list[tuple[str, str]]:
    root = resources.files("wording") / "data" / "standards"
    names = sorted(p.name for p in root.iterdir() if p.name.endswith(".yml"))
    return [(f"{_DEFAULT_ORIGIN}/{name}", (root / name).read_text("utf-8")) for name in names]


def default_paths() -> list[Path]:
    """The files that make up the defaults, where they are on disk."""
    root = resources.files("wording") / "data" / "standards"
    return [
        Path(str(root / name)) for name in sorted(p.name for p in root.iterdir() if p.name.endswith(".yml"))
    ]


@functools.lru_cache(maxsize=1)
def _default_data() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for origin, text in _default_texts():
        data, lines = _parse(text, origin)
        _validate(data, origin, lines, compile_patterns=False)  # each part is a valid document on its own
        merged = _deep_merge(merged, data)
    return merged


@functools.lru_cache(maxsize=1)
def default_standards() -> Standards:
    """The project's built-in standards (all files under wording/data/standards, merged)."""
    return _validate(_default_data(), _DEFAULT_ORIGIN, {}, compile_patterns=False)


def read_document(source: str | Path) -> tuple[dict[str, Any], dict[tuple[Any, ...], int], str]:
    """Parse one standards file: (data, line index, origin). Raises ConfigError."""
    path = Path(source)
    origin = str(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{origin}: no such standards file") from None
    except IsADirectoryError:
        raise ConfigError(f"{origin}: is a directory, not a standards file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{origin}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{origin}: cannot read the standards file: {exc.strerror}") from None
    data, lines = _parse(text, origin)
    return data, lines, origin


def load_standards(source: str | Path | Mapping[str, Any] | None = None, *, base: bool = True) -> Standards:
    """Load a team's standards file (a path or an already parsed mapping) over the defaults.

    A file without a ``name`` takes its file name (without extension) as its name.
    """
    if source is None:
        return default_standards()
    if isinstance(source, Mapping):
        data, lines, origin = dict(source), {}, "<mapping>"
    else:
        data, lines, origin = read_document(source)
        if "name" not in data:
            data["name"] = Path(source).stem
    _validate(data, origin, lines)
    if not base:
        return _validate(data, origin, lines)
    merged = _deep_merge(_default_data(), data)
    std = _validate(merged, origin, lines)
    own = _own_cue_ids(data)
    dupes = [(code, cid) for code, cid in duplicate_cue_ids(std) if (code, cid) in own]
    if dupes:
        raise ConfigError(
            "invalid standards file\n"
            + "\n".join(
                f"{origin}:{_cue_line(data, lines, code, cid)}: languages.{code}: duplicate cue id {cid!r}"
                for code, cid in dupes
            )
        )
    return std


def _own_cue_ids(data: Mapping[str, Any]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for code, _pack, _group, _name, _kind, _n, entry in _walk_cues(data):
        if isinstance(entry, Mapping) and "id" in entry:
            out.add((code, str(entry["id"])))
    return out


def _walk_cues(data: Mapping[str, Any]) -> Iterable[tuple[str, Any, str, str, str, int, Any]]:
    """Every cue entry of a raw document: (language, pack, 'roles'|'context', name, kind, index, entry)."""
    langs = data.get("languages")
    if not isinstance(langs, Mapping):
        return
    for code, pack in langs.items():
        if not isinstance(pack, Mapping):
            continue
        for group in ("roles", "context"):
            table = pack.get(group)
            if not isinstance(table, Mapping):
                continue
            for name, lex in table.items():
                if not isinstance(lex, Mapping):
                    continue
                for kind in ("cues", "exceptions"):
                    entries = lex.get(kind)
                    if isinstance(entries, list):
                        for n, entry in enumerate(entries):
                            yield str(code), pack, group, str(name), kind, n, entry


def _cue_line(data: Mapping[str, Any], lines: Mapping[tuple[Any, ...], int], code: str, cid: str) -> int:
    for c, _pack, group, name, kind, n, entry in _walk_cues(data):
        if c == code and isinstance(entry, Mapping) and entry.get("id") == cid:
            return _line(lines, ("languages", code, group, name, kind, n, "id"))
    return 1


def iter_cue_entries(standards: Standards) -> Iterable[tuple[str, str, str, CueEntry]]:
    """Every (language, role-or-context, 'cues'|'exceptions', entry) in ``standards``."""
    for code, pack in standards.languages.items():
        for group in (pack.roles, pack.context):
            for name, lex in group.items():
                for entry in lex.cues:
                    yield code, str(name), "cues", entry
                for entry in lex.exceptions:
                    yield code, str(name), "exceptions", entry
