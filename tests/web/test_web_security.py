"""Settings validation, API keys, the page token, CORS, rate limits, and logs that never hold
customer text."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from conftest import COMPLAINT_EN, DRAFT_EN

from web import create_app
from web.config import load_settings
from wording.errors import ConfigError

KEY_A = "acme-zendesk-3f9c2b7e8d1a"
KEY_B = "front-plugin-77aa0c4e19b2"


# -------------------------------------------------------------------------------------------- settings


def test_settings_file_then_env_then_mapping(tmp_path: Any) -> None:
    cfg = tmp_path / "server.yml"
    cfg.write_text(
        "rate_limit: 10/minute\ncors_origins: ['https://acme.zendesk.com']\npage: false\n", "utf-8"
    )
    settings, flask = load_settings(cfg, environ={"WORDING_RATE_LIMIT": "20/minute"})
    assert settings.rate_limit == "20/minute"  # env beats the file
    assert settings.cors_origins == ["https://acme.zendesk.com"]
    assert settings.page is False
    settings, flask = load_settings(
        {"config_file": str(cfg), "rate_limit": "5/second", "TESTING": True}, environ={}
    )
    assert settings.rate_limit == "5/second" and flask == {"TESTING": True}
    settings, _ = load_settings(
        None, environ={"WORDING_API_KEYS": f"zendesk={KEY_A},{KEY_B}", "WORDING_PAGE": "off"}
    )
    assert settings.api_keys == {"zendesk": KEY_A, "key2": KEY_B}
    assert settings.page is False


@pytest.mark.parametrize(
    ("text", "env", "needle"),
    [
        ("rate_limit: lots\n", {}, "rate_limit"),
        ("cors_origins: ['acme.zendesk.com/path']\n", {}, "cors_origins"),
        ("api_keys: {zendesk: short}\n", {}, "shorter than 16"),
        ("colour: teal\n", {}, "unknown setting"),
        ("max_request_bytes: 10\n", {}, "max_request_bytes"),
        ("- a\n- b\n", {}, "mapping"),
        ("rate_limit: [unclosed\n", {}, "not valid YAML"),
        ("", {"WORDING_MAX_REQUEST_BYTES": "big"}, "WORDING_MAX_REQUEST_BYTES"),
        ("", {"WORDING_PAGE": "maybe"}, "WORDING_PAGE"),
        ("standards: missing-team.yml\n", {}, "missing-team.yml"),
        ("standards_sets: {billing-team: nowhere.yml}\n", {}, "nowhere.yml"),
    ],
)
def test_bad_settings_stop_the_server_with_a_clear_message(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, text: str, env: dict[str, str], needle: str
) -> None:
    cfg = tmp_path / "server.yml"
    cfg.write_text(text, "utf-8")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(ConfigError) as info:
        create_app({"config_file": str(cfg), "warm_up": False})
    assert needle in str(info.value)
    assert "Traceback" not in str(info.value)


def test_missing_settings_file(tmp_path: Any) -> None:
    with pytest.raises(ConfigError, match="no such settings file"):
        create_app(tmp_path / "nope.yml")


def test_standards_sets_are_served_by_name(tmp_path: Any) -> None:
    team = tmp_path / "billing.yml"
    team.write_text("version: 1\nname: billing-team\nchecks:\n  promo_clash:\n    enabled: false\n", "utf-8")
    cfg = tmp_path / "server.yml"
    cfg.write_text("standards_sets:\n  billing-team: billing.yml\n", "utf-8")  # relative to the settings file
    client = create_app({"config_file": str(cfg), "warm_up": False}).test_client()
    assert client.get("/api/v1/health").get_json()["result"]["standards"] == ["billing-team", "default"]
    body = {"draft": DRAFT_EN, "context": COMPLAINT_EN}
    default = client.post("/api/v1/check", json=body).get_json()["result"]
    team_report = client.post("/api/v1/check", json={**body, "standards": "billing-team"}).get_json()[
        "result"
    ]
    assert default["standards"] == "default"
    assert team_report["standards"] == "billing-team"
    assert "promo_clash" in {f["check"] for f in default["findings"]}
    assert "promo_clash" not in {f["check"] for f in team_report["findings"]}


# -------------------------------------------------------------------------------------------- API keys


@pytest.fixture(scope="module")
def keyed() -> Any:
    return create_app(
        {
            "TESTING": True,
            "warm_up": False,
            "api_keys": {"zendesk": KEY_A, "front": KEY_B},
            "rate_limit": "1000/minute",
        }
    )


def test_keys_are_required_when_configured(keyed: Any) -> None:
    c = keyed.test_client()
    body = {"draft": "Sorry. Sorry again."}
    resp = c.post("/api/v1/check", json=body)
    assert resp.status_code == 401
    assert resp.get_json()["error"]["code"] == "unauthorized"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    resp = c.post("/api/v1/check", json=body, headers={"Authorization": "Bearer not-the-key-at-all"})
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "forbidden"
    assert c.post("/api/v1/check", json=body, headers={"Authorization": f"Bearer {KEY_A}"}).status_code == 200
    assert c.post("/api/v1/check", json=body, headers={"X-API-Key": KEY_B}).status_code == 200
    # LanguageTool clients send the key as a form field
    assert c.post("/v2/check", data={"text": "Sorry.", "language": "en", "apiKey": KEY_B}).status_code == 200
    resp = c.post("/v2/check", data={"text": "Sorry.", "language": "en", "apiKey": "wrong"})
    assert resp.status_code == 403 and resp.mimetype == "text/plain"
    # health and the API description stay open
    assert c.get("/api/v1/health").status_code == 200
    doc = c.get("/api/v1/openapi.json").get_json()
    assert "bearer" in doc["components"]["securitySchemes"]


def test_the_page_works_with_keys_through_its_token(keyed: Any) -> None:
    c = keyed.test_client()
    page = c.get("/").get_data(as_text=True)
    token = re.search(r'data-token="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    header = re.search(r'data-token-header="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    body = {"draft": "Sorry. Sorry again."}
    assert c.post("/api/v1/check", json=body, headers={header: token}).status_code == 200
    assert c.post("/api/v1/check", json=body, headers={header: token[:-4] + "abcd"}).status_code == 401
    other = create_app({"TESTING": True, "warm_up": False, "api_keys": {"zendesk": KEY_A}}).test_client()
    assert other.post("/api/v1/check", json=body, headers={header: token}).status_code == 401  # other secret


def test_keys_are_compared_in_constant_time() -> None:
    import inspect

    from web import security

    source = inspect.getsource(security.Keys.match)
    assert "compare_digest" in source
    keys = security.Keys({"a": KEY_A, "b": KEY_B})
    assert keys.match(KEY_A) == "a" and keys.match(KEY_B) == "b"
    assert keys.match(KEY_A[:-1]) is None and keys.match("") is None


# ------------------------------------------------------------------------------------------------ CORS


def test_cors_allow_list(make_client: Any) -> None:
    c = make_client(cors_origins=["https://acme.zendesk.com"])
    pre = c.options(
        "/api/v1/check",
        headers={
            "Origin": "https://acme.zendesk.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type, Authorization",
        },
    )
    assert pre.headers.get("Access-Control-Allow-Origin") == "https://acme.zendesk.com"
    assert "authorization" in pre.headers.get("Access-Control-Allow-Headers", "").lower()
    ok = c.post("/api/v1/check", json={"draft": "Sorry."}, headers={"Origin": "https://acme.zendesk.com"})
    assert ok.headers.get("Access-Control-Allow-Origin") == "https://acme.zendesk.com"
    evil = c.post("/api/v1/check", json={"draft": "Sorry."}, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in evil.headers
    closed = make_client()
    resp = closed.post(
        "/api/v1/check", json={"draft": "Sorry."}, headers={"Origin": "https://acme.zendesk.com"}
    )
    assert "Access-Control-Allow-Origin" not in resp.headers


# ----------------------------------------------------------------------------------------- rate limits


def test_rate_limit_per_key_with_retry_after() -> None:
    app = create_app(
        {
            "TESTING": True,
            "warm_up": False,
            "api_keys": {"zendesk": KEY_A, "front": KEY_B},
            "rate_limit": "3/minute",
            "key_limits": {"front": "5/minute"},
        }
    )
    c = app.test_client()
    a = {"Authorization": f"Bearer {KEY_A}"}
    b = {"Authorization": f"Bearer {KEY_B}"}
    body = {"draft": "Thanks, done."}
    assert [c.post("/api/v1/check", json=body, headers=a).status_code for _ in range(3)] == [200] * 3
    resp = c.post("/api/v1/check", json=body, headers=a)
    assert resp.status_code == 429
    assert resp.get_json()["error"]["code"] == "rate_limited"
    assert int(resp.headers["Retry-After"]) > 0
    # /v2 shares the same budget, as plain text
    lt = c.post("/v2/check", data={"text": "Thanks.", "language": "en"}, headers=a)
    assert lt.status_code == 429 and lt.mimetype == "text/plain"
    # another key has its own (larger) budget; health is never limited
    assert [c.post("/api/v1/check", json=body, headers=b).status_code for _ in range(5)] == [200] * 5
    assert c.post("/api/v1/check", json=body, headers=b).status_code == 429
    assert all(c.get("/api/v1/health").status_code == 200 for _ in range(5))


def test_anonymous_clients_are_limited_per_address(make_client: Any) -> None:
    c = make_client(rate_limit="2/minute")
    codes = [c.post("/api/v1/check", json={"draft": "Thanks."}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    other = c.post("/api/v1/check", json={"draft": "Thanks."}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


# ------------------------------------------------------------------------------------------- privacy


def test_no_customer_text_in_any_log(caplog: pytest.LogCaptureFixture, make_client: Any) -> None:
    marker_draft = "Zyxwv-draft-marker"
    marker_context = "Qponm-context-marker"
    draft = f"Hi {marker_draft}, we are so sorry. We apologize. Check out our new plans!"
    context = f"My order {marker_context} never arrived!"
    c = make_client(api_keys={"zendesk": KEY_A}, rate_limit="1000/minute")
    auth = {"Authorization": f"Bearer {KEY_A}"}
    with caplog.at_level(logging.DEBUG):
        c.post("/api/v1/check", json={"draft": draft, "context": context}, headers=auth)
        c.post(
            "/api/v1/check",
            json={"draft": f"<p>{draft}</p>", "context": context, "format": "html"},
            headers=auth,
        )
        c.post("/api/v1/check", json={"draft": draft, "language": "fr"}, headers=auth)  # 422
        c.post("/api/v1/check", json={"draft": draft, "goal": marker_context}, headers=auth)  # 400
        c.post(
            "/api/v1/rewrite",
            json={"draft": draft, "edits": [{"start": 0, "end": 2, "replacement": marker_context}]},
            headers=auth,
        )
        c.post(f"/v2/check?note={marker_draft}", data={"text": draft, "language": "en", "apiKey": KEY_A})
        c.post(
            "/v2/check",
            data={
                "data": f'{{"text": "{draft}", "metaData": {{"customerMessage": "{context}"}}}}',
                "language": "auto",
            },
            headers=auth,
        )
        c.post(
            "/api/v1/check", json={"draft": draft}, headers={"Authorization": f"Bearer {marker_draft}"}
        )  # 403
    records = caplog.records
    assert any(r.name == "wording.web" and "/api/v1/check" in r.getMessage() for r in records)
    for r in records:
        text = r.getMessage() + (r.exc_text or "")
        assert marker_draft not in text and marker_context not in text, r.name
        assert KEY_A not in text
    assert any("key:zendesk" in r.getMessage() for r in records)  # who called is logged, by key name


def test_unexpected_errors_are_logged_without_their_message(
    caplog: pytest.LogCaptureFixture, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wording

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("cannot parse 'My order WM-1 never arrived'")

    monkeypatch.setattr(wording, "check", boom)
    with caplog.at_level(logging.DEBUG):
        assert client.post("/api/v1/check", json={"draft": "My order WM-1 never arrived"}).status_code == 500
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "ValueError" in logged and "api.py" in logged  # the type and where, for the operator
    assert "never arrived" not in logged
