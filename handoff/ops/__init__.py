"""Ops review: transcripts (transcripts.py, HTTP; search.py, export.py), service metrics
(metrics.py; dashboard.py, HTTP) and the privacy commands (privacy.py: retention purge, a
customer's export and deletion). Every view masks personal data through handoff.redaction.
"""
