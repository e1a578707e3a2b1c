"""Experiment, not shipped: would int8 dynamic quantization of the encoder close the latency aim?

    .venv/bin/python tests/bench/experiment_int8.py

Side by side in one run, on the drafts ``bench_model.py`` uses (5 sentences plus the customer's
message, all five languages, never-seen text): the bare encoder forward in float32 (what ships) and
with torch's dynamic int8 quantization of every Linear layer, weights quantized per tensor and per
output channel. For each: median forward time, and how far the embeddings move from float32 (cosine
per text: the trained heads expect the float32 vectors). With dynamic quantization the activations of
a Linear share one scale over the whole packed batch, so a text's embedding also depends on the other
texts in its batch: the last column compares each text embedded inside its draft's batch with the
same text embedded alone (float32 gives 1.0000 there).
"""

from __future__ import annotations

import copy
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402
from bench_model import corpus, drafts  # noqa: E402

from wording import segment  # noqa: E402
from wording.encoder import get_encoder  # noqa: E402
from wording.standards import default_standards  # noqa: E402

RUNS = 20


def main() -> int:
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    enc = get_encoder()
    std = default_standards()
    items = drafts(corpus(), 5, RUNS, seed=5)
    batches = [
        [s.text for s in segment.split(d, lang, tuple(std.pack(lang).abbreviations))] + [c]
        for lang, d, c in items
    ]
    float_model = enc.model
    with warnings.catch_warnings():  # torch.ao.quantization is deprecated in favour of torchao
        warnings.simplefilter("ignore")
        linear = {n for n, m in float_model.named_modules() if isinstance(m, torch.nn.Linear)}
        variants = {
            "float32 (shipped)": float_model,
            "int8, per-tensor weights": quantize_dynamic(
                copy.deepcopy(float_model), {torch.nn.Linear}, dtype=torch.qint8
            ),
            "int8, per-channel weights": quantize_dynamic(
                copy.deepcopy(float_model),
                dict.fromkeys(linear, per_channel_dynamic_qconfig),
                dtype=torch.qint8,
            ),
        }
    reference = [enc.forward(b) for b in batches]
    times: dict[str, list[float]] = {k: [] for k in variants}
    cos: dict[str, list[float]] = {k: [] for k in variants}
    alone: dict[str, list[float]] = {k: [] for k in variants}
    for model in variants.values():
        enc.model = model
        for b in batches[:3]:  # warm-up
            enc.forward(b)
    for i, b in enumerate(batches):  # variants alternate draft by draft: same machine load for each
        for name, model in variants.items():
            enc.model = model
            t = time.perf_counter()
            out = enc.forward(b)
            times[name].append((time.perf_counter() - t) * 1000)
            cos[name] += (out * reference[i]).sum(-1).tolist()
            single = torch.cat([enc.forward([t]) for t in b])
            alone[name] += (out * single).sum(-1).tolist()
    enc.model = float_model

    base = statistics.median(times["float32 (shipped)"])
    print(f"{RUNS} drafts of 5 sentences + context, torch threads {enc.threads}")
    print(f"{'':28}{'p50 ms':>8}{'vs f32':>8}{'cos to f32 min/median':>24}{'batch vs alone min':>20}")
    for name in variants:
        p50 = statistics.median(times[name])
        print(
            f"{name:28}{p50:8.1f}{p50 / base:8.2f}"
            f"{min(cos[name]):13.4f} / {statistics.median(cos[name]):.4f}"
            f"{min(alone[name]):20.4f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
