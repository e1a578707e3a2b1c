"""Tools over standards files: ``lint`` (validate and run every example), ``show`` (the effective
standards as text) and ``load_sets`` (the server's named standards sets, all linted at start-up).

``wording standards lint FILE`` and ``wording standards show [FILE]`` call these; so does the web app,
which must never start with an invalid file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigError, WordingError
from .lexicon import LexiconScorer, fold
from .standards import (
    CueEntry,
    Example,
    Standards,
    _describe,
    _line,
    _validate,
    _walk_cues,
    compile_pattern,
    default_paths,
    default_standards,
    duplicate_cue_ids,
    load_standards,
    read_document,
)
from .types import CheckId, ContextType, Role

__all__ = ["lint", "load_sets", "show"]


def _is_default(path: Path) -> bool:
    try:
        resolved = path.resolve()
    except OSError:
        return False
    return any(resolved == p.resolve() for p in default_paths())


def lint(path: str | Path) -> tuple[bool, list[str]]:
    """Validate the standards file at ``path`` and run every example it contains.

    Returns ``(ok, problems)``; each problem names the file, the line and the key. The file is checked
    as it is used: merged over the defaults (a file that is itself part of the defaults is checked as
    the defaults). Rule examples run through :func:`wording.check`; cue examples through the lexicon.
    """
    ok, problems, _std = _lint(Path(path))
    return ok, problems


def _lint(path: Path) -> tuple[bool, list[str], Standards | None]:
    try:
        data, lines, origin = read_document(path)
        if _is_default(path):
            # the defaults load without compiling their patterns (they compile on first use); lint
            # compiles them all, so a broken one is reported here with its line
            _validate(data, origin, lines)
            std = default_standards()
        else:
            std = load_standards(path)
    except ConfigError as exc:
        return False, _split(exc.message), None
    problems: list[str] = []
    if _is_default(path):
        problems += [
            f"{origin}: languages.{code}: duplicate cue id {cid!r}" for code, cid in duplicate_cue_ids(std)
        ]
    problems += _lint_cues(std, data, lines, origin)
    problems += _lint_rules(std, data, lines, origin)
    return not problems, problems, std


def _split(message: str) -> list[str]:
    parts = message.splitlines()
    if len(parts) > 1 and parts[0] == "invalid standards file":
        return parts[1:]
    return parts


def _lint_cues(
    std: Standards, data: Mapping[str, Any], lines: Mapping[tuple[Any, ...], int], origin: str
) -> list[str]:
    """The file's own cue entries: examples must match; counter-examples must not get the role."""
    scorer = LexiconScorer(std)
    out: list[str] = []
    for code, _pack, group, name, kind, n, raw in _walk_cues(data):
        if not isinstance(raw, Mapping):
            continue
        entry = CueEntry.model_validate(raw)
        rx = compile_pattern(entry.pattern)
        loc: tuple[Any, ...] = ("languages", code, group, name, kind, n)
        where = ".".join(str(p) for p in loc)
        for j, text in enumerate(entry.examples):
            problem = None
            if not rx.search(fold(text)):
                problem = "the pattern does not match it"
            elif group == "roles" and kind == "cues":
                roles = {c.role.value for c in scorer.find(text, code)}
                if name not in roles:
                    problem = f"it matches, but an exception of {name} cancels it"
            if problem:
                line = _line(lines, (*loc, "examples", j))
                out.append(f"{origin}:{line}: {where} ({entry.id}).examples.{j}: {text!r}: {problem}")
        for j, text in enumerate(entry.counter):
            if group == "context":
                got = f"ctx:{name}" in {c.tag for c in scorer.find(text, code, context=True)}
            else:
                got = name in {c.role.value for c in scorer.find(text, code)}
            if got:
                line = _line(lines, (*loc, "counter", j))
                out.append(f"{origin}:{line}: {where} ({entry.id}).counter.{j}: {text!r} still gets {name}")
    return out


def run_example(std: Standards, rule_id: str, example: Example, language: str) -> tuple[bool, list[str], str]:
    """Check ``example`` with ``std``.

    Returns whether ``rule_id`` fired, the checks that fired, and the example with only the rule's own
    edits applied (what an example's ``rewrite`` is compared with, whatever other checks do).
    """
    from .pipeline import check

    report = check(
        example.text,
        context=example.context,
        context_type=example.context_type,
        language=language,
        goal=example.goal,
        standards=std,
    )
    from .rewrite import apply

    fired = [f.check for f in report.findings]
    own = [e for e in report.rewrite.edits if e.check == rule_id]
    return rule_id in fired, fired, apply(example.text, own)


def _lint_rules(
    std: Standards, data: Mapping[str, Any], lines: Mapping[tuple[Any, ...], int], origin: str
) -> list[str]:
    out: list[str] = []
    raw_rules = data.get("rules") or []
    for k, raw in enumerate(raw_rules):
        if not isinstance(raw, Mapping) or "id" not in raw:
            continue
        rule = std.rule(str(raw["id"]))
        for kind in ("flag", "ok"):
            for j, example in enumerate(getattr(rule.examples, kind)):
                loc = ("rules", k, "examples", kind, j)
                head = f"{origin}:{_line(lines, loc)}: {_describe(loc, data)}"
                lang = rule.example_language(example)
                try:
                    fired, checks, rewrite = run_example(std, rule.id, example, lang)
                except WordingError as exc:
                    out.append(f"{head}: the example cannot be checked: {exc.message}")
                    continue
                if kind == "flag" and not fired:
                    others = f" (findings: {', '.join(checks)})" if checks else " (no findings)"
                    out.append(f"{head}: {rule.id} does not flag {example.text!r}{others}")
                elif kind == "ok" and fired:
                    out.append(f"{head}: {rule.id} flags {example.text!r}, which should be left alone")
                elif (
                    kind == "flag"
                    and example.rewrite is not None
                    and rewrite.strip() != example.rewrite.strip()
                ):
                    out.append(f"{head}: the rewrite is {rewrite!r}, expected {example.rewrite!r}")
    return out


# ------------------------------------------------------------------------------------------------ show


def _when(rule: Any) -> str:
    return ", ".join(str(t) for t in rule.when) if rule.when else "always"


def _target(roles: Iterable[Role], patterns: Mapping[str, list[str]]) -> str:
    parts = []
    roles = list(roles)
    if roles:
        parts.append("roles " + ", ".join(str(r) for r in roles))
    for code, pats in patterns.items():
        if pats:
            parts.append(f"{len(pats)} {code} pattern{'s' if len(pats) != 1 else ''}")
    return "; ".join(parts)


def _rule_line(rule: Any) -> str:
    kind = rule.kind
    if kind == "existence":
        what = _target(rule.roles, rule.patterns)
    elif kind == "substitution":
        what = "; ".join(
            f"{code}: " + ", ".join(f"{p} -> {r}" for p, r in t.items()) for code, t in rule.swap.items()
        )
    elif kind == "occurrence":
        limits = []
        if rule.max is not None:
            limits.append(f"at most {rule.max}")
        if rule.min is not None:
            limits.append(f"at least {rule.min}")
        what = f"{' and '.join(limits)} of {_target(rule.roles, rule.patterns)}"
    elif kind == "conditional":
        first, then = _target(rule.if_.roles, rule.if_.patterns), _target(rule.then.roles, rule.then.patterns)
        what = f"if {first} then {then}"
    else:
        what = f"{', '.join(map(str, rule.before))} before {', '.join(map(str, rule.after))}"
    fix = ""
    if getattr(rule, "fix", None) is not None:
        f = rule.fix
        fix = (
            "; fix: remove"
            if f.remove
            else ("; fix: replace" if f.replace else f"; fix: insert ({f.at or 'default'})")
        )
    elif kind in ("substitution", "order"):
        fix = "; fix: " + ("swap" if kind == "substitution" else "move")
    return (
        f"  {rule.id}  [{kind}, {rule.severity}, when: {_when(rule)}, "
        f"languages: {', '.join(rule.languages)}]\n"
        f"      {what}{fix}\n"
        f"      source: {rule.source.title} <{rule.source.url}>"
    )


def show(std: Standards) -> str:
    """The effective standards, as text: checks, team rules, languages (cues and phrase banks), ids."""
    out = [f"standards: {std.name}"]
    if std.description:
        out.append(f"  {std.description.strip()}")
    out.append("")
    out.append("checks:")
    for cid in CheckId:
        s = std.check(cid)
        extra = [f"{k}={v}" for k in ("max_apologies", "max_asks") if (v := getattr(s, k)) is not None]
        state = "on " if s.enabled else "off"
        out.append(f"  {cid.value:<24} {state} {s.severity:<10} {' '.join(extra)}".rstrip())
    out.append("")
    out.append(f"rules ({len(std.rules)}):")
    if not std.rules:
        out.append("  (none)")
    for rule in std.rules:
        out.append(_rule_line(rule))
    out.append("")
    out.append("languages:")
    for code in sorted(std.languages):
        pack = std.pack(code)
        counts = []
        for role in Role:
            lex = pack.roles.get(role)
            if lex is not None and (lex.cues or lex.exceptions):
                counts.append(
                    f"{role.value} {len(lex.cues)}" + (f"/-{len(lex.exceptions)}" if lex.exceptions else "")
                )
        ctx = [f"{t.value} {len(pack.context[t].cues)}" for t in ContextType if t in pack.context]
        out.append(f"  {code}: cues: {', '.join(counts) or 'none'}")
        if ctx:
            out.append(f"      context cues: {', '.join(ctx)}")
        ph = pack.phrases
        for slot in ("care", "acknowledgement", "action", "next_step", "ownership", "sign_off"):
            text = ph.slot(slot)
            if text:
                out.append(f"      {slot}: {text}")
    out.append("")
    out.append("ids (for disabled / enabledRules / disabledRules): " + ", ".join(std.rule_ids()))
    return "\n".join(out)


# -------------------------------------------------------------------------------------------- the server


def load_sets(mapping: Mapping[str, str | Path]) -> dict[str, Standards]:
    """Load and lint every named standards set (name -> file) for a server.

    Raises :class:`ConfigError` naming the set, the file and every problem, so that a server never
    starts with an invalid file.
    """
    out: dict[str, Standards] = {}
    for name, path in mapping.items():
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"standards set names must be non-empty text, not {name!r}")
        if not isinstance(path, str | Path) or not str(path).strip():
            raise ConfigError(f"standards set {name!r}: the path must be a file name, not {path!r}")
        ok, problems, std = _lint(Path(path))
        if not ok or std is None:
            raise ConfigError(f"standards set {name!r} ({path}) is invalid:\n" + "\n".join(problems))
        out[name] = std
    return out
