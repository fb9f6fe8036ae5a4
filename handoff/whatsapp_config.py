"""WhatsApp Cloud API settings, read from the environment like store.settings.

Kept apart from store.settings.Settings because the channel is optional: the gateway runs
without any of these, and the webhook then says clearly that WhatsApp is not configured.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

# What has to be set for the channel to work; the URL and version have defaults.
REQUIRED = ("WHATSAPP_VERIFY_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_ACCESS_TOKEN",
            "WHATSAPP_PHONE_NUMBER_ID")


@dataclass(frozen=True)
class WhatsAppSettings:
    verify_token: str = ""
    app_secret: str = ""
    access_token: str = ""
    phone_number_id: str = ""
    api_base_url: str = "https://graph.facebook.com"
    api_version: str = "v19.0"

    @property
    def enabled(self) -> bool:
        return all((self.verify_token, self.app_secret, self.access_token,
                    self.phone_number_id))

    @property
    def messages_url(self) -> str:
        return (f"{self.api_base_url.rstrip('/')}/{self.api_version.strip('/')}/"
                f"{self.phone_number_id}/messages")


@lru_cache(maxsize=1)
def get_whatsapp_settings() -> WhatsAppSettings:
    env = os.environ
    return WhatsAppSettings(
        verify_token=env.get("WHATSAPP_VERIFY_TOKEN", ""),
        app_secret=env.get("WHATSAPP_APP_SECRET", ""),
        access_token=env.get("WHATSAPP_ACCESS_TOKEN", ""),
        phone_number_id=env.get("WHATSAPP_PHONE_NUMBER_ID", ""),
        api_base_url=env.get("WHATSAPP_API_BASE_URL") or "https://graph.facebook.com",
        api_version=env.get("WHATSAPP_API_VERSION") or "v19.0",
    )
