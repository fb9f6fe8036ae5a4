"""Text understanding shared by Rasa, the action server and the gateway.

`patterns` and `language` are plain Python (spaCy, lingua); only `components`
imports Rasa, so the action server and gateway stay light.
"""
