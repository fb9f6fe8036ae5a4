"""Rasa pipeline components backed by the spaCy pipeline in nlu.patterns.

Referenced from config.yml as `nlu.components.SpacyBlankTokenizer`,
`nlu.components.ShopEntityExtractor` and `nlu.components.PersonRequestRule`.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
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

from nlu.normalise import normalise_word
from nlu.patterns import find_entities, shop_nlp
from nlu.person_request import asks_for_a_person

PERSON_INTENT = "request_human"


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
class PersonRequestRule(GraphComponent):
    """A plain request for a person is request_human, whatever the classifier weighed.

    Runs after the classifier and before FallbackClassifier, so a customer who asks for a
    human is never answered with "did you mean…?" (nlu/person_request.py).
    """

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PersonRequestRule:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) == PERSON_INTENT:
                continue
            if not asks_for_a_person(message.get(TEXT) or ""):
                continue
            chosen = {INTENT_NAME_KEY: PERSON_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or []
                       if r.get(INTENT_NAME_KEY) != PERSON_INTENT]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
        return messages
