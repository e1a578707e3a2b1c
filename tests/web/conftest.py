"""Fixtures for the web tests: the app, Flask's test client, a live server on a free port, Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `pytest` (not `python -m pytest`) does not put the checkout on the path
    sys.path.insert(0, str(ROOT))

from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from web import create_app  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

COMPLAINT_EN = (ROOT / "examples" / "drafts" / "complaint-en.txt").read_text("utf-8")
DRAFT_EN = (ROOT / "examples" / "drafts" / "reply-en.txt").read_text("utf-8")


@pytest.fixture(scope="session")
def app() -> Any:
    return create_app({"TESTING": True})


@pytest.fixture()
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture()
def make_client() -> Any:
    """A client for an app built with extra settings (the engine is already warm in this process)."""

    def build(**settings: Any) -> Any:
        return create_app({"TESTING": True, "warm_up": False, **settings}).test_client()

    return build


class QuietHandler(WSGIRequestHandler):
    """werkzeug's request log prints the query string; the live server logs nothing."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class LiveServer:
    def __init__(self, app: Any) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(app: Any) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `bash .ci/install-browser.sh` (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


# ------------------------------------------------------------------ gunicorn, started early in the background

GUNICORN_TEST = "test_gunicorn_serves_with_the_engine_preloaded"
GUNICORN_KEY = "integration-test-key-5d1e0b"
_gunicorn: dict[str, Any] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(tmp: Path) -> dict[str, Any]:
    """``wording serve`` with two workers and an API key, as a user would run it."""
    port = free_port()
    cfg = tmp / "server.yml"
    cfg.write_text(f"api_keys:\n  helpdesk: {GUNICORN_KEY}\n", "utf-8")
    log = open(tmp / "server.log", "w+", encoding="utf-8")  # noqa: SIM115 - closed at session end
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wording.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--config",
            str(cfg),
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return {"proc": proc, "port": port, "log": log, "url": f"http://127.0.0.1:{port}"}


def pytest_collection_finish(session: pytest.Session) -> None:
    # the server loads the engine for tens of seconds: start it now, so it warms while other tests run
    if any(item.name == GUNICORN_TEST for item in session.items):
        import tempfile

        _gunicorn.update(start_gunicorn(Path(tempfile.mkdtemp(prefix="wording-serve-"))))


def pytest_sessionfinish(session: pytest.Session) -> None:
    proc = _gunicorn.get("proc")
    if proc is not None and proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=60)
    if _gunicorn.get("log"):
        _gunicorn["log"].close()


@pytest.fixture(scope="session")
def gunicorn_server(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not _gunicorn:
        _gunicorn.update(start_gunicorn(tmp_path_factory.mktemp("serve")))
    return _gunicorn
