"""WhatsApp (Meta Cloud API): the webhook (routes.py), reading notifications (inbound.py),
stored messages as WhatsApp messages (outbound.py) and the Graph API client (graph_api.py).

Registered at start-up when configured (outbound.register_if_configured, called by
handoff.app); settings in store.settings.WhatsAppSettings, texts under `whatsapp` in
handoff/texts. docs/whatsapp.md explains the setup.
"""
