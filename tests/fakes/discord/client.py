"""Pointing the real discord.py at a FakeDiscord.

discord.py 2.7.1 reads two class attributes:

* ``discord.http.Route.BASE`` (``https://discord.com/api/v10``): every REST
  URL, including the interaction callback and the interaction webhook
  (``discord.webhook.async_`` builds its routes with the same ``Route``);
  only ``Webhook.url`` (a display property) hardcodes discord.com.
* ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``
  (``wss://gateway.discord.gg/``): the first connection and reconnects after
  INVALID_SESSION; resumes go to READY's ``resume_gateway_url``.

The voice websocket is always ``wss://{endpoint}/?v=8`` (gateway.py), so a
fake voice server needs TLS or its own patch.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, AsyncIterator, Iterator

import discord
import discord.gateway
import discord.http
import yarl

if TYPE_CHECKING:
    from .server import FakeDiscord


@contextlib.contextmanager
def pointed_at(fake: FakeDiscord) -> Iterator[FakeDiscord]:
    """Install the fake's URLs into discord.py for the block, then restore them."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield fake
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


@contextlib.asynccontextmanager
async def running(client: discord.Client, fake: FakeDiscord, *, timeout: float = 10.0) -> AsyncIterator[discord.Client]:
    """Log ``client`` in against ``fake``, wait for on_ready, and close it afterwards.

    Create the client with a small ``guild_ready_timeout`` (e.g. 0.05): discord.py
    waits that long after the last GUILD_CREATE before it fires on_ready.
    """
    task = asyncio.create_task(client.start(fake.token))
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not client.is_ready():
            if task.done():
                task.result()  # raises what start() raised
                raise RuntimeError("client.start() returned before READY")
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"discord.py did not become ready within {timeout}s")
            await asyncio.sleep(0.01)
        yield client
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await task
