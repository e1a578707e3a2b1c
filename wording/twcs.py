"""``python -m wording.twcs``: the checks over real brand replies (Customer Support on Twitter samples).

Reads ``../shared/data/twcs/`` beside the repository (or ``--dir``); the data is CC BY-NC-SA and is
never copied into the repository: this prints statistics, and with ``--review N`` a seeded sample of
flagged replies to stdout for a person to judge (docs/quality.md records the verdicts by tweet id).

Replies whose customer tweet is in the file are checked with it as context; the rest with the context
inferred from the reply. Replies in other languages are counted as refused, not checked.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections import Counter
from pathlib import Path

from .errors import WordingError
from .types import CheckId

DEFAULT_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "twcs"


def load_pairs(root: Path) -> list[dict[str, str | None]]:
    """Brand replies with their customer tweet where the file has it."""
    out: list[dict[str, str | None]] = []
    seen: set[str] = set()
    for name in ("twcs_head.csv", "twcs_small.csv"):
        path = root / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        by_id = {r["tweet_id"]: r for r in rows}
        for r in rows:
            if r["inbound"] != "False" or r["tweet_id"] in seen:
                continue
            seen.add(r["tweet_id"])
            parent_id = (r.get("in_response_to_tweet_id") or "").split(".")[0]
            parent = by_id.get(parent_id)
            out.append(
                {
                    "id": r["tweet_id"],
                    "brand": r["author_id"],
                    "reply": r["text"],
                    "context": parent["text"] if parent and parent["inbound"] == "True" else None,
                    "file": name,
                }
            )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m wording.twcs", description=__doc__)
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--limit", type=int, default=0, help="check at most this many replies (0: all)")
    ap.add_argument("--review", type=int, default=0, help="print this many flagged replies for review")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--ids", default="", help="comma-separated tweet ids: what fires on these (re-review)")
    args = ap.parse_args(argv)
    if not args.dir.is_dir():
        print(f"twcs data not found at {args.dir}; skipping (it is evaluation material kept outside the repo)")
        return 0
    from .pipeline import check

    pairs = load_pairs(args.dir)
    wanted = {i.strip() for i in args.ids.split(",") if i.strip()}
    if wanted:  # re-review: only these tweets, one line each
        pairs = [pair for pair in pairs if pair["id"] in wanted]
    if args.limit:
        pairs = pairs[: args.limit]
    fired: Counter[str] = Counter()
    fired_ctx: Counter[str] = Counter()
    complaint_replies = 0
    with_context = 0
    refused: Counter[str] = Counter()
    flagged: list[tuple[dict[str, str | None], list[str], str]] = []
    engine = None
    for pair in pairs:
        try:
            report = check(pair["reply"] or "", context=pair["context"], verify=False)
        except WordingError as exc:
            refused[exc.code] += 1
            if wanted:
                print(f"[{pair['id']}] refused: {exc.code}")
            continue
        engine = report.engine.name
        checks = sorted({f.check for f in report.findings})
        if wanted:
            fired_here = ",".join(checks) or "-"
            print(f"[{pair['id']}] {pair['brand']}  context={report.context.type}  checks={fired_here}")
            continue
        if pair["context"]:
            with_context += 1
            if report.context.type == "complaint":
                complaint_replies += 1
                fired_ctx.update(checks)
        fired.update(checks)
        if checks:
            flagged.append((pair, checks, report.context.type))
    if wanted:
        return 0
    checked = len(pairs) - sum(refused.values())
    print(f"engine: {engine}; brand replies: {len(pairs)}; checked: {checked}; refused: {dict(refused)}")
    print(f"with the customer's tweet as context: {with_context}; of those classified complaint: {complaint_replies}")
    print(f"\n{'check':<26}{'all checked':>18}{'complaint replies':>20}")
    for c in CheckId:
        a = fired[str(c)]
        b = fired_ctx[str(c)]
        print(f"{c:<26}{a:>8} = {a / max(checked, 1):>6.1%}{b:>10} = {b / max(complaint_replies, 1):>6.1%}")
    print(f"{'any finding':<26}{len(flagged):>8} = {len(flagged) / max(checked, 1):>6.1%}")
    if args.review:
        rng = random.Random(args.seed)
        sample = rng.sample(flagged, min(args.review, len(flagged)))
        print(f"\n--- {len(sample)} flagged replies for hand review (seed {args.seed}); do not copy into the repo ---")
        for pair, checks, ctype in sample:
            print(f"\n[{pair['id']}] {pair['brand']}  context={ctype}  checks={','.join(checks)}")
            if pair["context"]:
                print(f"  customer: {pair['context']}")
            print(f"  reply:    {pair['reply']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
