"""``wording serve``: gunicorn with the engine loaded once in the master, settings validated first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from conftest import COMPLAINT_EN, DRAFT_EN, GUNICORN_KEY, ROOT, free_port


def call(url: str, body: dict[str, Any] | None = None, key: str | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    if data:
        req.add_header("Content-Type", "application/json")
    if key:
        req.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def serve(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "wording.cli", "serve", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_bad_settings_stop_the_server_before_it_listens(tmp_path: Path) -> None:
    cfg = tmp_path / "server.yml"
    cfg.write_text("rate_limit: plenty\n", "utf-8")
    proc = serve(["--port", str(free_port()), "--config", str(cfg)])
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 3
    assert "config_error" in out and "rate_limit" in out
    assert "Traceback" not in out


def test_gunicorn_serves_with_the_engine_preloaded(gunicorn_server: dict[str, Any]) -> None:
    proc = gunicorn_server["proc"]
    base = gunicorn_server["url"]
    port = gunicorn_server["port"]
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                gunicorn_server["log"].seek(0)
                pytest.fail(f"the server exited with {proc.returncode}: {gunicorn_server['log'].read()}")
            try:
                status, health = call(f"{base}/api/v1/health")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail("the server did not start in 300 s")
                time.sleep(1)
        assert status == 200 and health["result"]["auth"] is True
        status, body = call(f"{base}/api/v1/check", {"draft": DRAFT_EN, "context": COMPLAINT_EN})
        assert status == 401
        # several requests, so both workers answer; each answers at once, the model is already there
        for _ in range(4):
            started = time.monotonic()
            status, body = call(
                f"{base}/api/v1/check?trace=QueryMarker",
                {"draft": DRAFT_EN, "context": COMPLAINT_EN},
                GUNICORN_KEY,
            )
            assert status == 200
            assert {f["check"] for f in body["result"]["findings"]} >= {"over_apology", "promo_clash"}
            assert time.monotonic() - started < 30
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    gunicorn_server["log"].seek(0)
    out = gunicorn_server["log"].read()
    lines = out.splitlines()
    ready = next(i for i, line in enumerate(lines) if "engine ready" in line)
    booted = [i for i, line in enumerate(lines) if "Booting worker" in line]
    assert len(booted) == 2 and ready < min(booted)  # loaded in the master, before the fork
    assert sum("engine ready" in line for line in lines) == 1  # and only there
    assert f"serving http://127.0.0.1:{port}/" in out
    # the access log: path and status, never the query string, the body or the key
    assert any('"POST /api/v1/check" 200' in line for line in lines)
    assert (
        "QueryMarker" not in out and "Marta" not in out and "WM-20931" not in out and GUNICORN_KEY not in out
    )
