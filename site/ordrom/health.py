"""/healthz: 200 when the database and the channel layer answer, 503 otherwise.

The body says only "ok" or "unavailable": a public probe must not learn which part failed.
"""

import asyncio
import contextlib
import logging
import time

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 2.0


def _database_answers() -> bool:
    # No close_if_unusable_or_obsolete() here: Django already calls it when the request
    # finishes (close_old_connections), and closing mid-request breaks whatever still
    # needs the connection, such as saving a signed-in visitor's session.
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("healthz: database did not answer", exc_info=True)
        return False


async def _channel_layer_answers() -> bool:
    """Send a message to a fresh channel and read it back: a real round trip."""
    layer = get_channel_layer()
    if layer is None:
        return False
    channel = None
    try:
        channel = await asyncio.wait_for(layer.new_channel(), TIMEOUT_SECONDS)
        await asyncio.wait_for(layer.send(channel, {"type": "health.ping"}), TIMEOUT_SECONDS)
        message = await asyncio.wait_for(layer.receive(channel), TIMEOUT_SECONDS)
        return message.get("type") == "health.ping"
    except Exception:
        logger.warning("healthz: channel layer did not answer", exc_info=True)
        return False
    finally:
        if channel is not None:
            await _release(layer, channel)


async def _release(layer, channel: str) -> None:
    """Forget the probe channel.

    Layers have no delete_channel(); both the in-memory and the Redis pub/sub layer
    unsubscribe a channel when a receive on it is cancelled, so that is what we do.
    """
    task = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(0)
    task.cancel()
    with contextlib.suppress(BaseException):
        await task


# After a failed probe, pages take the layer as down for this long without asking again:
# a crowd on /chat/ during an outage costs one probe per process every few seconds.
DOWN_SECONDS = 5.0
_down_until = 0.0


def channel_layer_available() -> bool:
    """Does the channel layer (Redis) answer now? For sync views that must not offer the
    live chat while it is down (/chat/ says it is temporarily unavailable instead)."""
    global _down_until
    if time.monotonic() < _down_until:
        return False
    if async_to_sync(_channel_layer_answers)():
        return True
    _down_until = time.monotonic() + DOWN_SECONDS
    return False


@never_cache
async def healthz(request):
    database_ok = await sync_to_async(_database_answers, thread_sensitive=True)()
    layer_ok = await _channel_layer_answers()
    if database_ok and layer_ok:
        return HttpResponse("ok", content_type="text/plain")
    return HttpResponse("unavailable", status=503, content_type="text/plain")
