"""Rasa pipeline components backed by the spaCy pipeline in nlu.patterns.

Referenced from config.yml as `nlu.components.SpacyBlankTokenizer`,
`nlu.components.ShopEntityExtractor` and `nlu.components.IntentRules`.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
)
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from nlu.intent_rules import asks_for_a_person, just_thanks, lacks_order_number
from nlu.normalise import normalise_word
from nlu.patterns import find_entities, shop_nlp

FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE_INTENT = "out_of_scope"
# Outside a form each of these ends the session with the survey (data/rules/basics.yml).
CLOSING_INTENTS = {"thank_you", "goodbye", "deny", "stop"}
CLOSING_CONFIDENCE = 0.6
# The FAQ answer picked must be at least this sure; on the held-out split no right answer
# scored below 0.5, while an off-topic "Kalau resep nasi goreng, bisa?" got 0.38.
FAQ_INTENT = "faq"
FAQ_ANSWER_CONFIDENCE = 0.5
# Intents a "no order number" message is usually mistaken for.
_ORDER_INTENTS = {"check_order_status", "cancel_order", "change_shipping_address", "inform",
                  FALLBACK_INTENT, "out_of_scope"}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class SpacyBlankTokenizer(Tokenizer):
    """Tokenises with spaCy's blank Indonesian tokenizer (no model to download).

    Keeps emails, '#583920' and 'ORD-583920' intact, which whitespace splitting does not.
    Each token's lemma is its normalised, stemmed form (nlu/normalise.py), which the
    word-level featurizer reads with `use_lemma: true`.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpacyBlankTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        tokens = [Token(t.text, t.idx, lemma=normalise_word(t.text))
                  for t in shop_nlp().make_doc(text) if t.text.strip()]
        if not tokens and text:
            tokens = [Token(text, 0, lemma=normalise_word(text))]
        return self._apply_token_pattern(tokens)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ShopEntityExtractor(GraphComponent, EntityExtractorMixin):
    """order_id, email and phone from the EntityRuler, with canonical values."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ShopEntityExtractor:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            found = [
                {"entity": e.entity, "start": e.start, "end": e.end, "value": e.value,
                 "confidence_entity": 1.0}
                for e in find_entities(message.get(TEXT) or "")
            ]
            if found:
                found = self.add_extractor_name(found)
                message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentRules(GraphComponent):
    """Phrase rules that outrank the classifier where a miss would trap the customer.

    A plain request for a person is request_human; an order request without the number is
    forgot_order_id (nlu/intent_rules.py); a closing torn between two kinds of closing is
    the likelier one; a short thanks that asks nothing is thanks, however off-topic the
    words around it looked. Runs last, after FallbackClassifier, so such a customer is never
    answered with "did you mean…?". And a store question whose best FAQ answer is a poor
    fit becomes "not sure": the fallback asks which topic, with the likeliest answers as
    buttons, instead of answering a different question.
    """

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentRules:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            text = message.get(TEXT) or ""
            if intent != "request_human" and asks_for_a_person(text):
                _choose(message, "request_human")
            elif (intent in _ORDER_INTENTS and lacks_order_number(text)
                  and not any(e.get("entity") == "order_id" for e in message.get(ENTITIES, []))):
                _choose(message, "forgot_order_id")
            elif intent == FALLBACK_INTENT and (closing := _closing_guess(message)):
                _choose(message, closing)
            elif intent in (FALLBACK_INTENT, OUT_OF_SCOPE_INTENT) and just_thanks(text):
                _choose(message, "thank_you")
            elif intent == FAQ_INTENT and _faq_answer_confidence(message) < FAQ_ANSWER_CONFIDENCE:
                # A question about the store, but no answer fits it well: asking which
                # topic is meant beats answering a different question.
                message.set(INTENT, {INTENT_NAME_KEY: FALLBACK_INTENT,
                                     PREDICTED_CONFIDENCE_KEY: FAQ_ANSWER_CONFIDENCE},
                            add_to_output=True)
        return messages


def _faq_answer_confidence(message: Message) -> float:
    """How sure the response selector is of its answer (1.0 when it has not judged)."""
    selected = ((message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(FAQ_INTENT) or {})
    return float((selected.get(RESPONSE_SELECTOR_PREDICTION_KEY) or {})
                 .get(PREDICTED_CONFIDENCE_KEY, 1.0))


def _closing_guess(message: Message) -> str | None:
    """"Baik, terima kasih. Sampai jumpa." is thanks and goodbye at once: both end the
    session the same way, so being unsure which is no reason to ask "did you mean…?"."""
    guesses = [r for r in message.get(INTENT_RANKING_KEY) or []
               if r.get(INTENT_NAME_KEY) != FALLBACK_INTENT][:2]
    torn = (len(guesses) == 2
            and all(g[INTENT_NAME_KEY] in CLOSING_INTENTS for g in guesses)
            and sum(g[PREDICTED_CONFIDENCE_KEY] for g in guesses) >= CLOSING_CONFIDENCE)
    return guesses[0][INTENT_NAME_KEY] if torn else None


def _choose(message: Message, intent: str) -> None:
    """Make `intent` the message's intent; the classifier's other guesses stay below it."""
    chosen = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or []
               if r.get(INTENT_NAME_KEY) not in (intent, FALLBACK_INTENT)]
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
