"""How consistently the labels can be applied: a blind second annotation of the test split.

``models/data/agreement/`` holds a second, independent labelling of every test-split text (written
without seeing the first labels, the model or its scores; how it was made: ``models/data/DATA.md``).
This script compares, per language and with the same F1 definitions as ``models.train``:

- annotator B against annotator A (the training labels): the ceiling a model trained on A's labels can
  be expected to reach against them, since two careful people reading the same guide differ this much;
- the shipped model against A (the model card's numbers) and against B;
- the model on the texts where A and B agree (the labels nobody disputes).

Run: ``python -m models.agreement`` (a minute: the embeddings come from ``models/.cache`` after training).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .train import (
    DATA,
    LANGS,
    Example,
    context_report,
    embed_all,
    lexicon_features,
    read_data,
    role_report,
)

SECOND = DATA / "agreement"


def read_second(folder: Path, first: list[Example], kind: str) -> tuple[list[Example | None], list[str]]:
    """Annotator B's labels for the test-split texts of ``first``, in the same order as ``first``
    (None where B has not labelled the text)."""
    by_text: dict[tuple[str, str], dict[str, Any]] = {}
    problems: list[str] = []
    for lang in LANGS:
        path = folder / f"{kind}-{lang}.jsonl"
        if not path.is_file():
            problems.append(f"{path.name}: missing")
            continue
        for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            try:
                item = json.loads(line)
                by_text[(lang, str(item["text"]).strip().lower())] = item
            except (ValueError, KeyError, TypeError):
                problems.append(f"{path.name}:{n}: not a JSON object with 'text'")
    out: list[Example | None] = []
    for e in first:
        item = by_text.get((e.language, e.text.strip().lower()))
        if item is None:  # a text added to the data after the second annotation
            out.append(None)
            continue
        if kind == "roles":
            out.append(
                Example(
                    e.text, e.language, e.split, roles=tuple(sorted(item["roles"])), effort=item.get("effort")
                )
            )
        else:
            out.append(Example(e.text, e.language, e.split, type=item["type"]))
    return out, problems


def kappa(a: np.ndarray, b: np.ndarray, k: int) -> float:
    """Cohen's kappa of two single-label annotations with ``k`` classes."""
    po = float((a == b).mean())
    pe = float(sum((a == c).mean() * (b == c).mean() for c in range(k)))
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m models.agreement", description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--second", type=Path, default=SECOND)
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    args = ap.parse_args(argv)

    import torch

    from wording.classifier import CONTEXT_TYPES, HybridScorer, apply_exclusions, hold_for_redirects
    from wording.lexicon import LexiconScorer
    from wording.standards import default_standards
    from wording.types import ROLES

    roles, types = [str(r) for r in ROLES], [str(t) for t in CONTEXT_TYPES]
    sentences, messages, problems = read_data(args.data)
    s_all = [e for e in sentences if e.split == "test"]
    m_all = [e for e in messages if e.split == "test"]
    s_b2, p1 = read_second(args.second, s_all, "roles")
    m_b2, p2 = read_second(args.second, m_all, "messages")
    problems += p1 + p2
    if problems:
        for p in problems[:20]:
            print(p, file=sys.stderr)
        return 2
    # only the texts both annotators labelled (texts added to the data later have no second label)
    s_a = [a for a, b in zip(s_all, s_b2, strict=True) if b is not None]
    s_b = [b for b in s_b2 if b is not None]
    m_a = [a for a, b in zip(m_all, m_b2, strict=True) if b is not None]
    m_b = [b for b in m_b2 if b is not None]
    print(
        f"test split: {len(s_a)} of {len(s_all)} role sentences and {len(m_a)} of {len(m_all)} "
        "messages have a second label; the tables use those"
    )

    scorer = HybridScorer.load(LexiconScorer(default_standards()))
    enc = scorer.encoder
    xs = torch.from_numpy(embed_all(enc, [e.text for e in s_a]))
    xm = torch.from_numpy(embed_all(enc, [e.text for e in m_a]))
    lex = lexicon_features(s_a)
    probs = scorer.role_probabilities(xs, torch.from_numpy(lex)).numpy()
    probs = apply_exclusions(probs, lex, scorer.artifacts.exclusive)
    efforts = scorer.effort_kinds(xs)
    probs = hold_for_redirects(probs, lex, efforts, scorer.artifacts.not_with_redirect)
    model = probs >= 0.5
    ctx_model = scorer.context_probabilities(xm).argmax(-1).numpy()

    def labels(ex: list[Example]) -> np.ndarray:
        return np.array([[r in e.roles for r in roles] for e in ex], dtype=bool)

    a, b = labels(s_a), labels(s_b)
    ca = np.array([types.index(str(e.type)) for e in m_a])
    cb = np.array([types.index(str(e.type)) for e in m_b])
    s_lang = np.array([e.language for e in s_a])
    m_lang = np.array([e.language for e in m_a])
    agree_s = (a == b).all(axis=1)
    agree_m = ca == cb

    out: dict[str, Any] = {
        "roles": {
            "second_vs_first": role_report(b, a, s_lang, roles),
            "model_vs_first": role_report(model, a, s_lang, roles),
            "model_vs_second": role_report(model, b, s_lang, roles),
            "model_on_agreed": role_report(model[agree_s], a[agree_s], s_lang[agree_s], roles),
        },
        "context": {
            "second_vs_first": context_report(cb, ca, m_lang, types),
            "model_vs_first": context_report(ctx_model, ca, m_lang, types),
            "model_vs_second": context_report(ctx_model, cb, m_lang, types),
            "model_on_agreed": context_report(ctx_model[agree_m], ca[agree_m], m_lang[agree_m], types),
        },
        "kappa_context": {
            lang: round(kappa(ca[m_lang == lang], cb[m_lang == lang], len(types)), 3) for lang in LANGS
        },
        "agreed_share": {
            lang: {
                "sentences": round(float(agree_s[s_lang == lang].mean()), 3),
                "messages": round(float(agree_m[m_lang == lang].mean()), 3),
            }
            for lang in LANGS
        },
    }
    pairs = [(x.effort, y.effort) for x, y in zip(s_a, s_b, strict=True) if x.effort and y.effort]
    out["effort_kind_agreement"] = {
        "n": len(pairs),
        "same_kind": round(float(np.mean([x == y for x, y in pairs])), 3) if pairs else None,
    }

    r, c = out["roles"], out["context"]
    print("Role macro-F1 on the test split, per language (F1 is symmetric: B vs A = A vs B)")
    print(f"{'':6}{'B vs A':>9}{'model vs A':>12}{'model vs B':>12}{'model, agreed':>15}{'agreed':>9}")
    for lang in LANGS:
        row = [r[k]["per_language"][lang]["macro_f1"] for k in r]
        print(
            f"{lang:6}{row[0]:9.3f}{row[1]:12.3f}{row[2]:12.3f}{row[3]:15.3f}"
            f"{out['agreed_share'][lang]['sentences']:9.0%}"
        )
    print("\nContext macro-F1 on the test split, per language")
    head = f"{'model vs A':>12}{'model vs B':>12}{'model, agreed':>15}{'agreed':>9}"
    print(f"{'':6}{'B vs A':>9}{'kappa':>7}{head}")
    for lang in LANGS:
        row = [c[k]["per_language"][lang]["macro_f1"] for k in c]
        print(
            f"{lang:6}{row[0]:9.3f}{out['kappa_context'][lang]:7.2f}{row[1]:12.3f}{row[2]:12.3f}"
            f"{row[3]:15.3f}{out['agreed_share'][lang]['messages']:9.0%}"
        )
    print("\nPer role, all languages: F1 of B vs A | model vs A")
    for role in roles:
        print(
            f"  {role:16}{r['second_vs_first']['per_role'][role]['f1']:7.3f}"
            f"{r['model_vs_first']['per_role'][role]['f1']:8.3f}"
        )
    e = out["effort_kind_agreement"]
    print(f"\nEffort kind, on {e['n']} sentences both marked customer_effort: same kind {e['same_kind']:.0%}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
