"""Phrase rules that outrank a hesitant classifier: a person, an order without its number."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components import IntentRules
from nlu.intent_rules import asks_for_a_person, just_thanks, lacks_order_number

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
    "am i speaking with a human being", "is this a real person", "are you a live agent or a bot",
    "ini orang beneran atau bot?",
]


@pytest.mark.parametrize("text", ASKS_FOR_A_PERSON)
def test_plain_requests_for_a_person_are_recognised(text):
    assert asks_for_a_person(text)


@pytest.mark.parametrize("text", DOES_NOT)
def test_other_mentions_of_people_are_not(text):
    assert not asks_for_a_person(text)


def classified(text: str, intent: str, confidence: float, entities=None) -> Message:
    message = Message(data={TEXT: text, ENTITIES: entities or []})
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence},
                                     {"name": "out_of_scope", "confidence": 0.38},
                                     {"name": "request_human", "confidence": 0.37}])
    return message


def test_the_rule_overrides_a_hesitant_classifier_and_leaves_the_rest():
    rule = IntentRules()
    hesitant = classified("Saya ingin bicara langsung dengan petugas.", "nlu_fallback", 0.4)
    question = classified("min, ongkir ke Bali berapa?", "faq", 0.81)
    rule.process([hesitant, question])
    assert hesitant.get(INTENT) == {"name": "request_human", "confidence": 1.0}
    # "did you mean…?" (nlu_fallback) is gone; the classifier's other guesses stay below
    assert [r["name"] for r in hesitant.get(INTENT_RANKING_KEY)] == ["request_human",
                                                                      "out_of_scope"]
    assert question.get(INTENT) == {"name": "faq", "confidence": 0.81}


WITHOUT_THE_NUMBER = [
    "I want to cancel an order but I don't have the order number", "i dont know my order number",
    "forgot my order id", "I lost the order number, can you check by email",
    "can't find my order number anywhere", "cancel without the order number",
    "kak mau ganti alamat tp lupa no pesanannya", "lupa nomor pesanan",
    "nomor pesanannya hilang kak", "ga punya no order", "mau cek paket tapi ga tau nomornya",
    "tanpa nomor pesanan bisa?", "gak inget nomer pesenan",
]
OTHER_NUMBERS = [
    "where is my order ORD-123456", "what's the number for customer service", "lupa password",
    "I forgot my password", "ganti nomor hp", "lupa nomor hp yang dipakai",
    "I don't have an account", "don't know when it arrives", "ga ada nomor resi nya di email?",
]


@pytest.mark.parametrize("text", WITHOUT_THE_NUMBER)
def test_an_order_request_without_the_number_is_recognised(text):
    assert lacks_order_number(text)


@pytest.mark.parametrize("text", OTHER_NUMBERS)
def test_other_missing_things_are_not(text):
    assert not lacks_order_number(text)


def test_no_number_goes_to_the_lookup_only_from_an_order_intent_without_an_order_number():
    rule = IntentRules()
    cancel = classified("I want to cancel an order but I don't have the order number",
                        "cancel_order", 0.91)
    angry = classified("I lost the order number and nobody helps, this is a joke", "complain", 0.8)
    has_one = classified("forgot the order number, maybe ORD-583920?", "check_order_status", 0.7,
                         entities=[{"entity": "order_id", "value": "ORD-583920"}])
    rule.process([cancel, angry, has_one])
    assert cancel.get(INTENT)["name"] == "forgot_order_id"
    assert angry.get(INTENT)["name"] == "complain"
    assert has_one.get(INTENT)["name"] == "check_order_status"


def test_a_closing_torn_between_thanks_and_goodbye_closes_but_real_doubt_stays():
    def unsure(text, first, second):
        message = Message(data={TEXT: text, ENTITIES: []})
        message.set(INTENT, {"name": "nlu_fallback", "confidence": 0.4})
        message.set(INTENT_RANKING_KEY, [{"name": "nlu_fallback", "confidence": 0.4},
                                         {"name": first[0], "confidence": first[1]},
                                         {"name": second[0], "confidence": second[1]}])
        return message

    torn = unsure("Baik, terima kasih. Sampai jumpa.", ("goodbye", 0.45), ("thank_you", 0.4))
    doubt = unsure("hmm ok tapi", ("thank_you", 0.4), ("faq", 0.38))
    faint = unsure("zzz", ("goodbye", 0.2), ("thank_you", 0.15))
    IntentRules().process([torn, doubt, faint])
    assert torn.get(INTENT)["name"] == "goodbye"
    assert doubt.get(INTENT)["name"] == faint.get(INTENT)["name"] == "nlu_fallback"


def test_a_store_question_whose_best_answer_fits_poorly_is_not_answered():
    def faq(text, answer_confidence):
        message = Message(data={TEXT: text, ENTITIES: []})
        message.set(INTENT, {"name": "faq", "confidence": 0.95})
        message.set("response_selector", {"faq": {"response": {
            "intent_response_key": "faq/shipping_options", "confidence": answer_confidence}}})
        return message

    recipe, couriers = faq("Kalau resep nasi goreng, bisa?", 0.38), faq("kurirnya apa aja", 0.99)
    IntentRules().process([recipe, couriers])
    assert recipe.get(INTENT)["name"] == "nlu_fallback"
    assert couriers.get(INTENT)["name"] == "faq"


@pytest.mark.parametrize("text", [
    "oh it was in spam lol, thanks", "udh bisa login wkwk makasih kak", "ok thx", "tq min",
    "sip, terima kasih atas bantuannya", "cheers mate, all sorted"])
def test_a_short_thanks_that_asks_nothing_is_thanks(text):
    assert just_thanks(text)


@pytest.mark.parametrize("text", [
    "thanks, how long does shipping to bali take", "makasih, btw ongkir ke medan brp",
    "thanks but can you write me a caption", "makasih kak, mau tanya lagi dong",
    "thanks!!! also where is my order ORD-583920 it has been a week already lol",
    "nice weather today"])
def test_a_thanks_with_a_question_or_without_thanks_is_not(text):
    assert not just_thanks(text)


def test_an_off_topic_guess_at_a_plain_thanks_becomes_thanks_and_nothing_else_does():
    def guessed(text, intent):
        message = Message(data={TEXT: text, ENTITIES: []})
        message.set(INTENT, {"name": intent, "confidence": 0.6})
        message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 0.6}])
        return message

    laughed = guessed("found it in my spam haha thanks", "out_of_scope")
    poem = guessed("thanks, now write me a poem please", "out_of_scope")
    topic = guessed("thanks, the shipping info helped", "faq")
    IntentRules().process([laughed, poem, topic])
    assert laughed.get(INTENT)["name"] == "thank_you"
    assert (poem.get(INTENT)["name"], topic.get(INTENT)["name"]) == ("out_of_scope", "faq")
