"""Facts a rewrite must never change: numbers, amounts, dates, order ids, phones, e-mails, URLs."""

from __future__ import annotations

import regex

from .types import Fact

# Earlier kinds win where matches overlap.
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("url", r"(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]"),
    ("email", r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    ("order_id", r"(?:#|№|\b(?:Nr|No|Nº)\.)\s?[\p{L}\p{N}-]*\p{N}[\p{L}\p{N}-]*|\b(?=[\p{Lu}\p{N}-]{4,})(?=[\p{Lu}\p{N}-]*\p{N})(?=[\p{Lu}\p{N}-]*\p{Lu})[\p{Lu}\p{N}]+(?:-[\p{Lu}\p{N}]+)*\b|\b\p{N}{6,}\b"),
    ("phone", r"(?<![\w#-])\+?\(?\d{1,4}\)?(?:[ .-]?\d{2,4}){2,5}(?![\w])"),
    ("amount", r"(?:[$€£₽₸¥]|USD|EUR|GBP|RUB|AMD|AED|SAR)\s?\d[\d,.\s]*\d|\d[\d,.]*\s?(?:[$€£₽֏]|USD|EUR|GBP|руб\.?|рублей|eiro|EUR|драм|դրամ|درهم|ريال|دولار)"),
    ("date", r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\b\d{1,2}:\d{2}\b"),
    ("number", r"\p{N}+(?:[.,]\p{N}+)*"),
)
_COMPILED = tuple((kind, regex.compile(p, regex.UNICODE | regex.VERSION1)) for kind, p in _PATTERNS)


def extract(text: str) -> list[Fact]:
    taken: list[tuple[int, int]] = []
    out: list[Fact] = []
    for kind, rx in _COMPILED:
        for m in rx.finditer(text):
            s, e = m.span()
            if e <= s or any(ts < e and s < te for ts, te in taken):
                continue
            if kind == "phone" and sum(ch.isdigit() for ch in m.group(0)) < 7:
                continue  # "order 77120" is a number, not a phone
            taken.append((s, e))
            out.append(Fact(kind=kind, text=m.group(0), start=s, end=e))  # type: ignore[arg-type]
    return sorted(out, key=lambda f: f.start)
