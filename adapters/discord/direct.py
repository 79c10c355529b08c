"""Direct messages, sent in the background and paced: a stage never waits on them, and closing a stage with
thousands of raised hands does not flood Discord with DM channels."""

from __future__ import annotations

import asyncio
import logging
import uuid

import discord

from adapters.discord.pacing import Pacer
from bot.services.effects import current

log = logging.getLogger(__name__)


class DirectMessages:
    def __init__(self, *, client: discord.Client, pacer: Pacer) -> None:
        self._client, self._pacer = client, pacer
        self._queue: asyncio.Queue[tuple[str, str, str | None, asyncio.Future[None] | None]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.sent = 0
        self.undeliverable = 0

    def send(self, user_id: str, text: str) -> None:
        # The outbox effect being delivered (if any) names the message: Discord answers a repeated send of
        # it (after a restart, or discord.py retrying a 5xx) with the first one instead of a second DM.
        # The outbox marks that effect done once Discord accepted the message, not now: a kill before it
        # went out leaves the effect stored, and the next start sends it.
        delivery = current()
        accepted: asyncio.Future[None] | None = None
        if delivery is not None:
            accepted = asyncio.get_running_loop().create_future()
            delivery.after(accepted)
        self._queue.put_nowait((user_id, text, delivery.nonce if delivery is not None else None, accepted))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._work(), name="discord:direct-messages")

    async def drain(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._queue.join(), timeout)
        except TimeoutError:
            log.warning("%d direct messages were not sent before stopping", self._queue.qsize())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        while not self._queue.empty():  # never sent: their effects stay in the outbox for the next start
            *_, accepted = self._queue.get_nowait()
            if accepted is not None and not accepted.done():
                accepted.cancel()
            self._queue.task_done()

    async def _work(self) -> None:
        while not self._queue.empty():
            user_id, text, nonce, accepted = self._queue.get_nowait()
            failure: BaseException | None = None
            try:
                await self._pacer.wait()
                channel = await self._client.create_dm(discord.Object(id=int(user_id)))
                await channel.send(text, allowed_mentions=discord.AllowedMentions.none(),
                                   nonce=nonce or uuid.uuid4().hex[:25])
                self.sent += 1
            except discord.Forbidden:
                self.undeliverable += 1  # the member closed their DMs: nothing to do about it
                log.info("member %s does not take direct messages", user_id)
            except (discord.HTTPException, OSError) as error:
                self.undeliverable += 1
                log.warning("direct message to %s failed: %r", user_id, error)
                if isinstance(error, OSError) or error.status == 429 or error.status >= 500:
                    failure = error  # worth another try: the effect stays in the outbox
            except asyncio.CancelledError:
                failure = asyncio.CancelledError()
                raise
            finally:
                self._queue.task_done()
                if accepted is not None and not accepted.done():
                    if failure is None:
                        accepted.set_result(None)
                    elif isinstance(failure, asyncio.CancelledError):
                        accepted.cancel()
                    else:
                        accepted.set_exception(failure)
