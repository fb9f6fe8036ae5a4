"""Agents and their access: accounts (accounts.py, also a CLI), password hashing and API tokens
(credentials.py), FastAPI dependencies that check them (deps.py), login (login.py, HTTP) and
admin (admin.py, HTTP: accounts and the audit log). Attempt counters live in store.throttle.
"""
