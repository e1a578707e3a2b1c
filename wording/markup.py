"""Drafts written in markup: the plain text wording checks, and the way back to the markup.

Helpdesks hand over HTML (and some editors Markdown). wording checks the *text* a customer will read,
then maps every finding and every rewrite edit back onto the markup, so the caller can highlight the
exact source range and apply the rewrite without losing a single tag.

    >>> m = extract("<p>We <b>apologize</b> for the delay.</p>", "html")
    >>> m.text
    'We apologize for the delay.'
    >>> m.source_span(3, 12)
    (9, 18)
    >>> m.apply([(3, 12, "are sorry")])
    '<p>We <b>are sorry</b> for the delay.</p>'

How the plain text is made:

* ``text``: the draft itself; offsets map one to one.
* ``html``: text nodes with character references decoded; runs of white space collapsed as a browser
  renders them (kept inside ``<pre>``); ``<br>`` becomes a line break, block elements (``p``, ``div``,
  ``li``, headings, table rows ...) become line breaks (a blank line for paragraphs); ``script``,
  ``style``, ``template`` and ``title`` contents and comments are dropped.
* ``markdown``: the source without its markup characters (heading and list markers, emphasis, code
  ticks, link targets, images, inline HTML, backslash escapes); line breaks stay as they are.
* LanguageTool's ``data.annotation`` (:func:`from_annotation`): ``text`` parts are text, ``markup``
  parts are markup read as their ``interpretAs`` value.

Every plain character knows the source range it came from; characters that markup stands for (a line
break for ``<p>``) are *synthetic*: they have no source characters of their own. Offsets are code points.

Edits map back like this: the text characters an edit covers are removed from the source, the
replacement (HTML-escaped for HTML) goes where the first of them was, and the tags in between stay.
An element whose whole text an edit removes is removed with its tags, so deleting a paragraph leaves
no empty ``<p></p>``. An insertion that extends a sentence goes right after its last text character,
outside inline tags such as ``<b>`` that close there; one that starts a sentence goes before the next
text character, outside inline tags that open there. Line breaks that markup stands for cannot be
deleted (the markup stays); a moved sentence loses its inline formatting.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .rewrite import apply as apply_edits

__all__ = ["FORMATS", "Format", "Markup", "SourceEdit", "extract", "from_annotation"]

Format = Literal["text", "html", "markdown"]
FORMATS: tuple[str, ...] = ("text", "html", "markdown")


@dataclass(frozen=True)
class SourceEdit:
    """A change to the markup: replace ``source[start:end]`` with ``replacement``."""

    start: int
    end: int
    replacement: str
    original: str = ""


@dataclass(frozen=True)
class _Tag:
    start: int
    end: int
    name: str
    kind: Literal["open", "close", "void", "other"]


@dataclass(frozen=True)
class _Element:
    outer_start: int  # first character of the opening tag
    outer_end: int  # one past the closing tag
    plain_start: int  # the element's text in the plain string
    plain_end: int


@dataclass
class Markup:
    """A draft in some format, its plain text, and the map between them."""

    format: str
    source: str
    text: str = ""
    starts: list[int] = field(default_factory=list)  # per plain character: first source position
    ends: list[int] = field(default_factory=list)  # one past its last source position (== start: synthetic)
    tags: list[_Tag] = field(default_factory=list)
    elements: list[_Element] = field(default_factory=list)
    escape: bool = False  # replacements are HTML-escaped

    # ----------------------------------------------------------------------------------- mapping

    def is_synthetic(self, i: int) -> bool:
        return self.starts[i] == self.ends[i]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The source range of the plain range ``[start, end)`` (tags inside it included)."""
        self._check_range(start, end)
        real = [i for i in range(start, end) if not self.is_synthetic(i)]
        if not real:
            p = self._insert_position(start, end, "")
            return p, p
        return self._balance(self.starts[real[0]], self.ends[real[-1]])

    def _balance(self, s: int, e: int) -> tuple[int, int]:
        """Widen ``[s, e)`` over inline tags it opens but does not close (and the reverse), so a
        span like ``so <b>sorry`` becomes ``so <b>sorry</b>``."""
        inside = [t for t in self.tags if s <= t.start and t.end <= e and t.name in _INLINE]
        opened: list[str] = []
        unopened: list[str] = []
        for t in inside:
            if t.kind == "open":
                opened.append(t.name)
            elif t.kind == "close":
                if t.name in opened:
                    opened.remove(t.name)
                else:
                    unopened.append(t.name)
        by_start = {t.start: t for t in self.tags}
        while opened and (t := by_start.get(e)) is not None and t.kind == "close" and t.name in opened:
            opened.remove(t.name)
            e = t.end
        by_end = {t.end: t for t in self.tags}
        while unopened and (t := by_end.get(s)) is not None and t.kind == "open" and t.name in unopened:
            unopened.remove(t.name)
            s = t.start
        return s, e

    def source_edits(self, edits: Iterable[Any]) -> list[SourceEdit]:
        """Map plain-text edits onto the source. Each edit is ``(start, end, replacement)`` or has
        ``start``, ``end`` and ``replacement`` attributes (``wording.types.Edit``) or keys."""
        plain = sorted((_as_triple(e) for e in edits), key=lambda t: (t[0], t[1]))
        last = -1
        for start, end, _ in plain:
            self._check_range(start, end)
            if start < last:
                raise ValueError(f"edit at {start}-{end} overlaps the one before it")
            last = max(last, end)
        raw: list[tuple[int, int, str]] = []
        deleted: set[int] = set()  # plain characters removed
        touched: set[int] = set()  # elements that received inserted text, by index
        for start, end, replacement in plain:
            text = html.escape(replacement, quote=False) if self.escape else replacement
            real = [i for i in range(start, end) if not self.is_synthetic(i)]
            if not real:
                if text:
                    p = self._insert_position(start, end, replacement)
                    raw.append((p, p, text))
                    touched.update(self._elements_containing(p))
                continue
            deleted.update(real)
            runs: list[list[int]] = [[self.starts[real[0]], self.ends[real[0]]]]
            for i in real[1:]:
                if self.starts[i] == runs[-1][1]:
                    runs[-1][1] = self.ends[i]
                else:
                    runs.append([self.starts[i], self.ends[i]])
            first = True
            for s, e in runs:
                raw.append((s, e, text if first else ""))
                if first and text:
                    touched.update(self._elements_containing(s, inside=True))
                first = False
        # elements whose whole text went away go with their tags
        removed: list[tuple[int, int]] = []
        for n, el in enumerate(self.elements):
            if n in touched:
                continue
            chars = [
                i
                for i in range(el.plain_start, min(el.plain_end, len(self.text)))
                if not self.is_synthetic(i) and not self.text[i].isspace()
            ]
            if chars and all(i in deleted for i in chars):
                removed.append((el.outer_start, el.outer_end))
        removed.sort(key=lambda r: (r[0], -r[1]))
        outer: list[tuple[int, int]] = []
        for r in removed:
            if outer and r[0] < outer[-1][1]:
                continue  # nested in one already removed
            outer.append(r)
        # text runs never cross a tag, so a deletion is either inside a removed element or outside it
        final = [(s, e, t) for s, e, t in raw if t or not any(o0 <= s and e <= o1 for o0, o1 in outer)]
        final.extend((o0, o1, "") for o0, o1 in outer)
        final.sort(key=lambda r: (r[0], r[1] != r[0], r[1]))
        out: list[SourceEdit] = []
        for s, e, t in final:
            if out and s < out[-1].end:
                raise ValueError(f"source edits overlap at {s}")
            out.append(SourceEdit(s, e, t, self.source[s:e]))
        return out

    def apply(self, edits: Iterable[Any]) -> str:
        """The source with plain-text ``edits`` applied, markup kept."""
        return apply_source(self.source, self.source_edits(edits))

    # -------------------------------------------------------------------------------- internals

    def _check_range(self, start: int, end: int) -> None:
        if not (0 <= start <= end <= len(self.text)):
            raise ValueError(f"range {start}-{end} is outside the text (length {len(self.text)})")

    def _prev_real(self, i: int) -> int | None:
        while i >= 0:
            if not self.is_synthetic(i):
                return i
            i -= 1
        return None

    def _next_real(self, i: int) -> int | None:
        while i < len(self.text):
            if not self.is_synthetic(i):
                return i
            i += 1
        return None

    def _insert_position(self, start: int, end: int, replacement: str) -> int:
        """Where text inserted at plain ``start`` (replacing synthetic characters up to ``end``) goes."""
        prev = self._prev_real(start - 1)
        nxt = self._next_real(end)
        if prev is None and nxt is None:
            return len(self.source)
        if nxt is None:
            after = True
        elif prev is None:
            after = False
        elif replacement[:1].isspace():
            after = True  # it extends the sentence before
        elif replacement[-1:].isspace():
            after = False  # it starts a sentence of its own before the next one
        else:
            after = start < len(self.text) and self.is_synthetic(start)
        if after:
            return self._skip_closing(self.ends[prev])  # type: ignore[index]
        return self._skip_opening(self.starts[nxt])  # type: ignore[index]

    def _skip_closing(self, pos: int) -> int:
        """Move past inline closing tags that end right at ``pos``."""
        by_start = {t.start: t for t in self.tags}
        while (t := by_start.get(pos)) is not None and t.kind == "close" and t.name in _INLINE:
            pos = t.end
        return pos

    def _skip_opening(self, pos: int) -> int:
        by_end = {t.end: t for t in self.tags}
        while (t := by_end.get(pos)) is not None and t.kind == "open" and t.name in _INLINE:
            pos = t.start
        return pos

    def _elements_containing(self, pos: int, inside: bool = False) -> list[int]:
        return [
            n
            for n, el in enumerate(self.elements)
            if el.outer_start < pos < el.outer_end or (inside and el.outer_start <= pos < el.outer_end)
        ]


def _as_triple(edit: Any) -> tuple[int, int, str]:
    if isinstance(edit, tuple | list):
        start, end, replacement = edit
    elif isinstance(edit, dict):
        start, end, replacement = edit["start"], edit["end"], edit["replacement"]
    else:
        start, end, replacement = edit.start, edit.end, edit.replacement
    return int(start), int(end), str(replacement)


def apply_source(source: str, edits: Sequence[SourceEdit]) -> str:
    """Apply markup edits; overlapping ones raise ``OverlappingEdits`` (a ``ValueError``)."""
    return apply_edits(source, edits)


# ------------------------------------------------------------------------------------------ builders


class _Builder:
    def __init__(self, fmt: str, source: str, escape: bool = False) -> None:
        self.m = Markup(format=fmt, source=source, escape=escape)
        self.chars: list[str] = []

    def put(self, ch: str, start: int, end: int) -> None:
        self.chars.append(ch)
        self.m.starts.append(start)
        self.m.ends.append(end)

    def last(self) -> str:
        return self.chars[-1] if self.chars else ""

    def done(self) -> Markup:
        self.m.text = "".join(self.chars)
        return self.m


def _plain(source: str) -> Markup:
    m = Markup(format="text", source=source, text=source)
    m.starts = list(range(len(source)))
    m.ends = list(range(1, len(source) + 1))
    return m


# ---------------------------------------------------------------------------------------------- HTML

_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_SKIP = frozenset(("script", "style", "template", "title"))
_INLINE = frozenset(
    (
        "a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strong sub sup time u var"
    ).split()
)
_BREAKS: dict[str, int] = {
    **{n: 2 for n in "p h1 h2 h3 h4 h5 h6 blockquote ul ol dl table pre hr figure".split()},
    **{
        n: 1
        for n in (
            "address article aside body caption details dialog dd div dt fieldset figcaption footer form "
            "header hgroup html li main nav section summary tbody thead tfoot tr center"
        ).split()
    },
}
_TOKEN = re.compile(
    r"""(?P<comment><!--.*?(?:-->|\Z))"""
    r"""|(?P<decl><![^>]*>?)"""
    r"""|(?P<pi><\?[^>]*>?)"""
    r"""|(?P<tag></?[A-Za-z][^\s/>]*(?:[^>"']|"[^"]*"|'[^']*')*>)""",
    re.S,
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};?)")
_TAG_NAME = re.compile(r"</?([A-Za-z][^\s/>]*)")
_HTML_SPACE = " \t\n\r\f"


def _html(source: str) -> Markup:
    b = _Builder("html", source, escape=True)
    m = b.m
    pending = 0  # line breaks owed before the next text character
    space: tuple[int, int] | None = None  # a collapsed run of white space owed before it
    skip: str | None = None
    pre = 0
    stack: list[tuple[str, int, int]] = []  # (name, outer_start, plain_start)

    def text(chunk: str, offset: int) -> None:
        pos = 0
        for em in _ENTITY.finditer(chunk):
            raw_text(chunk[pos : em.start()], offset + pos)
            value = html.unescape(em.group(0))
            s, e = offset + em.start(), offset + em.end()
            if value == em.group(0):  # not a character reference after all
                raw_text(value, s)
            else:
                for ch in value:
                    emit(ch, s, e)
            pos = em.end()
        raw_text(chunk[pos:], offset + pos)

    def raw_text(chunk: str, offset: int) -> None:
        nonlocal space
        i = 0
        while i < len(chunk):
            if chunk[i] in _HTML_SPACE and not pre:
                j = i
                while j < len(chunk) and chunk[j] in _HTML_SPACE:
                    j += 1
                if space is None:
                    space = (offset + i, offset + j)
                i = j
                continue
            emit(chunk[i], offset + i, offset + i + 1)
            i += 1

    def emit(ch: str, s: int, e: int) -> None:
        nonlocal pending, space
        if b.chars:
            if pending:
                have = 0
                while have < pending and have < len(b.chars) and b.chars[-1 - have] == "\n":
                    have += 1
                for _ in range(max(0, pending - have)):
                    b.put("\n", s, s)
            elif space is not None and b.last() not in (" ", "\n"):
                b.put(" ", *space)
        pending, space = 0, None
        b.put(ch, s, e)

    pos = 0
    for tm in _TOKEN.finditer(source):
        if tm.start() > pos and skip is None:
            text(source[pos : tm.start()], pos)
        pos = tm.end()
        if tm.lastgroup != "tag":
            m.tags.append(_Tag(tm.start(), tm.end(), "", "other"))
            continue
        raw = tm.group(0)
        name = _TAG_NAME.match(raw).group(1).lower()  # type: ignore[union-attr]
        closing = raw.startswith("</")
        if skip is not None:
            if closing and name == skip:
                skip = None
                m.tags.append(_Tag(tm.start(), tm.end(), name, "close"))
            continue
        if closing:
            m.tags.append(_Tag(tm.start(), tm.end(), name, "close"))
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == name:
                    _, outer_start, plain_start = stack[k]
                    del stack[k:]
                    m.elements.append(_Element(outer_start, tm.end(), plain_start, len(b.chars)))
                    break
            if name == "pre":
                pre = max(0, pre - 1)
            pending = max(pending, _BREAKS.get(name, 0))
            continue
        void = name in _VOID or raw.endswith("/>")
        m.tags.append(_Tag(tm.start(), tm.end(), name, "void" if void else "open"))
        if name == "br":
            pending = min(2, pending + 1)
            continue
        pending = max(pending, _BREAKS.get(name, 0))
        if void:
            continue
        if name in _SKIP:
            skip = name
            continue
        if name == "pre":
            pre += 1
        stack.append((name, tm.start(), len(b.chars)))
    if pos < len(source) and skip is None:
        text(source[pos:], pos)
    m.elements.sort(key=lambda e: (e.outer_start, -e.outer_end))
    return b.done()


# ------------------------------------------------------------------------------------------ Markdown

_MD_BLOCK = re.compile(
    r"^(?P<indent>[ \t]{0,3})(?P<marker>(?:>[ \t]?)+|#{1,6}(?:[ \t]+|$)|[-*+][ \t]+|\d{1,9}[.)][ \t]+)"
)
_MD_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
_MD_RULE = re.compile(r"^[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_MD_INLINE = re.compile(
    r"(?P<image>!\[[^\]\n]*\]\([^)\n]*\))"
    r"|(?P<link>\[(?=[^\]\n]*\]\([^)\n]*\)))"
    r"|(?P<linkend>\]\([^)\n]*\))"
    r"|(?P<autolink><(?=(?:https?|mailto):)[^>\s]+>)"
    r"|(?P<html></?[A-Za-z][^>\n]*>)"
    r"|(?P<escape>\\[\\`*_{}\[\]()#+\-.!>~|])"
    r"|(?P<code>`+)"
    r"|(?P<emph>(?<![\w*~])(?:\*\*|__|\*|_|~~)(?=\S)|(?<=\S)(?:\*\*|__|\*|_|~~)(?![\w*~]))"
)


def _markdown(source: str) -> Markup:
    b = _Builder("markdown", source)
    m = b.m
    offset = 0
    fenced = False
    pairs: list[tuple[int, int]] = []  # source ranges of links, emphasis and code spans
    for line in source.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        hidden: list[tuple[int, int]] = []
        if _MD_FENCE.match(body):
            fenced = not fenced
            hidden.append((0, len(body)))
        elif fenced:
            pass
        elif _MD_RULE.match(body):
            hidden.append((0, len(body)))
        else:
            start = 0
            bm = _MD_BLOCK.match(body)
            if bm:
                hidden.append((0, bm.end()))
                start = bm.end()
            open_at: dict[str, int] = {}
            for im in _MD_INLINE.finditer(body, start):
                kind = im.lastgroup
                if kind == "escape":
                    hidden.append((im.start(), im.start() + 1))  # the backslash, not what it escapes
                    continue
                if kind == "autolink":
                    hidden.append((im.start(), im.start() + 1))
                    hidden.append((im.end() - 1, im.end()))
                    continue
                if kind == "emph" and not _paired(body, im):
                    continue
                hidden.append((im.start(), im.end()))
                key = "link" if kind in ("link", "linkend") else im.group(0)
                if kind == "linkend" or (kind in ("emph", "code") and key in open_at):
                    if key in open_at:
                        pairs.append((offset + open_at.pop(key), offset + im.end()))
                elif kind in ("link", "emph", "code"):
                    open_at[key] = im.start()
        hidden.sort()
        i = 0
        for hs, he in hidden:
            if hs < i:
                hs = i
            for k in range(i, hs):
                b.put(line[k], offset + k, offset + k + 1)
            if he > hs:
                m.tags.append(_Tag(offset + hs, offset + he, "md", "other"))
            i = max(i, he)
        for k in range(i, len(line)):
            b.put(line[k], offset + k, offset + k + 1)
        offset += len(line)
    for o0, o1 in sorted(pairs, key=lambda r: (r[0], -r[1])):
        m.elements.append(
            _Element(o0, o1, bisect.bisect_left(m.starts, o0), bisect.bisect_left(m.starts, o1))
        )
    return b.done()


def _paired(line: str, em: re.Match[str]) -> bool:
    """An emphasis delimiter counts only when the same delimiter closes or opens it on the line."""
    d = em.group(0)
    return line.count(d) >= 2 if len(d) > 1 else (line.count(d) - 2 * line.count(d * 2)) >= 2


# -------------------------------------------------------------------------------------------- public


def extract(source: str, fmt: str = "text") -> Markup:
    """The plain text of ``source`` written in ``fmt`` (``text``, ``html`` or ``markdown``), with its map."""
    if fmt == "text":
        return _plain(source)
    if fmt == "html":
        return _html(source)
    if fmt == "markdown":
        return _markdown(source)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def from_annotation(parts: Sequence[dict[str, Any]]) -> Markup:
    """LanguageTool's ``annotation`` list: ``{"text": ...}`` and ``{"markup": ..., "interpretAs": ...}``.

    The source is every part's text or markup in order (what LanguageTool counts offsets in); the
    plain text is the ``text`` parts with each markup part read as its ``interpretAs`` (or nothing).
    """
    pieces: list[str] = []
    for n, part in enumerate(parts):
        if not isinstance(part, dict):
            raise ValueError(f"annotation[{n}] must be an object")
        if ("text" in part) == ("markup" in part):
            raise ValueError(f"annotation[{n}] must have exactly one of 'text' and 'markup'")
        value = part.get("text", part.get("markup"))
        if not isinstance(value, str):
            raise ValueError(f"annotation[{n}] text/markup must be a string")
        interpret = part.get("interpretAs", "")
        if not isinstance(interpret, str):
            raise ValueError(f"annotation[{n}].interpretAs must be a string")
        pieces.append(value)
    source = "".join(pieces)
    b = _Builder("annotation", source)
    pos = 0
    for part, value in zip(parts, pieces, strict=True):
        if "text" in part:
            for k, ch in enumerate(value):
                b.put(ch, pos + k, pos + k + 1)
        else:
            b.m.tags.append(_Tag(pos, pos + len(value), "markup", "other"))
            for ch in part.get("interpretAs", ""):
                b.put(ch, pos, pos)
        pos += len(value)
    return b.done()
