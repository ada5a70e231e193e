"""Discord's per-route rate limit, as a webhook sees it: a bucket of 5 requests per 2 seconds for
each webhook and route (sending; reading, editing or deleting its messages; the webhook itself).

Every answer carries ``X-RateLimit-Limit``, ``-Remaining``, ``-Reset`` (Unix seconds),
``-Reset-After`` (seconds) and ``-Bucket``; the 6th request inside the window gets 429 with
``retry_after`` (seconds, in the JSON body) and a ``Retry-After`` header.
"""

from __future__ import annotations

import hashlib
import math
import threading
from dataclasses import dataclass

LIMIT = 5
WINDOW = 2.0


@dataclass
class _Window:
    reset_at: float
    used: int


class Buckets:
    def __init__(self, limit: int = LIMIT, window: float = WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()
        self.refused = 0

    def take(self, key: str, now: float) -> tuple[bool, dict[str, str], float]:
        """Spend one request of ``key``'s bucket: (allowed, headers, retry_after)."""
        with self._lock:
            window = self._windows.get(key)
            if window is None or now >= window.reset_at:
                window = self._windows[key] = _Window(now + self.window, 0)
            allowed = window.used < self.limit
            if allowed:
                window.used += 1
            else:
                self.refused += 1
            after = max(window.reset_at - now, 0.0)
            headers = {
                "X-RateLimit-Limit": str(self.limit),
                "X-RateLimit-Remaining": str(self.limit - window.used),
                "X-RateLimit-Reset": f"{window.reset_at:.3f}",
                "X-RateLimit-Reset-After": f"{after:.3f}",
                "X-RateLimit-Bucket": hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:32],
            }
            if not allowed:
                headers.update({"X-RateLimit-Scope": "shared", "Retry-After": str(max(1, math.ceil(after)))})
            return allowed, headers, after

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()
            self.refused = 0
