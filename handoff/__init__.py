"""The gateway service (ASGI): every customer message passes through here.

Read it top to bottom: channels/ (where customers are: web/, whatsapp/) → conversations/
(store each message, route it to Rasa or to a person, bot replies back) → inbox/ (agents
work handoffs) → ops/ (transcripts, metrics, export, privacy) → auth/ (accounts, logins,
tokens). Beside them: app.py wires the routers, live.py fans updates out, texts/ holds every
customer-facing text, pages.py and static/ the HTML pages and the chat widget. Tables and the
write functions it shares with the action server live in store/.
"""
