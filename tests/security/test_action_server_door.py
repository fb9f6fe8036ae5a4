"""Attack (critical in issue 12): call the action server directly with a made-up tracker.

rasa-sdk listened on 0.0.0.0 without authentication: a crafted call returned another
customer's order status and tracking number without verification, and recorded an address
change on someone else's order. Now only a caller with Rasa's secret runs anything, and the
server listens on loopback only.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import httpx
import pytest
import rasa_sdk
from sqlalchemy import select

from scripts.processes import ROOT
from store.db import session_scope
from store.orders.models import Order, OrderRequest
from tests.security.conftest import log_of
from tests.trackers import make_tracker, user_event

WRONG_CREDENTIALS = [{}, {"Authorization": "Bearer guessed-secret"},
                     {"Authorization": "guessed-secret"}, {"Authorization": ""}]


def action_call(action: str, order_id: str, request: str | None = None,
                new_address: str | None = None) -> dict:
    """What Rasa would send for `action`, with slots saying the order was verified."""
    slots = {"order_id": order_id, "verified_order_id": order_id, "order_check": "verified",
             "order_request": request, "new_address": new_address}
    tracker = make_tracker(events=[user_event(f"about {order_id}", "check_order_status")],
                           slots=slots, sender_id="made-up-conversation")
    return {"next_action": action, "sender_id": tracker.sender_id,
            "tracker": tracker.current_state(), "domain": {}, "version": rasa_sdk.__version__}


def webhook(stack) -> str:
    return f"http://127.0.0.1:{stack.env['ACTIONS_PORT']}/webhook"


def rasa_credentials(stack) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.env['ACTION_SERVER_SECRET']}"}


def tracking_number(order_id: str) -> str:
    with session_scope() as session:
        return session.get(Order, order_id).tracking_number


@pytest.mark.parametrize("headers", WRONG_CREDENTIALS,
                         ids=["none", "wrong-bearer", "bare-guess", "empty"])
def test_made_up_tracker_gets_no_order_status_without_rasas_secret(stack, headers):
    secret_detail = tracking_number("ORD-583920")
    response = httpx.post(webhook(stack), json=action_call("action_answer_order", "ORD-583920"),
                          headers=headers, timeout=30)
    assert response.status_code in (401, 403)
    assert secret_detail not in response.text and "J&T" not in response.text
    assert "refused POST /webhook" in log_of(stack, "actions")


def test_the_same_call_with_rasas_secret_is_answered(stack):
    """The call above is a real threat: with the secret, the order's details come back."""
    response = httpx.post(webhook(stack), json=action_call("action_answer_order", "ORD-583920"),
                          headers=rasa_credentials(stack), timeout=30)
    assert response.status_code == 200
    assert response.json()["responses"][0]["tracking_number"] == tracking_number("ORD-583920")


def test_made_up_address_change_is_refused_before_anything_is_written(stack):
    call = action_call("action_answer_order", "ORD-100002", request="change_address",
                       new_address="Jl. Penipu No. 13, Jakarta")
    for headers in WRONG_CREDENTIALS:
        response = httpx.post(webhook(stack), json=call, headers=headers, timeout=30)
        assert response.status_code in (401, 403)
    with session_scope() as session:
        written = session.execute(select(OrderRequest).where(
            OrderRequest.order_id == "ORD-100002")).scalars().all()
    assert written == []


def test_action_list_and_other_paths_need_the_secret_but_health_does_not(stack):
    base = webhook(stack).removesuffix("/webhook")
    assert httpx.get(f"{base}/actions", timeout=10).status_code == 401
    assert httpx.get(f"{base}/health", timeout=10).status_code == 200


def test_action_server_cannot_be_reached_from_another_machine(stack, outward_address):
    with pytest.raises(OSError):
        socket.create_connection((outward_address, int(stack.env["ACTIONS_PORT"])),
                                 timeout=3).close()


def test_the_action_server_refuses_to_start_without_a_secret():
    env = {**os.environ, "ACTION_SERVER_SECRET": ""}
    started = subprocess.run([sys.executable, "-m", "actions.server", "--port", "9"], env=env,
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert started.returncode != 0 and "ACTION_SERVER_SECRET is not set" in started.stderr
