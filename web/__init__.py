"""wording's web app: the agents' page and the HTTP API for helpdesk plugins.

    from web import create_app
    app = create_app()                      # settings from WORDING_CONFIG / WORDING_* variables
    app = create_app("server.yml")          # or a settings file
    app = create_app({"api_keys": {...}})   # or a mapping (upper-case keys go to Flask's config)

Blueprints: ``ui`` (``/``), ``api`` (``/api/v1``), ``languagetool`` (``/v2``). ``wording serve`` runs
the app under gunicorn (:mod:`web.serve`). Drafts and customer messages never reach a log: the request
log has method, path (no query string), status, time and the caller's key name only.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from . import errors, security
from .config import Settings, load_settings
from .engine import Engine

__all__ = ["Settings", "create_app"]

log = logging.getLogger("wording.web")


def create_app(config: str | Path | Mapping[str, Any] | None = None) -> Flask:
    """Build the app. Raises :class:`wording.errors.ConfigError` for invalid settings."""
    settings, flask_config = load_settings(config)
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        SECRET_KEY=settings.secret_key or secrets.token_urlsafe(32),
    )
    app.config.update(flask_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    logging.getLogger("wording").setLevel(settings.log_level)
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)  # type: ignore[method-assign]

    engine = Engine.from_settings(settings)
    app.extensions["wording_settings"] = settings
    app.extensions["wording_engine"] = engine

    limiter = security.install(app, settings)
    errors.register(app)

    from . import api, languagetool, ui

    limit = security.limit(limiter)
    limit(api.bp)
    limit(languagetool.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(languagetool.bp)
    if settings.page:
        app.register_blueprint(ui.bp)

    @app.before_request
    def _start() -> None:
        g.wording_started = time.perf_counter()

    @app.after_request
    def _log(resp: Response) -> Response:
        started = getattr(g, "wording_started", None)
        ms = (time.perf_counter() - started) * 1000 if started else 0.0
        who = getattr(g, "wording_client", None)
        caller = (
            f"{who.kind}:{who.name}" if who is not None and who.kind == "key" else (who.kind if who else "-")
        )
        # never the query string or the body: they can carry the customer's words
        log.info("%s %s %s %.1fms %s", request.method, request.path, resp.status_code, ms, caller)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        return resp

    if settings.warm_up:
        engine.warm()
    return app
