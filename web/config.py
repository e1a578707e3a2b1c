"""Server settings: defaults, then a YAML file, then environment variables, then the caller's mapping.

Everything is validated when the app is created; a bad value stops the server with a
:class:`~wording.errors.ConfigError` that names the file (or variable) and the key.

=========================  ============================  =================================================
setting                    environment variable          meaning
=========================  ============================  =================================================
``api_keys``               ``WORDING_API_KEYS``          ``{name: key}``; the env form is ``name=key,...``.
                                                         With keys set, the API needs one (the page
                                                         still works: it gets a short-lived token).
``rate_limit``             ``WORDING_RATE_LIMIT``        per key (or per address without a key),
                                                         e.g. ``120/minute``; ``key_limits`` overrides it
                                                         per key name.
``page_rate_limit``        (file only)                   the page's budget per address (it checks as the
                                                         agent types), ``600/minute``.
``cors_origins``           ``WORDING_CORS_ORIGINS``      origins allowed to call the API from a browser
                                                         (comma-separated in env); none by default.
``max_request_bytes``      ``WORDING_MAX_REQUEST_BYTES`` larger request bodies get 413.
``standards``              ``WORDING_STANDARDS``         the team standards file used by default.
``standards_sets``         (file only)                   ``{name: path}``; a request picks one by name.
``page``                   ``WORDING_PAGE``              serve the agents' page (``true``/``false``).
``proxy_hops``             ``WORDING_PROXY_HOPS``        trusted reverse proxies in front (X-Forwarded-For).
``secret_key``             ``WORDING_SECRET_KEY``        signs the page's tokens; random per start if unset.
``log_level``              ``WORDING_LOG_LEVEL``         ``DEBUG`` ... ``ERROR``.
=========================  ============================  =================================================

``WORDING_CONFIG`` names the YAML file when none is given. ``WORDING_MAX_CHARS`` (the longest draft)
and ``WORDING_ENGINE=hybrid`` (refuse to answer without the trained model) are read by the engine.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wording.errors import ConfigError

_ORIGIN = re.compile(r"^(https?://[A-Za-z0-9.-]+(:\d{1,5})?|\*)$")
_KEY_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_ENV: dict[str, str] = {
    "api_keys": "WORDING_API_KEYS",
    "rate_limit": "WORDING_RATE_LIMIT",
    "cors_origins": "WORDING_CORS_ORIGINS",
    "max_request_bytes": "WORDING_MAX_REQUEST_BYTES",
    "standards": "WORDING_STANDARDS",
    "page": "WORDING_PAGE",
    "proxy_hops": "WORDING_PROXY_HOPS",
    "secret_key": "WORDING_SECRET_KEY",
    "log_level": "WORDING_LOG_LEVEL",
}


def _rate(value: str) -> str:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a rate limit; write e.g. '120/minute' or '10/second;500/hour'"
        ) from None
    return value


class Settings(BaseModel):
    """The validated server settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_keys: dict[str, str] = Field(default_factory=dict)
    key_limits: dict[str, str] = Field(default_factory=dict)
    rate_limit: str = "120/minute"
    page_rate_limit: str = "600/minute"
    cors_origins: list[str] = Field(default_factory=list)
    max_request_bytes: int = Field(default=512 * 1024, ge=1024, le=64 * 1024 * 1024)
    standards: str | None = None
    standards_sets: dict[str, str] = Field(default_factory=dict)
    page: bool = True
    proxy_hops: int = Field(default=0, ge=0, le=5)
    secret_key: str | None = None
    log_level: str = "INFO"
    warm_up: bool = True

    @field_validator("api_keys")
    @classmethod
    def _keys(cls, value: dict[str, str]) -> dict[str, str]:
        seen: set[str] = set()
        for name, key in value.items():
            if not _KEY_NAME.match(name):
                raise ValueError(f"key name {name!r} must be 1-64 letters, digits, '_', '.' or '-'")
            if not isinstance(key, str) or len(key) < 16:
                raise ValueError(f"the key named {name!r} is shorter than 16 characters")
            if key in seen:
                raise ValueError(f"the key named {name!r} is the same as another key")
            seen.add(key)
        return value

    @field_validator("key_limits")
    @classmethod
    def _key_limits(cls, value: dict[str, str]) -> dict[str, str]:
        return {name: _rate(limit) for name, limit in value.items()}

    @field_validator("rate_limit", "page_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        return _rate(value)

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not _ORIGIN.match(origin):
                raise ValueError(
                    f"{origin!r} is not an origin; write e.g. 'https://acme.zendesk.com' (no path)"
                )
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError(f"{value!r} is not a log level (DEBUG, INFO, WARNING, ERROR)")
        return value

    @field_validator("standards_sets")
    @classmethod
    def _set_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _KEY_NAME.match(name):
                raise ValueError(f"standards set name {name!r} must be 1-64 letters, digits, '_', '.' or '-'")
        return value


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, var in _ENV.items():
        raw = environ.get(var)
        if raw is None or raw == "":
            continue
        if key == "api_keys":
            keys: dict[str, str] = {}
            for n, item in enumerate(p.strip() for p in raw.split(",") if p.strip()):
                name, sep, secret = item.partition("=")
                if not sep:
                    name, secret = f"key{n + 1}", item
                keys[name.strip()] = secret.strip()
            out[key] = keys
        elif key == "cors_origins":
            out[key] = [p.strip() for p in raw.split(",") if p.strip()]
        elif key == "page":
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ConfigError(f"{var}: {raw!r} is not true or false")
            out[key] = raw.lower() in ("1", "true", "yes", "on")
        elif key in ("max_request_bytes", "proxy_hops"):
            try:
                out[key] = int(raw)
            except ValueError:
                raise ConfigError(f"{var}: {raw!r} is not a whole number") from None
        else:
            out[key] = raw
    return out


def _from_file(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such settings file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read the settings file ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: the settings file must be a mapping of setting: value")
    base = p.resolve().parent
    # paths in a settings file are relative to it
    if isinstance(data.get("standards"), str):
        data["standards"] = str(base / data["standards"])
    if isinstance(data.get("standards_sets"), dict):
        data["standards_sets"] = {
            k: (str(base / v) if isinstance(v, str) else v) for k, v in data["standards_sets"].items()
        }
    return data


def load_settings(
    config: str | Path | Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Settings, dict[str, Any]]:
    """Settings from ``config`` (a YAML path or a mapping) over the environment over the defaults.

    Returns the settings and the Flask config overrides (upper-case keys of a mapping, e.g. TESTING).
    """
    environ = os.environ if environ is None else environ
    flask: dict[str, Any] = {}
    mapping: dict[str, Any] = {}
    path: str | Path | None = None
    if isinstance(config, Mapping):
        for key, value in config.items():
            if key.isupper():
                flask[key] = value
            else:
                mapping[key] = value
        path = mapping.pop("config_file", None)
    elif config is not None:
        path = config
    if path is None:
        path = environ.get("WORDING_CONFIG") or None
    data: dict[str, Any] = {}
    origin = "settings"
    if path is not None:
        data.update(_from_file(path))
        origin = str(path)
    data.update(_from_env(environ))
    data.update(mapping)
    try:
        return Settings.model_validate(data), flask
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            msg = "unknown setting" if err["type"] == "extra_forbidden" else err["msg"]
            var = _ENV.get(str(err["loc"][0])) if err["loc"] else None
            where = f" (or {var})" if var else ""
            problems.append(f"{origin}: {key}{where}: {msg}")
        raise ConfigError("invalid server settings\n" + "\n".join(problems)) from None
