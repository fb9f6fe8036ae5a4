"""The admin page: an admin clears an agent's failed logins, deactivates and reactivates the
account, resets its password and ends its sessions; every step is audited. The app bar's
password form changes the admin's own password without signing this tab out."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from store import audit
from store.models import Role
from tests.browser import seed
from tests.browser.test_inbox import sign_in
from tests.handoff.conftest import stored


def api_login(service: str, username: str, password: str) -> httpx.Response:
    return httpx.post(f"{service}/api/v1/auth/login",
                      json={"username": username, "password": password})


def test_admin_page_manages_accounts(page, service, save_screenshot):
    seed.create_agent("kepala", "Kepala", Role.admin)
    seed.create_agent("wulan", "Wulan")
    token = api_login(service, "wulan", seed.PASSWORD).json()["token"]
    wulan = {"Authorization": f"Bearer {token}"}
    for _ in range(3):  # someone guessing at Wulan's password
        assert api_login(service, "wulan", "a wrong guess").status_code == 401

    page.goto("/admin")
    sign_in(page, "kepala")
    row = page.locator("tr[data-username=wulan]")
    expect(row.locator(".failures")).to_have_text("3")
    expect(page.locator("tr[data-username=kepala]").get_by_role(
        "button", name="Deactivate")).to_be_disabled()  # never oneself

    row.get_by_role("button", name="Clear failed logins").click()
    expect(row.locator(".failures")).to_have_text("0")
    row.get_by_role("button", name="Deactivate").click()
    expect(row.locator(".tag")).to_have_text("deactivated")
    assert httpx.get(f"{service}/api/v1/auth/me", headers=wulan).status_code == 401
    assert api_login(service, "wulan", seed.PASSWORD).status_code == 401

    row.get_by_role("button", name="Reactivate").click()
    expect(row.locator(".tag")).to_have_text("active")
    row.get_by_role("button", name="Reset password").click()
    new_password = page.locator("#admin-notice .new-password").inner_text()
    assert api_login(service, "wulan", seed.PASSWORD).status_code == 401
    assert api_login(service, "wulan", new_password).status_code == 200
    row.get_by_role("button", name="End sessions").click()
    expect(page.locator("#admin-notice")).to_have_text("wulan was signed out of 1 session.")
    save_screenshot(page, "admin-accounts")

    page.get_by_role("button", name="Password", exact=True).click()
    form = page.locator("#password-dialog")
    form.locator("input[name=current]").fill(seed.PASSWORD)
    form.locator("input[name=fresh]").fill("kepala's new password")
    form.locator("input[name=again]").fill("kepala's new password")
    form.get_by_role("button", name="Change password").click()
    expect(form).to_contain_text("Password changed")
    form.get_by_role("button", name="OK").click()
    page.reload()  # still signed in, with the token the change gave this tab
    expect(page.locator("tr[data-username=wulan]")).to_be_visible()
    assert api_login(service, "kepala", seed.PASSWORD).status_code == 401

    done = [(event.action, event.username) for event in stored(audit.AuditEvent)
            if event.target in (f"agent:{account}" for account in _ids("wulan", "kepala"))]
    assert sorted(done) == sorted([
        (audit.CLEAR_LOGIN_FAILURES, "kepala"), (audit.DEACTIVATE_AGENT, "kepala"),
        (audit.REACTIVATE_AGENT, "kepala"), (audit.RESET_PASSWORD, "kepala"),
        (audit.END_SESSIONS, "kepala"), (audit.CHANGE_PASSWORD, "kepala")])
    assert page.errors == []


def _ids(*usernames: str) -> list[int]:
    from store.models import Agent

    return [agent.id for agent in stored(Agent) if agent.username in usernames]
