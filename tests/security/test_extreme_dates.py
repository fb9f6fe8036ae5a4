"""Days at the ends of the calendar in the ops filters are a 422, not a datetime overflow
(which was a 500): conversations, export and metrics."""

from __future__ import annotations

from datetime import date

import pytest

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)  # handoff.ops.days


@pytest.mark.parametrize("path", ["/api/v1/conversations", "/api/v1/conversations/export",
                                  "/api/v1/metrics"])
@pytest.mark.parametrize("query", [
    {"from": "0001-01-01"},
    {"to": "0001-01-01"},
    {"to": "9999-12-31"},
    {"from": "0001-01-01", "to": "9999-12-31"},
    {"from": "9999-12-31", "to": "9999-12-31"},
], ids=lambda query: "&".join(f"{k}={v}" for k, v in query.items()))
def test_days_outside_the_calendar_are_refused_with_a_422(client, ops, path, query):
    response = client.get(path, params=query, headers=ops.headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][0] == "query"


@pytest.mark.parametrize("path", ["/api/v1/conversations", "/api/v1/metrics"])
def test_the_first_and_last_accepted_days_work(client, ops, path):
    for query in ({"from": FIRST_DAY.isoformat(), "to": FIRST_DAY.isoformat()},
                  {"from": LAST_DAY.isoformat(), "to": LAST_DAY.isoformat()}):
        assert client.get(path, params=query, headers=ops.headers).status_code == 200
