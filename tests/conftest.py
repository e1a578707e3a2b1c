"""Shared test set-up. Nothing here may reach the network: models load from the pinned packages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
TWCS = SHARED / "data" / "twcs"


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    """The source articles (real text in lv, ar, ru, hy), or skip when shared/ is absent."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present beside the repository")
    return {p.name[:3]: p.read_text("utf-8") for p in sorted(SEEDS.glob("0*.txt"))}


@pytest.fixture
def lexicon_only(monkeypatch):
    """Run with the lexicon engine alone: for tests about what phrase lists change (a team's plan
    names), which the trained model may already catch by meaning."""
    from wording import pipeline

    monkeypatch.setenv("WORDING_ENGINE", "lexicon")
    pipeline._scorers.clear()
    yield
    pipeline._scorers.clear()
