"""The website chat: the widget's WebSocket (routes.py, inbound), frames to every widget on a
conversation (outbound.py) and the widget script with its texts (widget.py).

The web chat is the channel conversations fall back to, so it needs no registering.
"""
