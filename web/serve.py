"""``wording serve``: the app under gunicorn, the model loaded once and shared by the workers.

The app is created in the gunicorn master (``preload_app``), which also checks a fixed sentence so
that the language detector, the sentence splitter and the model are in memory before the workers
fork; the workers share those pages copy-on-write instead of loading them each. Settings are
validated before anything starts, so a bad settings file stops the server with one clear line.

The access log records method, path (never the query string), status, size and time: no customer
text can reach it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class WordingServer(BaseApplication):  # type: ignore[misc]
    """gunicorn, configured in code, serving an app built before the workers fork."""

    def __init__(self, app: Any, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application


def _post_fork(server: Any, worker: Any) -> None:
    """Each worker gets its share of the cores for the model's thread pool (unless
    ``WORDING_TORCH_THREADS`` says otherwise), so the workers do not oversubscribe the machine."""
    if os.environ.get("WORDING_TORCH_THREADS") or "torch" not in sys.modules:
        return
    import torch

    workers = max(1, int(server.cfg.workers))
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // workers))


def options(host: str, port: int, workers: int, log_level: str = "info") -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 2,
        "preload_app": True,
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "loglevel": log_level.lower(),
        "post_fork": _post_fork,
        "proc_name": "wording",
        "limit_request_line": 8190,
        "forwarded_allow_ips": "127.0.0.1",
    }


def run(
    host: str = "127.0.0.1", port: int = 8080, workers: int = 1, config: str | Path | None = None
) -> None:
    """Validate the settings, load the engine in this (master) process, then serve with gunicorn."""
    import logging

    from . import create_app

    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s")
    app = create_app(config)  # raises ConfigError before anything listens; warms the engine here
    settings = app.extensions["wording_settings"]
    url_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    print(f"wording: serving http://{url_host}:{port}/ with {workers} worker(s)", file=sys.stderr, flush=True)
    WordingServer(app, options(host, port, workers, settings.log_level)).run()
