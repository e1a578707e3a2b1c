"""Experiment: does fine-tuning the top encoder layers beat the frozen encoder? Not part of ``make train``.

    .venv/bin/python -m models.finetune_experiment --layers 4 --epochs 5 --lr 1e-4

Run after ``make train``: it starts from the trained role and context heads in ``models/artifacts``
(so epoch "start" is the shipped frozen-encoder model), caches the hidden states that enter the top
``--layers`` encoder layers for every text once, then trains copies of those layers together with both
heads on the training split (role loss on sentences + context loss on messages, AdamW, warm-up then
linear decay). After every epoch it prints, on the validation split, the role macro-F1 per language of
"lexicon OR model" with thresholds tuned on that split (as ``models/train.py`` does) and the context
macro-F1 per language. The test split is not read. Nothing is written.

The model card (models/README.md, "Fine-tuning the encoder") records what a run showed.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from typing import Any

import numpy as np


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m models.finetune_experiment", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--layers", type=int, default=4, help="top encoder layers to train (1-12)")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--lr", type=float, default=1e-4, help="learning rate of the encoder layers")
    ap.add_argument("--head-lr", type=float, default=3e-4)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    import torch

    from models.train import LANGS, best_threshold, lexicon_features, read_data
    from wording.classifier import CONTEXT_TYPES, artifacts_dir, load_artifacts
    from wording.encoder import get_encoder
    from wording.types import ROLES

    torch.manual_seed(args.seed)
    rng = np.random.RandomState(args.seed)
    encoder = get_encoder()
    model = encoder.model
    depth = len(model.encoder.layer)
    first = depth - args.layers
    sentences, messages, _ = read_data()
    roles = [str(r) for r in ROLES]
    types = [str(t) for t in CONTEXT_TYPES]
    texts = [e.text for e in sentences] + [e.text for e in messages]

    # the hidden states entering layer `first`, per text, without padding
    t0 = time.perf_counter()
    ids = encoder.token_ids(texts)
    hidden: list[Any] = [None] * len(texts)
    with torch.inference_mode():
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        for b in range(0, len(order), 64):
            idx = order[b : b + 64]
            width = max(len(ids[i]) for i in idx)
            inp = torch.zeros((len(idx), width), dtype=torch.long)
            att = torch.zeros((len(idx), width), dtype=torch.long)
            for k, i in enumerate(idx):
                inp[k, : len(ids[i])] = torch.tensor(ids[i])
                att[k, : len(ids[i])] = 1
            states = model(
                input_ids=inp,
                attention_mask=att,
                token_type_ids=torch.zeros_like(inp),
                output_hidden_states=True,
            ).hidden_states[first]
            for k, i in enumerate(idx):
                hidden[i] = states[k, : len(ids[i])].clone()
    print(f"cached the input of layer {first + 1} for {len(texts)} texts in {time.perf_counter() - t0:.0f}s")

    layers = torch.nn.ModuleList([copy.deepcopy(model.encoder.layer[j]) for j in range(first, depth)])
    trained = load_artifacts(artifacts_dir(), encoder.identity)
    role_head = copy.deepcopy(trained.heads.roles)
    context_head = copy.deepcopy(trained.heads.context)
    for p in [*layers.parameters(), *role_head.parameters(), *context_head.parameters()]:
        p.requires_grad_(True)

    ys = torch.tensor([[r in e.roles for r in roles] for e in sentences], dtype=torch.float32)
    ym = torch.tensor([types.index(e.type) for e in messages])  # type: ignore[arg-type]
    s_split = np.array([e.split for e in sentences])
    m_split = np.array([e.split for e in messages])
    s_lang = np.array([e.language for e in sentences])
    m_lang = np.array([e.language for e in messages])
    n_s = len(sentences)
    train_s, val_s = np.flatnonzero(s_split == "train"), np.flatnonzero(s_split == "validation")
    train_m, val_m = np.flatnonzero(m_split == "train") + n_s, np.flatnonzero(m_split == "validation") + n_s
    lexicon = lexicon_features(sentences) >= 0.5

    def embed(batch: np.ndarray) -> Any:
        rows = [hidden[i] for i in batch]
        width = max(r.shape[0] for r in rows)
        x = torch.zeros((len(rows), width, rows[0].shape[1]))
        mask = torch.zeros((len(rows), width))
        for k, r in enumerate(rows):
            x[k, : r.shape[0]] = r
            mask[k, : r.shape[0]] = 1
        additive = (1.0 - mask)[:, None, None, :] * torch.finfo(torch.float32).min
        for layer in layers:
            x = layer(x, attention_mask=additive)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return torch.nn.functional.normalize(pooled, dim=-1)

    def f1(pred: np.ndarray, truth: np.ndarray) -> float:
        tp, fp, fn = (pred & truth).sum(), (pred & ~truth).sum(), (~pred & truth).sum()
        return float(2 * tp / (2 * tp + fp + fn)) if tp else 0.0

    def evaluate(label: str) -> None:
        for m in (layers, role_head, context_head):
            m.eval()
        with torch.no_grad():
            ps = torch.cat(
                [torch.sigmoid(role_head(embed(val_s[i : i + 128]))) for i in range(0, len(val_s), 128)]
            )
            pm = torch.cat([context_head(embed(val_m[i : i + 128])) for i in range(0, len(val_m), 128)])
        probs, truth, lex = ps.numpy(), ys.numpy()[val_s].astype(bool), lexicon[val_s]
        thr = [
            best_threshold(probs[:, j], truth[:, j], lex[:, j], low=0.5, beta=0.5) for j in range(len(roles))
        ]
        pred = lex | (probs >= np.array(thr))
        ctx_pred, ctx_truth, langs = pm.argmax(-1).numpy(), ym.numpy()[val_m - n_s], m_lang[val_m - n_s]
        role_f1 = {
            g: np.mean(
                [f1(pred[s_lang[val_s] == g, j], truth[s_lang[val_s] == g, j]) for j in range(len(roles))]
            )
            for g in LANGS
        }
        ctx_f1 = {
            g: np.mean([f1(ctx_pred[langs == g] == c, ctx_truth[langs == g] == c) for c in range(len(types))])
            for g in LANGS
        }
        print(
            f"{label:<10} roles "
            + " ".join(f"{g}={v:.3f}" for g, v in role_f1.items())
            + f" mean={np.mean(list(role_f1.values())):.3f} | context "
            + " ".join(f"{g}={v:.3f}" for g, v in ctx_f1.items())
            + f" mean={np.mean(list(ctx_f1.values())):.3f}",
            flush=True,
        )

    opt = torch.optim.AdamW(
        [
            {"params": layers.parameters(), "lr": args.lr},
            {"params": [*role_head.parameters(), *context_head.parameters()], "lr": args.head_lr},
        ],
        weight_decay=1e-2,
    )
    steps = args.epochs * max(len(train_s) // 32, 1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: min(1.0, (k + 1) / 50) * max(0.0, 1 - k / steps))
    bce, ce = torch.nn.BCEWithLogitsLoss(), torch.nn.CrossEntropyLoss()
    evaluate("start")
    for epoch in range(args.epochs):
        for m in (layers, role_head, context_head):
            m.train()
        t1 = time.perf_counter()
        s_order, m_order = rng.permutation(train_s), rng.permutation(train_m)
        batches = max(len(s_order) // 32, 1)
        per_batch = max(len(m_order) // batches, 1)
        for k in range(batches):
            bs, bm = s_order[k * 32 : (k + 1) * 32], m_order[k * per_batch : (k + 1) * per_batch]
            opt.zero_grad()
            loss = bce(role_head(embed(bs)), ys[bs])
            if len(bm):
                loss = loss + ce(context_head(embed(bm)), ym[bm - n_s])
            loss.backward()
            opt.step()
            sched.step()
        evaluate(f"epoch {epoch + 1}")
        print(f"           ({time.perf_counter() - t1:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
