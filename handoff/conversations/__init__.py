"""The message flow: every customer, bot, agent and system message goes through flow.py.

flow.py stores each message (through store.transcript) and routes it; rasa_client.py talks
to Rasa (callback.py receives what it says on its own); turn_lock.py keeps one bot exchange
per conversation; idle.py asks the survey after a silence.
"""
