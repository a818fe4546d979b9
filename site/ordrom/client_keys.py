"""A keyed, daily-rotating hash of the client address, for rate limits only.

The address itself is never stored or logged (DESIGN.md, anonymous by design). Rate
limits need *some* per-client key, so they get an HMAC of the address under a key derived
from SECRET_KEY and today's date: it lives only in the cache, and tomorrow's hash of the
same address is unrelated to today's.
"""

from __future__ import annotations

import hashlib
import hmac

from allauth.core.internal.httpkit import get_client_ip
from django.conf import settings
from django.utils import timezone


def client_key(request, *, now=None) -> str:
    address = get_client_ip(request) or "unknown"
    day = (now or timezone.now()).strftime("%Y-%m-%d")
    key = hashlib.sha256(f"ordrom-client-key:{day}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]
