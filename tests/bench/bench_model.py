"""Benchmark of the hybrid engine (encoder + heads), side by side in one run.

    .venv/bin/python tests/bench/bench_model.py        (or: make bench)

Drafts are built from real sentences (the held-out test split of models/data, all five languages),
each with a customer message of its language as context. Prints:

* p50 / p95 latency of ``check()`` for 1-, 5- and 20-sentence drafts on never-seen text (caches
  cleared before each call; with the verifying second pass, as the API runs it, and without it);
* the same sentences (the draft's segments plus the context) through the bare encoder forward, one
  batch, no cache: the floor; and the ratio check() / floor;
* batch throughput (drafts per second, never-seen drafts of 5 sentences, all languages);
* peak RSS of this process;
* ``check()`` of 5-sentence drafts with 1 and with 2 torch threads, alternating draft by draft;
* cold start (interpreter + ``import wording`` + first check) in a fresh subprocess, with an empty
  converted-model cache (conversion included) and with the cache warm, and the warm one by stage.

Aims on a 2-core machine: p50 <= 60 ms for a 5-sentence draft with context, ratio <= 1.25,
RSS <= 1 GB, warm-cache cold start <= 8 s. Timings are wall-clock medians after warm-up; other work on
the machine shows up in them (the load average is printed).
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import wording  # noqa: E402
from wording import pipeline, segment  # noqa: E402
from wording.standards import default_standards  # noqa: E402

LANGS = ("en", "ru", "lv", "ar", "hy")
SIZES = (1, 5, 20)
RUNS = 20


def split_of(text: str) -> str:
    from models.train import split_of as rule

    return rule(text)


def corpus() -> dict[str, tuple[list[str], list[str]]]:
    """Per language: (test-split role sentences that are not greetings/closings, test-split messages)."""
    out = {}
    for lang in LANGS:
        rows = [
            json.loads(x)
            for x in (ROOT / f"models/data/roles-{lang}.jsonl").read_text("utf-8").splitlines()
            if x
        ]
        msgs = [
            json.loads(x)
            for x in (ROOT / f"models/data/messages-{lang}.jsonl").read_text("utf-8").splitlines()
            if x
        ]
        body = [
            r["text"]
            for r in rows
            if split_of(r["text"]) == "test" and not {"greeting", "closing"} & set(r["roles"])
        ]
        ctx = [m["text"] for m in msgs if split_of(m["text"]) == "test" and m["type"] == "complaint"]
        out[lang] = (body, ctx)
    return out


def drafts(
    data: dict[str, tuple[list[str], list[str]]], n: int, count: int, seed: int
) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    out = []
    for k in range(count):
        lang = LANGS[k % len(LANGS)]
        body, ctx = data[lang]
        out.append((lang, " ".join(rng.sample(body, n)), rng.choice(ctx)))
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(q * (len(values) - 1))))]


def cold_start(cache_dir: str) -> float:
    code = (
        "import time; t = time.perf_counter(); import wording; "
        "r = wording.check('Sorry for the delay. Your refund went through today.', "
        "context='Where is my refund?'); "
        "print(round(time.perf_counter() - t, 2), r.engine.name)"
    )
    env = {**os.environ, "WORDING_CACHE_DIR": cache_dir}
    env.pop("WORDING_ENGINE", None)
    t0 = time.perf_counter()
    res = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=ROOT
    )
    total = time.perf_counter() - t0
    inner, engine = res.stdout.split()[-2:]
    if engine != "hybrid":
        raise SystemExit(f"cold start ran the {engine} engine")
    return total


STAGES = """
import time
t = time.perf_counter()
marks = []
def rss():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) // 1024 for line in fh if line.startswith("VmRSS"))
def mark(name):
    marks.append((name, time.perf_counter() - t, rss()))
import wording
mark("import wording")
from wording import encoder, language, pipeline, segment
from wording.standards import default_standards
std = default_standards()
mark("standards (five packs; a language compiles its patterns on first use)")
text = "Sorry for the delay. Your refund went through today."
language.detect(text, None)
mark("lingua language models")
segment.split(text, "en")
mark("spaCy English pipeline (imports spaCy and torch)")
encoder.get_encoder()
mark("encoder: transformers, sha256 checks, tokenizer, weights")
pipeline.get_scorer(std)
mark("heads")
wording.check(text, context="Where is my refund?")
mark("first check")
prev, prev_rss = 0.0, 0
for name, at, mb in marks:
    print(f"{at - prev:.2f}|{mb - prev_rss}|{name}")
    prev, prev_rss = at, mb
"""


def cold_start_stages(cache_dir: str) -> list[tuple[str, float, int]]:
    """Seconds and resident memory (MB, VmRSS) added per loading stage in a fresh process with a warm
    converted-model cache."""
    env = {**os.environ, "WORDING_CACHE_DIR": cache_dir}
    env.pop("WORDING_ENGINE", None)
    res = subprocess.run(
        [sys.executable, "-c", STAGES], env=env, capture_output=True, text=True, check=True, cwd=ROOT
    )
    out = []
    for line in res.stdout.splitlines():
        if "|" in line:
            secs, mb, name = line.split("|", 2)
            out.append((name, float(secs), int(mb)))
    return out


def main() -> int:
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores)")
    data = corpus()
    std = default_standards()
    warm = wording.check("Hello, thanks for writing.", context="Where is my parcel?", language="en")
    if warm.engine.name != "hybrid":
        print(f"the hybrid engine is not in use: {warm.engine.reason}")
        return 1
    encoder = pipeline._scorers[id(std)].encoder
    print(f"engine: hybrid, encoder {warm.engine.encoder}, torch threads {encoder.threads}")

    rows = []
    for n in SIZES:
        items = drafts(data, n, RUNS, seed=n)
        for lang, d, c in items[:3]:  # warm-up
            pipeline.clear_caches()
            wording.check(d, context=c, language=lang)
        full, noverify, floor = [], [], []
        for lang, d, c in items:
            pipeline.clear_caches()
            t = time.perf_counter()
            wording.check(d, context=c, language=lang)
            full.append((time.perf_counter() - t) * 1000)
            pipeline.clear_caches()
            t = time.perf_counter()
            wording.check(d, context=c, language=lang, verify=False)
            noverify.append((time.perf_counter() - t) * 1000)
            texts = [s.text for s in segment.split(d, lang, tuple(std.pack(lang).abbreviations))] + [c]
            t = time.perf_counter()
            encoder.forward(texts)
            floor.append((time.perf_counter() - t) * 1000)
        rows.append((n, full, noverify, floor))

    print()
    print(
        f"{'sentences':>9} {'check p50':>10} {'p95':>8} {'no-verify p50':>14} {'encoder p50':>12} {'p95':>8} "
        f"{'ratio':>6} {'ratio no-verify':>16}"
    )
    for n, full, nov, floor in rows:
        f50, v50, e50 = statistics.median(full), statistics.median(nov), statistics.median(floor)
        print(
            f"{n:>9} {f50:>8.1f}ms {pct(full, 0.95):>6.1f}ms {v50:>12.1f}ms "
            f"{e50:>10.1f}ms {pct(floor, 0.95):>6.1f}ms "
            f"{f50 / e50:>6.2f} {v50 / e50:>16.2f}"
        )

    # torch threads, side by side: the same 5-sentence drafts, 1 and 2 threads alternating
    import torch

    default_threads = torch.get_num_threads()
    by_threads: dict[int, list[float]] = {1: [], 2: []}
    for lang, d, c in drafts(data, 5, RUNS, seed=7):
        for k in (1, 2):
            torch.set_num_threads(k)
            pipeline.clear_caches()
            t = time.perf_counter()
            wording.check(d, context=c, language=lang)
            by_threads[k].append((time.perf_counter() - t) * 1000)
    torch.set_num_threads(default_threads)
    one, two = statistics.median(by_threads[1]), statistics.median(by_threads[2])
    print(
        f"\ntorch threads, 5-sentence check() p50: 1 thread {one:.1f} ms, 2 threads {two:.1f} ms "
        f"(1/2 = {one / two:.2f}); the default is {default_threads}"
    )
    print(f"load average now: {os.getloadavg()[0]:.2f}")

    batch = drafts(data, 5, 100, seed=99)
    t = time.perf_counter()
    for lang, d, c in batch:
        pipeline.clear_caches()
        wording.check(d, context=c, language=lang)
    per_s = len(batch) / (time.perf_counter() - t)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nthroughput: {per_s:.1f} drafts/s (100 never-seen 5-sentence drafts with context, 5 languages)")
    print(f"peak RSS: {rss:.0f} MB")

    with tempfile.TemporaryDirectory() as tmp:
        cold = cold_start(tmp)  # empty cache: the conversion runs
        warm_s = statistics.median(cold_start(tmp) for _ in range(3))
        stages = cold_start_stages(tmp)
    print(
        f"cold start (new process: import + first check): {cold:.1f}s converting, "
        f"{warm_s:.1f}s with the cache"
    )
    print("cold start by stage (warm cache, one fresh process; seconds and resident MB each stage adds):")
    for name, secs, mb in stages:
        print(f"  {secs:6.2f}s  {mb:+5d} MB  {name}")
    five = rows[1]
    f50, e50 = statistics.median(five[1]), statistics.median(five[3])
    print("\naims (2 cores):")
    print(f"  p50 5 sentences + context <= 60 ms: {f50:.1f} ms {'ok' if f50 <= 60 else 'MISSED'}")
    print(f"  ratio to the bare encoder <= 1.25: {f50 / e50:.2f} {'ok' if f50 / e50 <= 1.25 else 'MISSED'}")
    print(f"  peak RSS <= 1 GB: {rss:.0f} MB {'ok' if rss <= 1024 else 'MISSED'}")
    print(f"  warm-cache cold start <= 8 s: {warm_s:.1f} s {'ok' if warm_s <= 8 else 'MISSED'}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
