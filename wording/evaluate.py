"""``python -m wording.evaluate``: precision, recall and F1 of every check on the golden cases.

Golden cases live in ``tests/cases/<lang>/*.yml`` (format: tests/cases/README.md). A case is scored by
the set of check ids the report raises against the set it expects. Prints one table per engine asked
for, per language and per check, plus the share of clean drafts (no expected finding) with a false alarm.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .types import LANGUAGES, CheckId

CASES_DIR = Path(__file__).resolve().parent.parent / "tests" / "cases"


@dataclass(frozen=True)
class Case:
    id: str
    language: str
    draft: str
    context: str | None
    goal: str
    expect: frozenset[str]
    rewrite: dict[str, Any]
    marker_free: bool
    xfail: str | None
    path: str


def load_cases(root: Path = CASES_DIR, languages: Iterable[str] = LANGUAGES) -> list[Case]:
    out: list[Case] = []
    for lang in languages:
        for path in sorted((root / lang).glob("*.yml")):
            for raw in yaml.safe_load(path.read_text("utf-8")) or []:
                unknown = set(raw.get("expect", [])) - set(CheckId)
                if unknown:
                    raise ValueError(f"{path}: case {raw.get('id')}: unknown check ids {sorted(unknown)}")
                out.append(
                    Case(
                        id=str(raw["id"]),
                        language=lang,
                        draft=raw["draft"],
                        context=raw.get("context"),
                        goal=raw.get("goal", "satisfaction"),
                        expect=frozenset(raw.get("expect", [])),
                        rewrite=raw.get("rewrite") or {},
                        marker_free=bool(raw.get("marker_free", False)),
                        xfail=raw.get("xfail"),
                        path=str(path),
                    )
                )
    return out


def run_case(case: Case, **kwargs: Any) -> set[str]:
    from .pipeline import check

    report = check(case.draft, context=case.context, language=case.language, goal=case.goal, **kwargs)  # type: ignore[arg-type]
    return {f.check for f in report.findings}


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(cases: list[Case]) -> dict[str, Any]:
    per: dict[tuple[str, str], Scores] = defaultdict(Scores)
    clean = defaultdict(lambda: [0, 0])  # lang -> [clean drafts, with a false alarm]
    marker = defaultdict(lambda: [0, 0])  # lang -> [marker-free cases, exactly right]
    wrong: list[tuple[Case, set[str]]] = []
    for case in cases:
        got = run_case(case)
        for check in CheckId:
            c = str(check)
            s = per[(case.language, c)]
            if c in got and c in case.expect:
                s.tp += 1
            elif c in got:
                s.fp += 1
            elif c in case.expect:
                s.fn += 1
        if not case.expect:
            clean[case.language][0] += 1
            clean[case.language][1] += bool(got)
        if case.marker_free:
            marker[case.language][0] += 1
            marker[case.language][1] += got == set(case.expect)
        if got != set(case.expect):
            wrong.append((case, got))
    return {"per": per, "clean": clean, "marker": marker, "wrong": wrong}


def format_table(result: dict[str, Any], languages: Iterable[str]) -> str:
    per = result["per"]
    lines = []
    header = f"{'check':<26}" + "".join(f"{lang:>16}" for lang in languages)
    lines.append(header)
    lines.append(f"{'':<26}" + "".join(f"{'P/R/F1':>16}" for _ in languages))
    for check in CheckId:
        row = f"{check:<26}"
        for lang in languages:
            s = per.get((lang, str(check)))
            if s is None or s.tp + s.fp + s.fn == 0:
                row += f"{'n/a':>16}"
            else:
                row += f"{s.precision:>5.2f}/{s.recall:.2f}/{s.f1:.2f}".rjust(16)
        lines.append(row)
    row = f"{'false alarms, clean drafts':<26}"
    for lang in languages:
        n, bad = result["clean"].get(lang, [0, 0])
        row += (f"{bad}/{n} = {bad / n:.0%}" if n else "n/a").rjust(16)
    lines.append(row)
    row = f"{'marker-free cases right':<26}"
    for lang in languages:
        n, ok = result["marker"].get(lang, [0, 0])
        row += (f"{ok}/{n}" if n else "n/a").rjust(16)
    lines.append(row)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m wording.evaluate", description=__doc__)
    ap.add_argument("--cases", type=Path, default=CASES_DIR)
    ap.add_argument("--lang", action="append", choices=LANGUAGES, help="only these languages")
    ap.add_argument("--engine", action="append", choices=["lexicon", "hybrid"], help="engines to compare")
    ap.add_argument("--show-wrong", action="store_true", help="list the cases the checks get wrong")
    args = ap.parse_args(argv)
    languages = args.lang or [lang for lang in LANGUAGES if (args.cases / lang).is_dir()]
    cases = load_cases(args.cases, languages)
    print(f"{len(cases)} golden cases in {', '.join(languages)}")
    for engine in args.engine or ["lexicon", "hybrid"]:
        os.environ["WORDING_ENGINE"] = engine
        from . import pipeline

        pipeline._scorers.clear()
        result = evaluate(cases)
        used = {pipeline.check("Hello.", language="en").engine.name}
        print(f"\n== engine: {engine} (report says: {', '.join(sorted(used))})")
        print(format_table(result, languages))
        if args.show_wrong:
            for case, got in result["wrong"]:
                print(f"  WRONG {case.id} ({case.path}): expected {sorted(case.expect)}, got {sorted(got)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
