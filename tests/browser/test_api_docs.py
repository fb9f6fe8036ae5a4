"""/docs renders the whole API in Chromium under the strict Content-Security-Policy: its
Swagger UI files come from this origin, and nothing is blocked."""

from __future__ import annotations

from playwright.sync_api import expect


def test_swagger_ui_renders_every_operation_without_a_policy_violation(
    page, service, save_screenshot
):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    spec = page.evaluate("fetch('/openapi.json').then(response => response.json())")
    operations = sum(len(path) for path in spec["paths"].values())
    expect(page.locator(".opblock")).to_have_count(operations)
    save_screenshot(page, "api-docs")
    assert [text for text in console if "Content Security Policy" in text] == []
    assert [url for url in requested if not url.startswith(service + "/")] == []
    assert page.errors == []
