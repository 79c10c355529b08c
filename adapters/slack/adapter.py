"""The Slack adapter assembled: one bolt AsyncApp whose listeners turn Slack's requests into core commands.

    adapter = assemble(app, settings)                    # assembly.py; the Web API client follows SLACK_API_URL
    await adapter.start()                                # its platform registered (app.start() migrated)
    ... serve adapter.bolt over HTTP or Socket Mode ...
    await adapter.stop()
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp

from adapters.slack.announcements import Announcer
from adapters.slack.board_turns import BoardTurns
from adapters.slack.boards import BoardKeeper
from adapters.slack.directory import PLATFORM, Directory
from adapters.slack.platform import SlackPlatform
from adapters.slack.replies import Replies
from adapters.pacing import Pacer
from adapters.slack.settings import SlackSettings
from adapters.slack.state import SlackState
from adapters.slack.text import is_group_id
from bot.bootstrap import App
from bot.domain import commands as c
from bot.domain.members import Actor
from bot.i18n.message import Message
from bot.surface.gateway import Place, judged


log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Where:
    """Who acts, and where: the workspace, the channel (None from App Home), the thread."""

    team_id: str
    user_id: str
    channel_id: str | None = None
    thread_ts: str | None = None


class SlackAdapter:
    def __init__(self, app: App, settings: SlackSettings, *, client: Any, board_interval: float = 1.0) -> None:
        self.app, self.settings, self.client = app, settings, client
        self.state = SlackState(app.db)
        self.directory = Directory(client, moderators=settings.moderators, locales=app.locales)
        self.keeper = BoardKeeper(client=client, boards=app.boards, state=self.state, locales=app.locales,
                                  interval=board_interval)
        self.keeper.marks = app.community.marks
        if app.db.shared:  # replicas may share the database: one editor at a time per stage
            self.keeper.turns = BoardTurns(app.db, editor=app.outbox.owner, interval=board_interval)
            self.keeper.fresh = app.queries.board
        self.announcer = Announcer(client=client, state=self.state, locales=app.locales,
                                   reminder_lead=app.settings.schedule_reminder_lead, interval=board_interval)
        self.platform = SlackPlatform(client=client, keeper=self.keeper, announcer=self.announcer, state=self.state,
                                      queries=app.queries, locales=app.locales,
                                      followers=Pacer(rate=settings.dm_rate, burst=max(1, round(settings.dm_rate))))
        self.replies = Replies(client=client, directory=self.directory, inbox=app.requests, now=app.clock.now)
        self._replaying: asyncio.Task[None] | None = None
        self._events: set[asyncio.Task[Any]] = set()  # events being worked on after their ack
        self.huddle_lock = asyncio.Lock()  # huddle events change shared bindings: one at a time
        self.bolt = self._bolt()  # its listeners are registered by assembly.assemble, which builds adapters

    def _bolt(self) -> AsyncApp:
        http = self.settings.app_token is None
        secret = self.settings.signing_secret
        return AsyncApp(client=self.client, signing_secret=secret.get_secret_value() if secret else "",
                        request_verification_enabled=http, process_before_response=True)

    async def start(self) -> None:
        self.app.register(self.platform, connected=False)
        # What waited for Slack goes out first (effects committed while it was away or left undelivered
        # by a previous run), then the boards are repaired and kept requests worked through.
        await self.app.connected(PLATFORM)
        self._replaying = asyncio.create_task(self._recover(), name="slack:recover")

    async def _recover(self) -> None:
        """After a start, once what waited went out: every live stage's board is made current, then the
        requests acked but not yet committed when the bot last stopped are worked through.

        Boards already on Slack are brought up to date first: what waited may be held back by Slack's rate
        limits for seconds (posts in one channel go out about one a second), and editing a board twice shows
        nothing twice. Boards not recorded wait for what waited, which may be their own post."""
        for ref in await self.app.queries.live_stages(PLATFORM):
            if await self.app.boards.get(ref.stage_id) is not None:
                self.keeper.show(await self.app.queries.board(ref.stage_id))
        await self.app.dispatcher.drain()
        for ref in await self.app.queries.live_stages(PLATFORM):
            try:
                await self.keeper.repair(await self.app.queries.board(ref.stage_id))
            except Exception:
                log.exception("slack: repairing the board of stage %s failed", ref.stage_id)
        await self._replay_kept()

    async def _replay_kept(self) -> None:
        """Requests acked while their command had not yet committed when the bot last stopped: worked
        through once, in the order they came (no signature to check: they were checked when they came)."""
        from slack_bolt.request.async_request import AsyncBoltRequest

        from adapters.slack.replies import REPLAYED

        for kept in await self.app.requests.pending(PLATFORM):
            try:
                await self.bolt.async_dispatch(AsyncBoltRequest(body={**kept.body, REPLAYED: kept.key},
                                                                mode="socket_mode"))
            except Exception:
                log.exception("slack: working through kept request %s failed", kept.key)

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work, name="slack:event")
        self._events.add(task)
        task.add_done_callback(self._events.discard)

    async def stop(self) -> None:
        self.replies.abandon()
        if self._replaying is not None:
            self._replaying.cancel()
            await asyncio.gather(self._replaying, return_exceptions=True)
        await asyncio.gather(*self._events, return_exceptions=True)
        await self.replies.drain()
        await self.app.dispatcher.drain()
        await self.keeper.drain()
        await self.announcer.drain()

    async def settle(self) -> None:
        """Waits until the core's platform work and the board and announcement edits it asked for are done
        (tests)."""
        if self._replaying is not None:
            await asyncio.gather(self._replaying, return_exceptions=True)
        while self._events:
            await asyncio.gather(*self._events, return_exceptions=True)
        await self.replies.drain()
        await self.app.settle()
        await self.keeper.drain()
        await self.announcer.drain()

    # ---- the core, with plain ids

    async def handle(self, command: c.Command) -> Message:
        return await self.app.bus.handle(command)

    async def live_stage(self, where: Where) -> str:
        assert where.channel_id is not None
        return await self.app.queries.live_stage(PLATFORM, where.team_id, where.channel_id)

    async def actor(self, user_id: str, *, stage_id: str | None = None) -> Actor:
        """The member with the facts Slack knows; with a stage, the user groups its rules name are roles."""
        groups: Iterable[str] = ()
        if stage_id is not None:
            rules = (await self.app.queries.heading(stage_id)).rules
            groups = [r for r in (*rules.hand_roles, *rules.auto_approve) if is_group_id(r)]
        return await self.directory.actor(user_id, groups=groups)

    async def judged(self, where: Where, stage_id: str) -> Actor:
        """The member acting on a stage a click names: refused (StageNotFound) unless the stage is this
        workspace's, with the user groups its rules name as roles."""
        place = Place(platform=PLATFORM, space_id=where.team_id, channel_id=where.channel_id or "")
        return await judged(self.app, stage_id, place, lambda stage, _: self.actor(where.user_id, stage_id=stage))
