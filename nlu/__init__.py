"""What the Rasa server loads from this repository, and the text understanding it shares.

Inside Rasa: `components` (the NLU pipeline's tokenizer/entity and language components,
named in config.yml) and `gateway_channel` (the input channel the gateway talks through,
named in credentials.yml). Shared with the action server, the gateway and the store:
`patterns` (order numbers, emails, phones) and `language` (language detection) are plain
Python (spaCy, lingua); only `components` and `gateway_channel` import Rasa, so the other
processes stay light. `knowledge` generates the FAQ responses from data/knowledge.
"""
