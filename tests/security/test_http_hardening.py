"""Security headers on every response and the request body size limit."""

from __future__ import annotations

import re

import pytest

from handoff.web_security import CONTENT_SECURITY_POLICY, MAX_BODY_BYTES

# blob: only for images and media: photo and video previews are fetched with a token and
# shown from object URLs (handoff/static/js/attachments.js); scripts stay 'self' only.
EXPECTED_CSP = ("default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' "
                "'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; "
                "frame-ancestors 'none'")


def test_the_policy_is_the_documented_one():
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP


@pytest.mark.parametrize("path", ["/healthz", "/", "/inbox", "/ops", "/api/v1/auth/me",
                                  "/api/v1/nothing-here", "/openapi.json", "/static/widget.js"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert len(response.headers.get_list("Content-Security-Policy")) == 1


def test_api_docs_keep_the_strict_policy_with_no_inline_script_and_no_cdn(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.text, re.S)
    assert scripts and all('src="/' in attributes and not body.strip()
                           for attributes, body in scripts)
    assert "http" not in response.text.replace('http-equiv', '')
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', response.text):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/redoc").status_code == 404  # its standalone bundle wants blob: workers


def test_declared_oversized_json_body_is_413_before_the_route_runs(client):
    body = '{"username": "rina", "password": "' + "x" * MAX_BODY_BYTES + '"}'
    response = client.post("/api/v1/auth/login", content=body,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"Request body too large: the limit is {MAX_BODY_BYTES} bytes"}
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_streamed_oversized_body_without_length_is_413(client):
    def chunks():  # noqa: ANN202
        for _ in range(20):
            yield b"x" * 8192

    response = client.post("/api/v1/auth/login", content=chunks(),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_bodies_under_the_limit_reach_the_route(client, rina):
    response = client.post("/api/v1/auth/login",
                           json={"username": "rina", "password": "p" * 200})
    assert response.status_code == 401  # read and checked, not refused for size


def test_whatsapp_webhook_keeps_its_own_limit(client):
    response = client.post("/webhooks/whatsapp", content=b"{" + b" " * (100 * 1024) + b"}",
                           headers={"Content-Type": "application/json"})
    assert "the limit is" not in response.text
