"""Every setting of every process, in one object read once from the environment.

Embedded defaults (SQLite file under var/, in-memory fan-out, one process each) make a
fresh clone run without configuration; README "Configuration" lists the variables.
The gateway, the action server and the scripts all call get_settings(); nothing else
reads os.environ for a setting. Tests that change the environment call
get_settings.cache_clear().
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHOP_VAR_DIR", ROOT / "var"))


def _default_database_url() -> str:
    return f"sqlite:///{VAR_DIR / 'shop.db'}"


def _parse_hours(value: str) -> tuple[time, time]:
    """'08:00-21:00' -> (08:00, 21:00); a clear error for anything else."""
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError as error:
        raise ValueError(f"OPENING_HOURS must look like 08:00-21:00, got {value!r}") from error
    if start >= end:
        raise ValueError(f"OPENING_HOURS must open before it closes, got {value!r}")
    return start, end


DEFAULT_TOKEN_HOURS = 12.0
DEFAULT_SQLITE_BUSY_SECONDS = 5.0
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
# What has to be set for the WhatsApp channel to work; the URL and version have defaults.
WHATSAPP_REQUIRED = ("WHATSAPP_VERIFY_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_ACCESS_TOKEN",
                     "WHATSAPP_PHONE_NUMBER_ID")


def _positive_number(name: str, raw: str, default: float) -> float:
    """A positive number from the environment (empty: the default); a clear error otherwise."""
    try:
        value = float(raw) if raw.strip() else default
    except ValueError as error:
        raise ValueError(f"{name} must be a number, got {raw!r}") from error
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {raw!r}")
    return value


def _parse_log_format(raw: str) -> str:
    value = raw.strip().lower() or "text"
    if value not in ("text", "json"):
        raise ValueError(f"LOG_FORMAT must be text or json, got {raw!r}")
    return value


@dataclass(frozen=True)
class WhatsAppSettings:
    """The WhatsApp Cloud API channel. Optional: without them the gateway runs and the
    webhook says clearly that WhatsApp is not configured."""

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

    def graph_url(self, *path: str) -> str:
        """{base}/{version}/{path…}: every Graph API call of the channel."""
        return "/".join((self.api_base_url.rstrip("/"), self.api_version.strip("/"), *path))

    @property
    def messages_url(self) -> str:
        return self.graph_url(self.phone_number_id, "messages")

    @property
    def media_url(self) -> str:
        """Where files are uploaded before they are sent (POST, multipart)."""
        return self.graph_url(self.phone_number_id, "media")


def _parse_template_languages(raw: str) -> dict[str, str]:
    """'id=id,en=en_US' -> {"id": "id", "en": "en_US"}: the conversation's language -> the
    language code the WhatsApp template was approved in."""
    pairs = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        language, _, code = item.partition("=")
        if not (language.strip() and code.strip()):
            raise ValueError(f"WHATSAPP_TEMPLATE_LANGUAGES must look like id=id,en=en_US, "
                             f"got {raw!r}")
        pairs[language.strip()] = code.strip()
    return pairs


@dataclass(frozen=True)
class FollowUpSettings:
    """Replies that reach customers who left the website chat: by email (SMTP) or WhatsApp.

    Email is offered only with SMTP_URL set; WhatsApp only when the WhatsApp channel is
    configured. Links in those messages open CHAT_PAGE_URL with the same conversation."""

    smtp_url: str = ""  # smtp://host:25, smtp+starttls://user:pass@host:587, smtps://…:465
    sender: str = "Toko Nusa <cs@tokonusa.id>"
    chat_page_url: str = "http://127.0.0.1:8000/"
    resume_link_days: float = 7.0
    # An approved WhatsApp template for when the 24-hour window is closed; its body has one
    # parameter, {{1}}, the message. Empty: nothing is sent outside the window.
    whatsapp_template: str = ""
    whatsapp_template_languages: dict[str, str] = field(
        default_factory=lambda: {"id": "id", "en": "en"})

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_url)


def _parse_storage(raw: str) -> str:
    value = raw.strip().lower() or "local"
    if value not in ("local", "s3"):
        raise ValueError(f"ATTACHMENT_STORAGE must be local or s3, got {raw!r}")
    return value


@dataclass(frozen=True)
class AttachmentSettings:
    """Photos and short videos in conversations (store.attachments): how big, and where
    they are kept. ATTACHMENT_STORAGE=s3 needs ATTACHMENT_S3_BUCKET (and, for a service
    other than AWS, ATTACHMENT_S3_ENDPOINT_URL); credentials come the way boto3 finds them."""

    image_max_mb: float = 10.0
    video_max_mb: float = 16.0  # WhatsApp's own limit for videos
    storage: str = "local"
    folder: Path = field(default_factory=lambda: VAR_DIR / "attachments")
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    s3_prefix: str = "attachments/"

    def max_bytes(self, kind: str) -> int:
        return int((self.video_max_mb if kind == "video" else self.image_max_mb) * 1024 * 1024)

    @property
    def upload_max_bytes(self) -> int:
        """The largest body an upload may have, whatever it turns out to be."""
        return max(self.max_bytes("image"), self.max_bytes("video"))


def _attachment_settings(env: Mapping[str, str]) -> AttachmentSettings:
    storage = _parse_storage(env.get("ATTACHMENT_STORAGE", ""))
    bucket = env.get("ATTACHMENT_S3_BUCKET", "").strip()
    if storage == "s3" and not bucket:
        raise ValueError("ATTACHMENT_STORAGE=s3 needs ATTACHMENT_S3_BUCKET")
    return AttachmentSettings(
        image_max_mb=_positive_number("ATTACHMENT_IMAGE_MAX_MB",
                                      env.get("ATTACHMENT_IMAGE_MAX_MB", ""), 10.0),
        video_max_mb=_positive_number("ATTACHMENT_VIDEO_MAX_MB",
                                      env.get("ATTACHMENT_VIDEO_MAX_MB", ""), 16.0),
        storage=storage,
        folder=Path(env.get("ATTACHMENT_DIR") or VAR_DIR / "attachments"),
        s3_bucket=bucket,
        s3_endpoint_url=env.get("ATTACHMENT_S3_ENDPOINT_URL", "").strip(),
        s3_region=env.get("ATTACHMENT_S3_REGION", "").strip(),
        s3_prefix=env.get("ATTACHMENT_S3_PREFIX", "attachments/"),
    )


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    # SQLite only: a write waits this long for another connection's write to finish
    # (SQLite's own growing back-off), before the unit of work is tried again or refused.
    sqlite_busy_seconds: float = DEFAULT_SQLITE_BUSY_SECONDS
    timezone: str = "Asia/Jakarta"
    opening_hours: tuple[time, time] = (time(8, 0), time(21, 0))
    default_language: str = "id"
    # Used for wait estimates until enough handoffs were resolved to measure it.
    default_handling_minutes: float = 6.0
    # A wait longer than this is not "soon": the customer is offered email or WhatsApp.
    long_wait_minutes: float = 15.0
    idle_minutes: float = 10.0
    rasa_url: str = "http://127.0.0.1:5005"
    # Website chat flood limits, each within one window of chat_window_seconds: customer
    # messages and start frames per connection; new conversations per client address;
    # and open sockets per client address at any moment.
    chat_message_limit: int = 20
    chat_window_seconds: float = 60.0
    chat_starts_per_connection: int = 3
    chat_conversations_per_address: int = 10
    chat_sockets_per_address: int = 20
    # Peers whose X-Forwarded-For names the client (addresses or networks, comma-separated;
    # "" trusts none). Only a proxy that overwrites the header belongs here (nginx does).
    trusted_proxies: str = "127.0.0.1,::1"
    # A widget's resume token works until this many hours after the conversation's last
    # message (or its close); after that the widget starts a new conversation.
    resume_hours: float = 24.0
    # `python -m handoff.ops.privacy purge` anonymises conversations closed longer ago than this.
    retention_days: int = 365
    # Agent API tokens expire after this many hours.
    token_hours: float = DEFAULT_TOKEN_HOURS
    # Gateways' live updates and turn lock: "memory" (one instance) or "redis" (several).
    live_fanout: str = "memory"
    redis_url: str = DEFAULT_REDIS_URL
    whatsapp: WhatsAppSettings = field(default_factory=WhatsAppSettings)
    # The internal doors (docs/security.md). Rasa's HTTP API and the gateway channel want
    # this token; Rasa calls the action server with its secret; Rasa signs what it posts to
    # the gateway's callback with the third. scripts/env.sh makes random ones per machine.
    rasa_auth_token: str = ""
    action_server_secret: str = ""
    callback_secret: str = ""
    # Where Rasa and the action server listen: loopback unless a private interface is set.
    rasa_interface: str = "127.0.0.1"
    actions_interface: str = "127.0.0.1"
    follow_up: FollowUpSettings = field(default_factory=FollowUpSettings)
    attachments: AttachmentSettings = field(default_factory=AttachmentSettings)
    # Sites other than the gateway's own that embed the chat widget (data-gateway): their
    # pages may upload and fetch the conversation's photos (CORS on /chat/ and
    # /attachments/ only). Empty: the widget is served from the gateway's origin.
    widget_origins: tuple[str, ...] = ()
    # The gateway's logs: "text" (development) or "json", one object per line with the
    # conversation and message ids and no personal data (the production layout).
    log_format: str = "text"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    return Settings(
        database_url=env.get("DATABASE_URL") or _default_database_url(),
        sqlite_busy_seconds=_positive_number("SQLITE_BUSY_SECONDS",
                                             env.get("SQLITE_BUSY_SECONDS", ""),
                                             DEFAULT_SQLITE_BUSY_SECONDS),
        timezone=env.get("SHOP_TIMEZONE", "Asia/Jakarta"),
        opening_hours=_parse_hours(env.get("OPENING_HOURS", "08:00-21:00")),
        default_language=env.get("DEFAULT_LANGUAGE", "id"),
        default_handling_minutes=float(env.get("DEFAULT_HANDLING_MINUTES", "6")),
        long_wait_minutes=float(env.get("LONG_WAIT_MINUTES", "15")),
        idle_minutes=float(env.get("IDLE_MINUTES", "10")),
        rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005"),
        chat_message_limit=int(env.get("CHAT_MESSAGE_LIMIT", "20")),
        chat_window_seconds=float(env.get("CHAT_WINDOW_SECONDS", "60")),
        chat_starts_per_connection=int(env.get("CHAT_STARTS_PER_CONNECTION", "3")),
        chat_conversations_per_address=int(env.get("CHAT_CONVERSATIONS_PER_ADDRESS", "10")),
        chat_sockets_per_address=int(env.get("CHAT_SOCKETS_PER_ADDRESS", "20")),
        trusted_proxies=env.get("TRUSTED_PROXIES", "127.0.0.1,::1"),
        resume_hours=float(env.get("RESUME_HOURS") or "24"),
        retention_days=int(env.get("RETENTION_DAYS", "365")),
        token_hours=_positive_number("TOKEN_HOURS", env.get("TOKEN_HOURS", ""),
                                     DEFAULT_TOKEN_HOURS),
        live_fanout=(env.get("LIVE_FANOUT") or "memory").strip().lower(),
        redis_url=env.get("REDIS_URL") or DEFAULT_REDIS_URL,
        whatsapp=WhatsAppSettings(
            verify_token=env.get("WHATSAPP_VERIFY_TOKEN", ""),
            app_secret=env.get("WHATSAPP_APP_SECRET", ""),
            access_token=env.get("WHATSAPP_ACCESS_TOKEN", ""),
            phone_number_id=env.get("WHATSAPP_PHONE_NUMBER_ID", ""),
            api_base_url=env.get("WHATSAPP_API_BASE_URL") or "https://graph.facebook.com",
            api_version=env.get("WHATSAPP_API_VERSION") or "v19.0",
        ),
        rasa_auth_token=env.get("RASA_AUTH_TOKEN", ""),
        action_server_secret=env.get("ACTION_SERVER_SECRET", ""),
        callback_secret=env.get("CALLBACK_SECRET", ""),
        rasa_interface=env.get("RASA_INTERFACE") or "127.0.0.1",
        actions_interface=env.get("ACTIONS_INTERFACE") or "127.0.0.1",
        follow_up=FollowUpSettings(
            smtp_url=env.get("SMTP_URL", "").strip(),
            sender=env.get("SMTP_FROM") or FollowUpSettings.sender,
            chat_page_url=env.get("CHAT_PAGE_URL") or FollowUpSettings.chat_page_url,
            resume_link_days=float(env.get("RESUME_LINK_DAYS") or "7"),
            whatsapp_template=env.get("WHATSAPP_TEMPLATE_NAME", "").strip(),
            whatsapp_template_languages=_parse_template_languages(
                env.get("WHATSAPP_TEMPLATE_LANGUAGES") or "id=id,en=en"),
        ),
        attachments=_attachment_settings(env),
        widget_origins=tuple(origin.strip().rstrip("/") for origin in
                             env.get("WIDGET_ORIGINS", "").split(",") if origin.strip()),
        log_format=_parse_log_format(env.get("LOG_FORMAT", "")),
    )
