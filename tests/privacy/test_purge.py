"""`purge`: conversations closed before the retention cutoff lose their texts, keep what the
metrics count, and a second run changes nothing."""

from __future__ import annotations

from handoff.ops.privacy import REMOVED, purge_closed_conversations
from store import audit, db
from store.models import (
    Conversation,
    Customer,
    Handoff,
    HandoffStatus,
    Message,
    Note,
    SurveyAnswer,
)
from tests.handoff.conftest import stored
from tests.privacy.conftest import BUDI, NOW, RETENTION_DAYS


def _purge(**kwargs):
    with db.session_scope() as session:
        return purge_closed_conversations(session, older_than_days=RETENTION_DAYS, now=NOW,
                                          **kwargs)


def _texts(conversation_id: str) -> list[str]:
    return [message.text for message in stored(Message, conversation_id=conversation_id)]


def test_purge_anonymises_only_conversations_closed_before_the_cutoff(two_customers):
    report = _purge()
    assert (report.conversations, report.already_purged) == (3, 0)
    assert (report.messages, report.handoffs, report.notes, report.survey_answers) == (5, 1, 1,
                                                                                        2)
    for conversation_id in ("siti-1", "siti-2", "budi-old"):
        assert set(_texts(conversation_id)) == {REMOVED}
    assert all(message.buttons is None for message in stored(Message))
    assert _texts("budi-recent") == ["Budi's recent question"]
    assert _texts("budi-open") == ["Budi is still here"]
    [handoff] = stored(Handoff, conversation_id="siti-1")
    assert (handoff.summary, handoff.context) == (REMOVED, {})
    [note] = stored(Note)
    assert note.text == REMOVED
    comments = {answer.conversation_id: answer.comment for answer in stored(SurveyAnswer)}
    assert comments == {"siti-1": None, "budi-old": None,
                        "budi-recent": "Budi's recent comment"}
    closes = {c.id: (c.close_reason, c.closed_at is not None) for c in stored(Conversation)}
    assert closes["siti-1"] == ("resolved", True) and closes["budi-open"] == (None, False)


def test_purge_keeps_what_the_metrics_count(two_customers):
    def metrics_inputs():
        handoffs = [(h.reason, h.status, h.agent_id, h.created_at, h.assigned_at,
                     h.first_agent_reply_at, h.resolved_at) for h in stored(Handoff)]
        answers = sorted((a.conversation_id, a.score, a.human_involved, a.agent_id,
                          a.asked_at) for a in stored(SurveyAnswer))
        conversations = sorted((c.id, c.channel, c.language, c.created_at, c.closed_at,
                                c.close_reason) for c in stored(Conversation))
        senders = sorted((m.conversation_id, m.seq, m.sender, m.created_at)
                         for m in stored(Message))
        return handoffs, answers, conversations, senders

    before = metrics_inputs()
    _purge()
    assert metrics_inputs() == before
    assert stored(Handoff)[0].status == HandoffStatus.resolved
    assert sorted(a.score for a in stored(SurveyAnswer)) == [4, 5, 7]


def test_customer_forgotten_only_when_no_recent_or_open_conversation(two_customers):
    assert _purge().customers == 1
    siti = stored(Customer, id=two_customers["siti"])[0]
    assert (siti.name, siti.email, siti.phone, siti.wa_id) == (None, None, None, None)
    budi = stored(Customer, id=two_customers["budi"])[0]
    assert (budi.name, budi.email, budi.phone, budi.wa_id) == (
        BUDI["name"], BUDI["email"], BUDI["phone"], BUDI["wa_id"])


def test_second_purge_changes_nothing(two_customers):
    assert _purge().changed
    again = _purge()
    assert not again.changed
    assert (again.conversations, again.already_purged) == (0, 3)
    assert _texts("budi-recent") == ["Budi's recent question"]


def test_nothing_is_older_than_a_longer_retention(two_customers):
    with db.session_scope() as session:
        report = purge_closed_conversations(session, older_than_days=3650, now=NOW)
    assert not report.changed and report.already_purged == 0
    assert "Budi's old question" in _texts("budi-old")
    assert stored(audit.AuditEvent) == []  # the function never audits; the command does
