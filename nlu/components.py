"""Rasa pipeline components backed by the spaCy pipeline in nlu.patterns.

Referenced from config.yml as `nlu.components.SpacyBlankTokenizer` and
`nlu.components.ShopEntityExtractor`.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.normalise import normalise_word
from nlu.patterns import find_entities, shop_nlp


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
