"""The platform around the services: nginx routing and headers, health, the OpenAPI document.
Everything runs for real: redis-server, the built services, nginx. Processes and deployment:
test_deploy.py."""
from __future__ import annotations

import json
import re
import time
from contextlib import ExitStack

import pytest
import requests
import yaml

from person import register
from stack import ROOT, SERVICES, Stack, http_status
from webpages import png

CSP_DIRECTIVES = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data: blob:",
    "connect-src": "'self'", "object-src": "'none'", "base-uri": "'none'", "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def parse_csp(value: str) -> dict[str, str]:
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0]] = " ".join(words[1:])
    return out


def assert_security_headers(r: requests.Response) -> None:
    csp = r.headers.get("Content-Security-Policy")
    assert csp, f"no CSP on {r.url} ({r.status_code})"
    directives = parse_csp(csp)
    assert directives == CSP_DIRECTIVES, directives
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in directives["script-src"]
    assert r.headers.get("X-Content-Type-Options") == "nosniff"
    assert r.headers.get("Referrer-Policy") == "same-origin"
    assert r.headers.get("X-Frame-Options") == "DENY"


def assert_json_error(r: requests.Response, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, f"{r.request.method} {r.url}: {r.status_code} {r.text[:300]}"
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers.get("Content-Type")
    body = r.json()
    assert set(body) == {"error"} and isinstance(body["error"]["message"], str), body
    if code:
        assert body["error"]["code"] == code, body
    return body


# ---- health ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ("nginx",) + SERVICES)
def test_health_through_nginx(stack, name):
    assert http_status(f"{stack.url}/_health/{name}") == 200


@pytest.mark.parametrize("name", SERVICES)
def test_healthz_directly(stack, name):
    r = requests.get(stack.service_url(name) + "/healthz", timeout=5)
    assert r.status_code == 200


# ---- headers and routing -----------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/login", "/register", "/forgot-password", "/reset-password"])
def test_public_pages_served_with_security_headers(stack, path):
    r = requests.get(stack.url + path, timeout=5)
    assert r.status_code == 200, path
    assert r.headers["Content-Type"].startswith("text/html")
    assert_security_headers(r)


@pytest.mark.parametrize("path", ["/", "/profile"])
def test_protected_pages_redirect_to_login(stack, path):
    r = requests.get(stack.url + path, allow_redirects=False, timeout=5)
    assert r.status_code == 302
    assert r.headers["Location"] == f"/login?next={path}"
    assert_security_headers(r)


def test_security_headers_on_errors_and_api(stack):
    for path in ("/no-such-page", "/api/no-such-route", "/api/rooms", "/js/no-such.js"):
        assert_security_headers(requests.get(stack.url + path, timeout=5))


def test_html_files_not_addressable_directly(stack):
    assert requests.get(stack.url + "/login.html", timeout=5).status_code == 404


def test_unknown_api_route_is_json_404(stack):
    for method in ("GET", "POST", "DELETE"):
        assert_json_error(requests.request(method, stack.url + "/api/no/such/route", timeout=5), 404, "not_found")


@pytest.mark.parametrize("path", ["/api/auth/me", "/api/rooms", "/api/users?q=a", "/media/abc.png", "/ws"])
def test_protected_api_without_session_is_json_401(stack, path):
    assert_json_error(requests.get(stack.url + path, timeout=5), 401)


def test_identity_headers_from_client_are_ignored(stack):
    spoof = {"X-User-Id": "1", "X-Username": "admin"}
    assert_json_error(requests.get(stack.url + "/api/rooms", headers=spoof, timeout=5), 401)


def test_internal_routes_are_not_reachable(stack):
    for path in ("/internal/verify", "/_auth", "/_protected_media/x.png", "/api/internal/verify"):
        assert requests.get(stack.url + path, timeout=5).status_code == 404, path


def test_oversized_body_is_json_413(stack):
    r = requests.post(stack.url + "/api/rooms/1/images", data=b"\0" * (7 * 1024 * 1024),
                      headers={"Origin": stack.url, "Content-Type": "image/png"}, timeout=30)
    assert_json_error(r, 413, "too_large")


def test_register_and_session_through_nginx(stack, user):
    session, creds = user
    me = session.get("/api/auth/me")
    assert me.status_code == 200, me.text
    assert me.json()["username"] == creds["username"]
    r = session.get("/", allow_redirects=False)
    assert r.status_code in (200, 404), r.status_code  # 404 only while web/index.html does not exist
    assert session.get("/api/rooms").status_code == 200


def test_foreign_origin_is_json_403(stack, user):
    session, _ = user
    r = session.post("/api/rooms", json={"kind": "group", "name": "x", "members": []},
                     headers={"Origin": "http://evil.example"})
    assert_json_error(r, 403, "bad_origin")
    r = requests.post(stack.url + "/api/auth/login", json={"username": "a", "password": "b"},
                      headers={"Origin": "http://evil.example"}, timeout=5)
    assert_json_error(r, 403, "bad_origin")


def test_writes_need_json_only_when_they_carry_a_body(stack, user):
    session, _ = user
    room = session.post("/api/rooms", json={"kind": "group", "name": "typed", "members": []})
    assert room.status_code == 201, room.text
    rid = room.json()["id"]
    # A body in another type is refused by verify through nginx, with the contract's JSON error.
    r = session.post(f"/api/rooms/{rid}/messages", data='{"body":"hi"}', headers={"Content-Type": "text/plain"})
    assert_json_error(r, 415, "unsupported_media_type")
    chunked = session.post(f"/api/rooms/{rid}/messages", data=iter([b'{"body":', b'"hi"}']),
                           headers={"Content-Type": "text/plain"})
    assert_json_error(chunked, 415, "unsupported_media_type")
    # Without a body no type is needed: leaving sends nothing but the method, path and Origin.
    left = session.delete(f"/api/rooms/{rid}/members/me")
    assert left.status_code == 204, left.text
    assert "Content-Type" not in left.request.headers
    assert "Origin" in left.request.headers


def test_public_auth_routes_need_no_session(stack):
    r = requests.post(stack.url + "/api/auth/login", json={"username": "nobody-here", "password": "wrong pass"},
                      headers={"Origin": stack.url}, timeout=10)
    assert_json_error(r, 401, "invalid_credentials")
    r = requests.post(stack.url + "/api/auth/password-reset", json={"email": "nobody@example.test"},
                      headers={"Origin": stack.url}, timeout=10)
    assert r.status_code == 202, r.text


def test_media_served_by_nginx_after_room_svc_authorises(stack, user):
    session, _ = user
    r = session.put("/api/auth/me/avatar", data=png(1, 1), headers={"Content-Type": "image/png"})
    assert r.status_code == 200, r.text
    avatar = r.json()["avatar_url"]
    assert re.fullmatch(r"/media/[0-9a-f]{64}\.png", avatar), avatar
    got = session.get(avatar)
    assert got.status_code == 200, got.text[:300]
    assert got.content == png(1, 1)
    assert got.headers["Content-Type"] == "image/png"
    assert "immutable" in got.headers.get("Cache-Control", "")
    assert got.headers.get("X-Content-Type-Options") == "nosniff"
    assert_json_error(requests.get(stack.url + avatar, timeout=5), 401)
    assert session.get("/media/" + "0" * 64 + ".png").status_code == 404


def test_websocket_upgrade_through_nginx(stack, user):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    session, creds = user
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    ws_url = stack.url.replace("http://", "ws://") + "/ws"
    with connect(ws_url, origin=stack.url, additional_headers={"Cookie": cookie}, open_timeout=10) as ws:
        hello = json.loads(ws.recv(timeout=10))
        assert hello["type"] == "hello" and hello["user"]["username"] == creds["username"], hello
        ws.send(json.dumps({"type": "ping"}))
        for _ in range(5):
            frame = json.loads(ws.recv(timeout=10))
            if frame["type"] == "pong":
                break
        else:
            raise AssertionError("no pong")
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url, origin="http://evil.example", additional_headers={"Cookie": cookie}, open_timeout=10)
    assert refused.value.response.status_code == 403
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url, origin=stack.url, open_timeout=10)
    assert refused.value.response.status_code == 401


def test_password_reset_mail_goes_out_over_smtp(stack, smtp, user):
    _, creds = user
    r = requests.post(stack.url + "/api/auth/password-reset", json={"email": creds["email"]},
                      headers={"Origin": stack.url}, timeout=10)
    assert r.status_code == 202, r.text
    message = smtp.wait_for(creds["email"])
    link = smtp.find_link(message, re.escape(stack.public_url) + r"/reset-password#token=[A-Za-z0-9_-]+")
    assert link


def test_two_relays_behind_nginx_both_deliver(smtp):
    """With two relay instances (round robin in one nginx worker), sockets on both get a message."""
    from websockets.sync.client import connect

    with Stack(relays=2, nginx_workers=1, smtp_url=smtp.url) as stack2:
        ada, bob = register(stack2, "relay"), register(stack2, "relay")
        a = ada.api
        room = a.post("/api/rooms", json={"kind": "group", "name": "relays", "members": [bob.username]})
        assert room.status_code == 201, room.text
        room_id = room.json()["id"]
        ws_url = stack2.url.replace("http://", "ws://") + "/ws"
        with ExitStack() as open_sockets:
            sockets = []
            for person in (ada, bob, ada, bob):
                ws = open_sockets.enter_context(connect(ws_url, origin=stack2.url, additional_headers={"Cookie": person.cookie},
                                                        open_timeout=10))
                sockets.append(ws)
                assert json.loads(ws.recv(timeout=10))["type"] == "hello"
            sent = a.post(f"/api/rooms/{room_id}/messages", json={"body": "across relays", "client_id": "r1"})
            assert sent.status_code == 201, sent.text
            for ws in sockets:
                deadline = time.monotonic() + 10
                while True:
                    frame = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
                    if frame["type"] == "message":
                        assert frame["message"]["body"] == "across relays"
                        break


# ---- OpenAPI -------------------------------------------------------------------------------------------
API_ROUTES = {
    ("post", "/api/auth/register"), ("post", "/api/auth/login"), ("post", "/api/auth/logout"),
    ("get", "/api/auth/me"), ("patch", "/api/auth/me"), ("put", "/api/auth/me/avatar"),
    ("delete", "/api/auth/me/avatar"), ("post", "/api/auth/password"), ("post", "/api/auth/password-reset"),
    ("post", "/api/auth/password-reset/confirm"), ("get", "/api/auth/sessions"),
    ("delete", "/api/auth/sessions/{id}"), ("get", "/api/users"),
    ("get", "/api/rooms"), ("post", "/api/rooms"), ("get", "/api/rooms/{id}"), ("patch", "/api/rooms/{id}"),
    ("put", "/api/rooms/{id}/picture"), ("post", "/api/rooms/{id}/members"),
    ("delete", "/api/rooms/{id}/members/me"), ("get", "/api/rooms/{id}/messages"),
    ("post", "/api/rooms/{id}/messages"), ("post", "/api/rooms/{id}/images"), ("post", "/api/rooms/{id}/read"),
    ("post", "/api/rooms/{id}/clear"), ("get", "/media/{file}"), ("get", "/ws"),
}


def test_openapi_document_is_valid_and_complete():
    from openapi_spec_validator import validate

    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    assert spec["openapi"].startswith("3.1")
    validate(spec)
    routes = {(m, p) for p, item in spec["paths"].items() for m in item if m in
              ("get", "post", "put", "patch", "delete")}
    assert routes == API_ROUTES, {"missing": API_ROUTES - routes, "extra": routes - API_ROUTES}
    for p, item in spec["paths"].items():
        for m, op in item.items():
            if m in ("get", "post", "put", "patch", "delete"):
                assert op.get("responses"), f"{m} {p} has no responses"
                assert re.fullmatch(r"[a-zA-Z]+", op.get("operationId", "")), f"{m} {p} needs an operationId"


# ---- browser ---------------------------------------------------------------------------------------------
def test_login_page_renders_in_browser_without_csp_violations(stack, page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from conftest import screenshot

    page.get(stack.url + "/login")
    WebDriverWait(page, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
    assert page.find_elements(By.CSS_SELECTOR, "form"), "the login page has no form"
    assert page.find_elements(By.CSS_SELECTOR, "input[type=password]")
    print("screenshot:", screenshot(page, "platform-login"))
    problems = [e["message"] for e in page.get_log("browser")
                if e["level"] == "SEVERE" and ("Content Security Policy" in e["message"] or "Refused" in e["message"])]
    assert not problems, problems
