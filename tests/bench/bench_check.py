"""Benchmark of ``wording.check()`` beside proselint, measured side by side in one run.

    .venv/bin/python tests/bench/bench_check.py        (or: make bench)

Prints, for English drafts of 1, 5 and 20 sentences answering a complaint: p50 and p95 latency of
check() on a never-seen draft (caches cleared before each call; with the verifying second pass, as
the API runs it), p50 with warm caches (the same text again, as with templates), p50 without the
verifying pass, p50 of proselint on the same text and the ratio of the cold p50 to proselint's; then
batch throughput over 100 drafts in five languages (caches cleared before each) and the peak RSS of the
process. Timings are wall-clock, after warm-up, on whatever engine loads (printed).
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import wording  # noqa: E402

CONTEXT = "My washing machine was delivered with a cracked door and nobody has called me back in a week!"
SENTENCES = [
    "Hi Daniel,",
    "I'm so sorry the door arrived cracked.",
    "We apologize for the inconvenience this has caused.",
    "Good news: a replacement door is in stock at our Riga warehouse.",
    "Unfortunately, the technician cannot come before Thursday.",
    "Please contact our logistics department on 0800 555 0101 to book the visit.",
    "Your order number is WM-20931 and the refund of $35 for delivery has been issued.",
    "We pride ourselves on our award-winning delivery service.",
    "Check out our new extended warranty plans at https://example.com/warranty.",
    "I understand how frustrating it is to wait a week for a call.",
    "I've escalated your case to our service manager.",
    "You will receive a confirmation email within 24 hours.",
    "The old door will be collected when the new one is fitted.",
    "If anything changes, just reply to this email.",
    "Sorry again for all the trouble.",
    "Our technicians carry spare seals for this model.",
    "The visit usually takes about forty minutes.",
    "Please make sure someone over 18 is at home.",
    "Thanks for your patience, Daniel.",
    "Best regards,\nMarta",
]
OTHER_LANGUAGES = {
    "ru": ("Заказ пришёл сломанным!", "Приносим извинения за повреждённый товар. Мы уже отправили замену. Пожалуйста, позвоните в отдел доставки. Извините ещё раз."),
    "lv": ("Pasūtījums ir bojāts!", "Atvainojamies par bojāto preci. Mēs jau esam nosūtījuši jaunu. Lūdzu, sazinieties ar piegādes nodaļu. Vēlreiz atvainojamies."),
    "ar": ("الطلب وصل تالفا!", "نعتذر عن المنتج التالف. لقد أرسلنا بديلا بالفعل. يرجى الاتصال بقسم التوصيل. نعتذر مرة أخرى."),
    "hy": ("Պատվերը վնասված է հասել։", "Ներողություն ենք խնդրում վնասված ապրանքի համար։ Մենք արդեն ուղարկել ենք նորը։ Խնդրում ենք զանգահարել առաքման բաժին։ Կրկին ներողություն։"),
}


def draft_of(n: int) -> str:
    return " ".join(SENTENCES[:n]) if n > 1 else SENTENCES[1]


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q * (len(values) - 1))))
    return values[k]


def main() -> int:
    from proselint.checks import __register__
    from proselint.registry import CheckRegistry
    from proselint.tools import LintFile

    CheckRegistry().register_many(__register__)
    t0 = time.perf_counter()
    first = wording.check(draft_of(5), context=CONTEXT)
    print(f"engine: {first.engine.name}" + (f" ({first.engine.reason})" if first.engine.reason else ""))
    print(f"first check (loads everything): {(time.perf_counter() - t0) * 1000:.0f} ms")
    runs = int(os.environ.get("BENCH_RUNS", "40"))
    from wording.pipeline import clear_caches

    def cold(fn):  # type: ignore[no-untyped-def]
        def run():  # type: ignore[no-untyped-def]
            clear_caches()
            t0 = time.perf_counter()
            fn()
            return (time.perf_counter() - t0) * 1000

        return [run() for _ in range(runs)]

    print(f"\n{'draft':<14}{'check p50':>11}{'p95':>9}{'warm p50':>10}{'no-verify p50':>15}{'proselint p50':>15}{'ratio':>8}")
    for n in (1, 5, 20):
        draft = draft_of(n)
        for _ in range(3):
            wording.check(draft, context=CONTEXT)
            LintFile("bench", draft).lint()
        full = cold(lambda d=draft: wording.check(d, context=CONTEXT))
        warm = timed(lambda d=draft: wording.check(d, context=CONTEXT), runs)
        fast = cold(lambda d=draft: wording.check(d, context=CONTEXT, verify=False))
        peer = timed(lambda d=draft: LintFile("bench", d).lint(), runs)
        ratio = statistics.median(full) / statistics.median(peer)
        print(
            f"{n:>2} sentence{'s' if n > 1 else ' '}   {statistics.median(full):>8.1f} ms{pct(full, 0.95):>6.1f} ms"
            f"{statistics.median(warm):>7.1f} ms"
            f"{statistics.median(fast):>12.1f} ms{statistics.median(peer):>12.2f} ms{ratio:>7.0f}x"
        )
    batch = []
    for i in range(100):
        if i % 5 == 0:
            batch.append((draft_of(1 + i % 20), CONTEXT, "en"))
        else:
            lang = list(OTHER_LANGUAGES)[i % 4]
            batch.append((OTHER_LANGUAGES[lang][1], OTHER_LANGUAGES[lang][0], lang))
    t0 = time.perf_counter()
    for draft, ctx, lang in batch:
        clear_caches()  # every draft as if never seen (clearing costs microseconds)
        wording.check(draft, context=ctx, language=lang)
    elapsed = time.perf_counter() - t0
    print(f"\nbatch: {len(batch)} drafts (en, ru, lv, ar, hy) in {elapsed:.2f} s = {len(batch) / elapsed:.1f} drafts/s")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
