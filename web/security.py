"""API keys, the page's token, rate limits and CORS.

* Keys come from the settings (``api_keys: {name: key}``). A request presents one as
  ``Authorization: Bearer <key>``, ``X-API-Key: <key>``, or (LanguageTool clients) the ``apiKey`` form
  field. Every configured key is compared with :func:`hmac.compare_digest` over SHA-256 digests, all of
  them every time, so neither the comparison nor the loop leaks where a guess went wrong.
* With keys configured, the agents' page still works: it is served with a short-lived signed token
  (``X-Wording-Page``), limited per address like an anonymous client. Turn the page off
  (``page: false``) where only keyed clients may use the server.
* Rate limits (flask-limiter, in-memory storage) are per key name, or per client address without a key.
  Each gunicorn worker counts separately, so the effective limit is up to ``workers`` times the setting.
* CORS (flask-cors) answers only the configured origins.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import Flask, current_app, g, request
from flask_cors import CORS
from flask_limiter import Limiter
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .config import Settings
from .errors import ApiError

PAGE_HEADER = "X-Wording-Page"
PAGE_TOKEN_SECONDS = 12 * 3600
OPEN_PATHS = ("/api/v1/health", "/api/v1/openapi.json")


@dataclass(frozen=True)
class Client:
    kind: str  # "key", "page" or "anonymous"
    name: str  # key name, or the client's address

    @property
    def bucket(self) -> str:
        return f"{self.kind}:{self.name}"


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


class Keys:
    def __init__(self, keys: dict[str, str]) -> None:
        self._keys = [(name, _digest(key)) for name, key in keys.items()]

    def __bool__(self) -> bool:
        return bool(self._keys)

    def match(self, presented: str) -> str | None:
        probe = _digest(presented)
        found = None
        for name, digest in self._keys:
            if hmac.compare_digest(probe, digest) and found is None:
                found = name
        return found


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="wording-page")


def page_token() -> str:
    return str(_serializer(current_app.config["SECRET_KEY"]).dumps("page"))


def _page_ok(token: str) -> bool:
    try:
        _serializer(current_app.config["SECRET_KEY"]).loads(token, max_age=PAGE_TOKEN_SECONDS)
    except BadSignature:
        return False
    return True


def _presented() -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    if request.headers.get("X-API-Key"):
        return request.headers["X-API-Key"].strip()
    if request.path.startswith("/v2/") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        key = request.form.get("apiKey")
        if key:
            return key.strip()
    return None


def client() -> Client:
    """Who is calling (cached on ``g``); never raises."""
    cached = getattr(g, "wording_client", None)
    if cached is not None:
        return cached
    keys: Keys = current_app.extensions["wording_keys"]
    address = request.remote_addr or "unknown"
    found: Client = Client("anonymous", address)
    presented = _presented() if keys else None
    if presented:
        name = keys.match(presented)
        if name is not None:
            found = Client("key", name)
        else:
            g.wording_bad_key = True
    elif keys and request.headers.get(PAGE_HEADER) and _page_ok(request.headers[PAGE_HEADER]):
        found = Client("page", address)
    g.wording_client = found
    return found


def authenticate() -> None:
    """before_request: with keys configured, the API needs a valid key (or the page's token)."""
    if request.method == "OPTIONS" or not request.path.startswith(("/api/", "/v2/")):
        return
    if request.path in OPEN_PATHS:
        return
    keys: Keys = current_app.extensions["wording_keys"]
    if not keys:
        return
    who = client()
    if who.kind in ("key", "page"):
        return
    if getattr(g, "wording_bad_key", False):
        raise ApiError(403, "forbidden", "the API key is not valid")
    raise ApiError(
        401,
        "unauthorized",
        "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
        headers={"WWW-Authenticate": 'Bearer realm="wording"'},
    )


def _limit() -> str:
    settings: Settings = current_app.extensions["wording_settings"]
    who = client()
    if who.kind == "key":
        return settings.key_limits.get(who.name, settings.rate_limit)
    if who.kind == "page":
        return settings.page_rate_limit
    return settings.rate_limit


def _exempt() -> bool:
    return request.method == "OPTIONS" or request.path in OPEN_PATHS


def install(app: Flask, settings: Settings) -> Limiter:
    app.extensions["wording_keys"] = Keys(settings.api_keys)
    limiter = Limiter(
        key_func=lambda: client().bucket,
        app=app,
        storage_uri="memory://",
        headers_enabled=True,
        strategy="moving-window",
        key_prefix="wording",
    )
    app.before_request(authenticate)
    if settings.cors_origins:
        CORS(
            app,
            resources={r"/api/*": {}, r"/v2/*": {}},
            origins=settings.cors_origins,
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
            expose_headers=["Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"],
            methods=["GET", "POST", "OPTIONS"],
            max_age=600,
            supports_credentials=False,
        )
    return limiter


def limit(limiter: Limiter):  # type: ignore[no-untyped-def]
    """The decorator for the API blueprints: one budget per client across /api/v1 and /v2."""
    return limiter.shared_limit(_limit, scope="api", exempt_when=_exempt)
