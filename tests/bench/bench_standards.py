"""Benchmark: what team standards cost. Check latency with the default standards and with the telecom
example (examples/standards/telecom.yml: 6 rules, team cues in two languages), side by side in one run,
and the time to load a standards file.

    .venv/bin/python tests/bench/bench_standards.py        (or: make bench)

For English drafts of 1, 5 and 20 sentences answering a complaint, the two standards are timed in
alternation (the order swaps every round, so drift and noise from other processes fall on both), each
call on a never-seen draft (caches cleared before it) with the verifying second pass, as the API runs
it. Printed: the median of each, their ratio, and the median of the paired differences (telecom minus
default, same round). Then the load times: the telecom file over already-loaded defaults (what a server
pays per named set at start-up), the defaults themselves from cold, and ``lint`` (which also runs every
example). Standards are loaded once and passed as an object, as the server and the CLI do; nothing is
loaded per request. BENCH_RUNS sets the rounds (default 40).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import wording  # noqa: E402
from wording import rules as rules_mod  # noqa: E402
from wording import standards as standards_mod  # noqa: E402
from wording.pipeline import clear_caches  # noqa: E402
from wording.standards_tools import lint  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TELECOM = ROOT / "examples" / "standards" / "telecom.yml"
CONTEXT = "My Fiber Max connection has dropped every evening for a week and nobody has fixed it!"
SENTENCES = [
    "Hi Jonas,",
    "I've booked an engineer for Thursday morning.",
    "I'm so sorry the connection keeps dropping while you work.",
    "As per our policy, we can only credit the month once the fault is confirmed.",
    "There is a network fault on your street, and our engineers are working on it.",
    "Unfortunately, the replacement router cannot ship before Wednesday.",
    "Good news: the line test shows your own equipment is fine.",
    "Please contact our billing department on 0800 555 0101 about the credit.",
    "Could you restart the router tonight?",
    "Is the light on the front green?",
    "Which room is the router in?",
    "We apologise for the inconvenience this has caused.",
    "While you wait, why not try Premium 5G as a backup for 5 euros a month?",
    "Your ticket NL-204518 is open with our network team.",
    "You can follow the repair at nordlink.example/status.",
    "I understand how frustrating it is to lose your connection during calls.",
    "I have credited 10 euros to your account for the lost days.",
    "The engineer will call you 30 minutes before arriving.",
    "Sorry again for all the trouble.",
    "Best regards,\nIlze",
]


def draft_of(n: int) -> str:
    return " ".join(SENTENCES[:n]) if n > 1 else SENTENCES[2]


def ms(fn) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def capture_analysis(draft: str, std: wording.Standards):  # type: ignore[no-untyped-def]
    """The Analysis a check builds for ``draft`` (caught on its way into the rules)."""
    seen = []
    original = rules_mod.run_rules

    def spy(a):  # type: ignore[no-untyped-def]
        seen.append(a)
        return original(a)

    rules_mod.run_rules = spy
    try:
        wording.check(draft, context=CONTEXT, standards=std, verify=False)
    finally:
        rules_mod.run_rules = original
    return seen[0]


def main() -> int:
    runs = int(os.environ.get("BENCH_RUNS", "40"))
    default = wording.default_standards()
    telecom = wording.load_standards(TELECOM)
    first = wording.check(draft_of(5), context=CONTEXT, standards=telecom)
    print(f"engine: {first.engine.name}" + (f" ({first.engine.reason})" if first.engine.reason else ""))
    print(f"standards: default ({len(default.rules)} rules) vs {telecom.name} ({len(telecom.rules)} rules)")
    print(f"rounds: {runs}, each call on a never-seen draft\n")
    header = f"{'draft':<14}{'default p50':>13}{'telecom p50':>13}{'ratio':>8}{'paired diff p50':>18}"
    named = {"default": default, "telecom": telecom}
    for verify in (True, False):
        title = "with the verifying pass (as the API runs)" if verify else "without the verifying pass"
        print(title)
        print(header + (f"{'findings d/t':>14}" if verify else ""))
        for n in (1, 5, 20):
            draft = draft_of(n)
            for std in named.values():  # warm-up: the scorer per standards object, spaCy, lingua
                for _ in range(3):
                    wording.check(draft, context=CONTEXT, standards=std, verify=verify)
            times: dict[str, list[float]] = {"default": [], "telecom": []}
            for r in range(runs):
                order = ("default", "telecom") if r % 2 == 0 else ("telecom", "default")
                for name in order:
                    clear_caches()
                    std = named[name]
                    times[name].append(
                        ms(
                            lambda s=std, d=draft, v=verify: wording.check(
                                d, context=CONTEXT, standards=s, verify=v
                            )
                        )
                    )
            d, t = statistics.median(times["default"]), statistics.median(times["telecom"])
            diff = statistics.median(b - a for a, b in zip(times["default"], times["telecom"], strict=True))
            label = f"{n:>2} sentence{'s' if n > 1 else ' '}"
            line = f"{label:<14}{d:>10.1f} ms{t:>10.1f} ms{t / d:>7.2f}x{diff:>+14.2f} ms"
            if verify:
                n_d = len(wording.check(draft, context=CONTEXT, standards=default).findings)
                n_t = len(wording.check(draft, context=CONTEXT, standards=telecom).findings)
                line += f"{n_d:>8}/{n_t}"
            print(line)
        print()
    print(
        "A standards set that finds more problems changes the rewrite more often, and a changed rewrite is\n"
        "checked again (the verifying pass): that, not the rules themselves, is most of any difference above."
    )

    print("\nthe telecom rules alone (run_rules over an analysed draft, 200 calls):")
    for n in (1, 5, 20):
        analysis = capture_analysis(draft_of(n), telecom)
        per_call = [ms(lambda a=analysis: rules_mod.run_rules(a)) for _ in range(200)]
        print(f"  {n:>2} sentence{'s' if n > 1 else ' '}: p50 {statistics.median(per_call) * 1000:.0f} µs")

    print("\nloading")
    load = [ms(lambda: wording.load_standards(TELECOM)) for _ in range(max(5, runs // 2))]
    print(f"  telecom.yml over loaded defaults: p50 {statistics.median(load):.1f} ms")
    cold = []
    for _ in range(5):
        standards_mod._default_data.cache_clear()
        standards_mod.default_standards.cache_clear()
        cold.append(ms(standards_mod.default_standards))
    print(f"  the defaults, from cold (all packs): p50 {statistics.median(cold):.1f} ms")
    t0 = time.perf_counter()
    ok, problems = lint(TELECOM)
    took = (time.perf_counter() - t0) * 1000
    print(f"  lint telecom.yml (validate + run every example): {took:.0f} ms, ok={ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
