"""Direct messages, sent in the background and paced: a stage never waits on them, and closing a stage with
thousands of raised hands, or telling 5,000 followers of one opening, does not flood Discord with DM channels.

Two queues, one worker: a stage's own messages (you have the floor, your hand was lowered) go first, at their
pace; messages to many members at once (a stage's followers) go when none of those waits, at theirs. Every
request also passes the global limit (global_limit.py), and discord.py waits out a 429's retry_after."""

from __future__ import annotations

import asyncio
import logging
import uuid

import discord

from adapters.pacing import Pacer
from bot.services.effects import current

log = logging.getLogger(__name__)

Queued = tuple[str, str, str | None, asyncio.Future[None] | None]


class DirectMessages:
    def __init__(self, *, client: discord.Client, pacer: Pacer, bulk_pacer: Pacer | None = None) -> None:
        self._client, self._pacer, self._bulk_pacer = client, pacer, bulk_pacer or pacer
        self._queue: asyncio.Queue[Queued] = asyncio.Queue()
        self._bulk: asyncio.Queue[Queued] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.sent = 0
        self.undeliverable = 0

    def send(self, user_id: str, text: str, *, bulk: bool = False) -> None:
        # The outbox effect being delivered (if any) names the message: Discord answers a repeated send of
        # it (after a restart, or discord.py retrying a 5xx) with the first one instead of a second DM.
        # The outbox marks that effect done once Discord accepted the message, not now: a kill before it
        # went out leaves the effect stored, and the next start sends it.
        delivery = current()
        accepted: asyncio.Future[None] | None = None
        if delivery is not None:
            accepted = asyncio.get_running_loop().create_future()
            delivery.after(accepted)
        queue = self._bulk if bulk else self._queue
        queue.put_nowait((user_id, text, delivery.nonce if delivery is not None else None, accepted))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._work(), name="discord:direct-messages")

    @property
    def waiting(self) -> int:
        return self._queue.qsize() + self._bulk.qsize()

    async def drain(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(asyncio.gather(self._queue.join(), self._bulk.join()), timeout)
        except TimeoutError:
            log.warning("%d direct messages were not sent before stopping", self.waiting)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for queue in (self._queue, self._bulk):
            while not queue.empty():  # never sent: their effects stay in the outbox for the next start
                *_, accepted = queue.get_nowait()
                if accepted is not None and not accepted.done():
                    accepted.cancel()
                queue.task_done()

    async def _work(self) -> None:
        while not (self._queue.empty() and self._bulk.empty()):
            queue, pacer = (self._queue, self._pacer) if not self._queue.empty() else (self._bulk, self._bulk_pacer)
            user_id, text, nonce, accepted = queue.get_nowait()
            failure: BaseException | None = None
            try:
                await pacer.wait()
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
                queue.task_done()
                if accepted is not None and not accepted.done():
                    if failure is None:
                        accepted.set_result(None)
                    elif isinstance(failure, asyncio.CancelledError):
                        accepted.cancel()
                    else:
                        accepted.set_exception(failure)
