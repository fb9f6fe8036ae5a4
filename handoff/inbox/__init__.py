"""The agent inbox: the handoff queue (handoffs.py, HTTP), claiming and transferring
(assignment.py), live events for agents' screens (events.py, SSE), canned replies (canned.py).
"""
