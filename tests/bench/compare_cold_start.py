"""Warm-cache cold start of two source trees, side by side (not part of ``make bench``).

    git worktree add /tmp/old <commit>
    .venv/bin/python tests/bench/compare_cold_start.py /tmp/old . [runs]

Each run starts a fresh interpreter in each tree in turn (``import wording`` + a first check with a
customer message, hybrid engine, the converted-model cache warm) and times it from outside; the trees
alternate so that both see the same machine load. Prints the medians and their ratio.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

CODE = (
    "import wording; r = wording.check('Sorry for the delay. Your refund went through today.', "
    "context='Where is my refund?'); assert r.engine.name == 'hybrid', r.engine.reason"
)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    trees, runs = argv[:2], int(argv[2]) if len(argv) > 2 else 5
    times: dict[str, list[float]] = {t: [] for t in trees}
    for _ in range(runs):
        for tree in trees:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", CODE], cwd=tree, check=True, capture_output=True)
            times[tree].append(time.perf_counter() - t0)
    for tree in trees:
        runs_s = [round(x, 1) for x in times[tree]]
        print(f"{tree}: median {statistics.median(times[tree]):.1f} s, runs {runs_s}")
    ratio = statistics.median(times[trees[1]]) / statistics.median(times[trees[0]])
    print(f"second / first: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
