"""The shop database both processes share: the gateway (handoff/) and the action server
(actions/) import this package and never each other.

Settings (store.settings, the one Settings object), engine and sessions (store.db), the tables
(store.models, store.orders.models, store.audit, store.throttle), the write functions the
actions call (store.conversations, store.orders.lookup), the transcript (store.transcript),
the messages awaiting the bot's reply (store.pending_replies), opening hours (store.hours),
the wait estimate (store.waits), follow-up contacts and resume links (store.follow_up) and
the migrations (store.migrate, store/alembic). Importing it
is cheap: nothing touches the database at import.
"""
