"""Property-based fuzzing of the service's own OpenAPI description with schemathesis: every
operation, called in-process as a logged-in admin with generated path, query and body values,
must answer with anything but a server error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from handoff.auth.credentials import issue_token
from nlu.patterns import shop_nlp
from store import db
from store.models import Agent, Role
from store.settings import get_settings
from tests.handoff.conftest import add_agent, add_handoff

EXAMPLES_PER_OPERATION = 25
# Server-sent events never end by themselves; their auth and roles are covered elsewhere.
SKIPPED = {("GET", "/api/v1/events")}


def _fresh_admin_headers(admin_id: int) -> dict[str, str]:
    """A new token for an active admin: a generated call may log out or deactivate them."""
    with db.session_scope() as session:
        admin = session.get(Agent, admin_id)
        admin.is_active, admin.role = True, Role.admin
        return {"Authorization": f"Bearer {issue_token(session, admin).token}"}


@pytest.fixture
def whatsapp_configured(monkeypatch) -> Iterator[None]:
    """The WhatsApp webhook answers 503 until configured; configured, its checks get fuzzed.
    The Graph API address points where nothing listens."""
    for name, value in {"WHATSAPP_VERIFY_TOKEN": "verify-me", "WHATSAPP_APP_SECRET": "s3cret",
                        "WHATSAPP_ACCESS_TOKEN": "token", "WHATSAPP_PHONE_NUMBER_ID": "1234",
                        "WHATSAPP_API_BASE_URL": "http://127.0.0.1:9"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_no_operation_answers_with_a_server_error(whatsapp_configured, client):
    admin = add_agent("adi", Role.admin)
    add_handoff("conv-1", customer={"name": "Siti", "email": "siti@example.com"})
    shop_nlp()  # spaCy's first load takes seconds on a busy machine; it is not what is fuzzed
    client.app.state.warm_up.ready = True  # no Rasa here; warm start: tests/production
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    failures: list[str] = []
    for operation in operations:
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def call(case) -> None:  # noqa: ANN001 (schemathesis Case)
            try:
                response = case.call(headers=_fresh_admin_headers(admin.id))
            except Exception as error:  # noqa: BLE001 (the in-process app raised: a 500)
                failures.append(f"{case.method} {case.formatted_path} raised {error!r}: "
                                f"{case.as_curl_command()}")
                return
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> "
                                f"{response.status_code}: {case.as_curl_command()}")

        call()
    if failures:
        pytest.fail("server errors:\n" + "\n".join(sorted(set(failures))[:20]))


@pytest.mark.parametrize("url", ["/api/v1/handoffs/9223372036854775808",
                                 "/api/v1/handoffs/2147483648/claim",
                                 "/api/v1/conversations?offset=99999999999999999999",
                                 "/api/v1/conversations?agent_id=99999999999999999999",
                                 "/api/v1/audit?offset=99999999999999999999"])
def test_ids_beyond_the_integer_column_are_422_not_a_crash(client, url):
    """Found by the fuzzer: SQLite raised OverflowError (a 500) on a 25-digit handoff id."""
    admin = add_agent("adi", Role.admin)
    method = client.post if url.endswith("/claim") else client.get
    assert method(url, headers=admin.headers).status_code == 422
