"""The wheel carries every data file wording needs: built, unpacked elsewhere, and used from there."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        check=True,
        cwd=out,
    )
    (whl,) = out.glob("wording-*.whl")
    return whl


def test_wheel_contains_the_data_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for lang in ("en", "ru", "lv", "ar", "hy"):
        assert f"wording/data/standards/{lang}.yml" in names
    assert "wording/data/standards/00-checks.yml" in names
    # the evaluation tool (wording/twcs.py) ships; the twcs data (CC BY-NC-SA) must never
    assert not any("twcs" in n and not n.endswith(".py") for n in names), "the twcs data must never be shipped"
    assert not any(n.endswith(".csv") for n in names)


def test_unpacked_wheel_checks_a_draft_from_elsewhere(wheel, tmp_path):
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = (
        "import wording, sys; assert wording.__file__.startswith(sys.argv[1]), wording.__file__; "
        "r = wording.check('Sorry. So sorry. We apologize.', context='It broke!'); "
        "print(sorted({f.check for f in r.findings}))"
    )
    env = {**os.environ, "PYTHONPATH": str(target), "WORDING_ENGINE": "lexicon"}
    result = subprocess.run(
        [sys.executable, "-c", code, str(target)], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert "over_apology" in result.stdout
