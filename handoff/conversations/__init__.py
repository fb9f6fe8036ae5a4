"""The message flow: every customer, bot, agent and system message goes through flow.py.

flow.py stores and routes; transcript.py appends to the per-conversation sequence;
rasa_client.py talks to Rasa (callback.py receives what it says on its own); turn_lock.py
keeps one bot exchange per conversation; idle.py asks the survey after a silence.
"""
