"""channels_redis' pub/sub layer, with publishing that does not queue behind a lock.

``RedisPubSubChannelLayer`` keeps one ``asyncio.Lock`` per Redis shard and holds it for every
``publish``, ``subscribe`` and ``unsubscribe``, round trip included. Under daphne every socket
of the process shares that one lock, so all of the process's broadcasts went out one at a
time, each waiting for a Redis answer and a turn of a busy event loop: at 500 conversations
(about 100 messages a second, benchmark in docs/performance.md) a message was acknowledged to
its sender in under a second but reached the other side seconds later, queued for the lock.

The lock guards the shard's one pub/sub connection (its subscriptions). A publish needs none
of that: it goes through the Redis client's connection pool, which serves concurrent
commands on separate connections. So here ``publish`` skips the lock (at most
PUBLISH_CONCURRENCY at once, within the pool's size); subscribing and unsubscribing keep it.
Everything else is channels_redis as it is.
"""

from __future__ import annotations

import asyncio

from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)
from channels_redis.utils import _wrap_close

# Publishes in flight at once per shard; the rest wait their turn here. Well under the Redis
# client's pool size (100 connections), which refuses a command past it rather than waiting.
PUBLISH_CONCURRENCY = 32


class _Shard(RedisSingleShardConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._publishing = asyncio.Semaphore(PUBLISH_CONCURRENCY)

    async def publish(self, channel, message):
        async with self._publishing:
            self._ensure_redis()  # synchronous: no other task runs in between
            await self._redis.publish(channel, message)


class _LoopLayer(RedisPubSubLoopLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._shards = [_Shard(shard.host, self) for shard in self._shards]


class PubSubChannelLayer(RedisPubSubChannelLayer):
    def _get_layer(self):
        loop = asyncio.get_running_loop()
        try:
            return self._layers[loop]
        except KeyError:
            layer = self._layers[loop] = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
            return layer
