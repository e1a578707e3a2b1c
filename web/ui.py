"""The agents' page (blueprint ``ui`` at ``/``): one HTML page, its CSS and JavaScript served locally."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, make_response, render_template

import wording

from .security import PAGE_HEADER, page_token

bp = Blueprint("ui", __name__)

# everything the page needs comes from this server; nothing inline, nothing from a CDN
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)


@bp.get("/")
def index() -> Response:
    engine = current_app.extensions["wording_engine"]
    resp = make_response(
        render_template(
            "index.html",
            version=wording.__version__,
            token=page_token(),
            token_header=PAGE_HEADER,
            standards=sorted(engine.sets),
        )
    )
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/favicon.ico")
def favicon() -> Response:
    return current_app.send_static_file("favicon.svg")
