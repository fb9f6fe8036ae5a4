"""The handoff service: conversations, handoffs to human agents, surveys and the gateway.

Importing this package is cheap on purpose: the action server imports `store.conversations`
without pulling in the web stack.
"""
