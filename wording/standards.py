"""Standards files: the data behind every check.

A standards file is YAML. The project's own defaults are written in the same format
(``wording/data/standards/*.yml``), so the built-in behaviour is itself a standards document, and a
team's file is merged on top of them. The format reference is ``docs/standards.md``.

Loading validates everything (unknown keys, wrong types, broken regexes) and raises
:class:`~wording.errors.ConfigError` naming the file, the line and the key path.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError
from .types import LANGUAGES, CheckId, ContextType, Role

__all__ = [
    "CheckSettings",
    "CueEntry",
    "LanguagePack",
    "Standards",
    "compile_pattern",
    "default_standards",
    "load_standards",
]

REGEX_FLAGS = regex.IGNORECASE | regex.UNICODE | regex.VERSION1


@functools.lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern, REGEX_FLAGS)


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
    def _valid_regex(cls, value: str) -> str:
        try:
            compile_pattern(value)
        except regex.error as exc:
            raise ValueError(f"broken regular expression {value!r}: {exc}") from exc
        return value


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
    contrast_openers: list[str] = Field(default_factory=list)  # "However," etc., dropped when moved first
    generic_apology: list[str] = Field(default_factory=list)  # patterns of apologies that name nothing
    join_and: str | None = None


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


class Standards(_Model):
    version: Literal[1] = 1
    name: str = "default"
    description: str | None = None
    checks: dict[CheckId, CheckSettings] = Field(default_factory=dict)
    languages: dict[str, LanguagePack] = Field(default_factory=dict)
    rules: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: dict[str, LanguagePack]) -> dict[str, LanguagePack]:
        for code in value:
            if code not in LANGUAGES:
                raise ValueError(f"unknown language {code!r}; expected one of {', '.join(LANGUAGES)}")
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


# --------------------------------------------------------------------------------------------- loading


def _line_index(text: str) -> dict[tuple[Any, ...], int]:
    """Map each key path of a YAML document to its 1-based line number."""
    out: dict[tuple[Any, ...], int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return out

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        out[path] = node.start_mark.line + 1
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
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark is not None else origin
        raise ConfigError(f"{where}: not valid YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}:1: a standards file must be a mapping at the top level")
    return data, _line_index(text)


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``extra`` into ``base``: mappings merge, lists append, scalars replace."""
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if key in out and isinstance(out[key], dict) and isinstance(value, Mapping):
            out[key] = _deep_merge(out[key], value)
        elif key in out and isinstance(out[key], list) and isinstance(value, list):
            out[key] = out[key] + copy.deepcopy(value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _validate(data: dict[str, Any], origin: str, lines: dict[tuple[Any, ...], int]) -> Standards:
    try:
        return Standards.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            # pydantic reports dict keys and list indices in loc; find the deepest known line
            line = None
            for cut in range(len(loc), -1, -1):
                line = lines.get(loc[:cut])
                if line is not None:
                    break
            key = ".".join(str(p) for p in loc) or "(top level)"
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown key"
            problems.append(f"{origin}:{line or 1}: {key}: {msg}")
        raise ConfigError("invalid standards file\n" + "\n".join(problems)) from None


def _default_texts() -> list[tuple[str, str]]:
    root = resources.files("wording") / "data" / "standards"
    names = sorted(p.name for p in root.iterdir() if p.name.endswith(".yml"))
    return [(f"wording/data/standards/{name}", (root / name).read_text("utf-8")) for name in names]


@functools.lru_cache(maxsize=1)
def _default_data() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for origin, text in _default_texts():
        data, lines = _parse(text, origin)
        _validate(data, origin, lines)  # each part is a valid document on its own
        merged = _deep_merge(merged, data)
    return merged


@functools.lru_cache(maxsize=1)
def default_standards() -> Standards:
    """The project's built-in standards (all files under wording/data/standards, merged)."""
    return Standards.model_validate(_default_data())


def load_standards(source: str | Path | Mapping[str, Any] | None = None, *, base: bool = True) -> Standards:
    """Load a team's standards file (a path or an already parsed mapping) over the defaults."""
    if source is None:
        return default_standards()
    if isinstance(source, Mapping):
        data, lines, origin = dict(source), {}, "<mapping>"
    else:
        path = Path(source)
        origin = str(path)
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            raise ConfigError(f"{origin}: no such standards file") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{origin}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        data, lines = _parse(text, origin)
    _validate(data, origin, lines)
    merged = _deep_merge(_default_data(), data) if base else data
    return _validate(merged, origin, lines)


def iter_cue_entries(standards: Standards) -> Iterable[tuple[str, str, str, CueEntry]]:
    """Every (language, role-or-context, 'cues'|'exceptions', entry) in ``standards``."""
    for code, pack in standards.languages.items():
        for group in (pack.roles, pack.context):
            for name, lex in group.items():
                for entry in lex.cues:
                    yield code, str(name), "cues", entry
                for entry in lex.exceptions:
                    yield code, str(name), "exceptions", entry
