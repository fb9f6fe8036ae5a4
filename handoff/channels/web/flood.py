"""Flood limits of the website chat, per connection and per client address.

Per connection: customer messages and `start` frames in a sliding window. Per
client address (the peer, or the X-Forwarded-For address when the peer is a trusted proxy:
see TRUSTED_PROXIES): open sockets at once and new conversations in the window. The
address counters live as long as the gateway process, so closing the socket and opening
another one resets nothing. Each gateway process keeps its own counters; behind a load
balancer with N gateways an address can reach at most N times the limits.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from store.settings import Settings

Clock = Callable[[], float]
# Addresses remembered at most; beyond it the ones with nothing in their window are dropped.
MAX_TRACKED_ADDRESSES = 50_000


class SlidingWindow:
    """At most `limit` accepted events in any `window` seconds.

    Only accepted events count, so a widget retrying a refused message every few seconds
    gets through as soon as the window has room again.
    """

    def __init__(self, limit: int, window: float, clock: Clock = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._accepted: deque[float] = deque()

    def retry_after(self) -> int:
        """0 when an event may happen now, else the seconds until one may."""
        now = self.clock()
        while self._accepted and self._accepted[0] <= now - self.window:
            self._accepted.popleft()
        if len(self._accepted) < self.limit:
            return 0
        return max(1, math.ceil(self._accepted[0] + self.window - now))

    def accepted(self) -> None:
        self._accepted.append(self.clock())

    def empty(self) -> bool:
        self.retry_after()  # drops what has left the window
        return not self._accepted


class AddressLimits:
    """What every connection of one gateway process from one client address shares."""

    def __init__(self, sockets: int, conversations: int, window: float,
                 clock: Clock = time.monotonic, max_uploads: int = 20) -> None:
        self.max_sockets, self.max_conversations = sockets, conversations
        self.window, self.clock = window, clock
        self._open: dict[str, int] = {}
        self._conversations: dict[str, SlidingWindow] = {}
        # Photo and video uploads (HTTP, not the socket): as many as messages per window.
        self.max_uploads = max_uploads
        self._uploads: dict[str, SlidingWindow] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> AddressLimits:
        return cls(settings.chat_sockets_per_address, settings.chat_conversations_per_address,
                   settings.chat_window_seconds, max_uploads=settings.chat_message_limit)

    def connect(self, address: str) -> bool:
        """Count a new socket from `address`; False (and nothing counted) when it has too many."""
        if self._open.get(address, 0) >= self.max_sockets:
            return False
        self._open[address] = self._open.get(address, 0) + 1
        return True

    def disconnect(self, address: str) -> None:
        left = self._open.get(address, 0) - 1
        if left > 0:
            self._open[address] = left
        else:
            self._open.pop(address, None)

    def conversation_retry_after(self, address: str) -> int:
        """0 when `address` may start another conversation now, else the seconds to wait."""
        window = self._conversations.get(address)
        return window.retry_after() if window else 0

    def conversation_started(self, address: str) -> None:
        self._count(self._conversations, address, self.max_conversations)

    def upload_retry_after(self, address: str) -> int:
        """0 when `address` may upload another file now, else the seconds to wait."""
        window = self._uploads.get(address)
        return window.retry_after() if window else 0

    def upload_accepted(self, address: str) -> None:
        self._count(self._uploads, address, self.max_uploads)

    def _count(self, windows: dict[str, SlidingWindow], address: str, limit: int) -> None:
        if address not in windows:
            self._forget_idle_addresses(windows)
            windows[address] = SlidingWindow(limit, self.window, self.clock)
        windows[address].accepted()

    @staticmethod
    def _forget_idle_addresses(windows: dict[str, SlidingWindow]) -> None:
        if len(windows) < MAX_TRACKED_ADDRESSES:
            return
        for address in [a for a, window in windows.items() if window.empty()]:
            del windows[address]


__all__ = ["MAX_TRACKED_ADDRESSES", "AddressLimits", "SlidingWindow"]
