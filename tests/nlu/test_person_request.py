"""Plain requests for a person are request_human even when the classifier hesitates."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components import PersonRequestRule
from nlu.person_request import asks_for_a_person

ASKS_FOR_A_PERSON = [
    "I want to talk to a person", "can I speak with someone please",
    "connect me to an agent", "get me a human", "human agent please", "agent",
    "real person pls", "i need to talk to customer service",
    "transfer me to a live agent", "Can I call someone",
    "Bukan itu semua. Saya ingin bicara langsung dengan petugas.", "sambungkan ke CS dong",
    "mau ngobrol sama orang", "mau ngomong sama admin", "bisa hubungkan dengan customer service?",
    "minta orang asli", "mau sama manusia aja", "aku pengen ngomong sama orang beneran",
    "tolong telpon saya, mau ngomong langsung ke cs", "cs",
]
# Addressing the admin, people in the story, contacting the courier: not a person request.
DOES_NOT = [
    "min, ongkir ke Bali berapa?", "admin pesanan saya kapan dikirim",
    "can someone tell me the shipping cost", "my order was sent to the wrong person",
    "I want to cancel my order", "kak mau tanya cara retur",
    "the agent of the courier was rude", "apakah ada orang yang bisa bantu cek resi?",
    "kurirnya ngomong kasar ke saya", "mau hubungi kurirnya gimana", "call me when it ships",
    "contact number of JNE", "ini bukan bot kan?", "are you a human?",
]


@pytest.mark.parametrize("text", ASKS_FOR_A_PERSON)
def test_plain_requests_for_a_person_are_recognised(text):
    assert asks_for_a_person(text)


@pytest.mark.parametrize("text", DOES_NOT)
def test_other_mentions_of_people_are_not(text):
    assert not asks_for_a_person(text)


def classified(text: str, intent: str, confidence: float) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence},
                                     {"name": "request_human", "confidence": 0.3}])
    return message


def test_the_rule_overrides_a_hesitant_classifier_and_leaves_the_rest():
    rule = PersonRequestRule()
    hesitant = classified("Saya ingin bicara langsung dengan petugas.", "out_of_scope", 0.42)
    question = classified("min, ongkir ke Bali berapa?", "faq", 0.81)
    rule.process([hesitant, question])
    assert hesitant.get(INTENT) == {"name": "request_human", "confidence": 1.0}
    assert [r["name"] for r in hesitant.get(INTENT_RANKING_KEY)] == ["request_human",
                                                                      "out_of_scope"]
    assert question.get(INTENT) == {"name": "faq", "confidence": 0.81}
