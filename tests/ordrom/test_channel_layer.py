"""The channel layer the chat broadcasts through (ordrom.channel_layer, on Redis pub/sub).

It publishes without channels_redis' per-shard lock, so many sockets broadcast at once; every
broadcast must still arrive, also with more in flight than the Redis client's pool holds.
"""

from __future__ import annotations

import asyncio
import os
import secrets

import pytest
from asgiref.sync import async_to_sync

from ordrom.channel_layer import PUBLISH_CONCURRENCY, PubSubChannelLayer

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")

BROADCASTS = 300  # three times the Redis client's default pool of 100 connections


def test_every_broadcast_arrives_with_hundreds_sent_at_once():
    assert BROADCASTS > 2 * PUBLISH_CONCURRENCY

    async def scenario():
        layer = PubSubChannelLayer(
            hosts=[os.environ["REDIS_URL"]], prefix=f"test-layer-{secrets.token_hex(4)}"
        )
        try:
            listener = await layer.new_channel()
            other = await layer.new_channel()
            await layer.group_add("chat.conv.1", listener)
            await layer.group_add("chat.conv.1", other)
            await asyncio.gather(
                *(
                    layer.group_send("chat.conv.1", {"type": "chat.message", "n": n})
                    for n in range(BROADCASTS)
                )
            )
            got = {listener: [], other: []}
            for channel, received in got.items():
                for _ in range(BROADCASTS):
                    message = await asyncio.wait_for(layer.receive(channel), timeout=10)
                    received.append(message["n"])
            return got
        finally:
            await layer.flush()

    got = async_to_sync(scenario)()
    for received in got.values():
        assert sorted(received) == list(range(BROADCASTS))
