"""The Slack adapter served in Socket Mode against the fake's WebSocket, as `podium run` serves it with
SLACK_APP_TOKEN and no signing secret."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.slack.service import serve
from adapters.slack.settings import SlackSettings
from bot.bootstrap import App, build
from bot.clock import ManualClock
from tests.fakes.slack import Channel, Delivery, FakeSlack, Message, SocketSender, User
from tests.support.slack import core_settings, eventually, populate, until


@dataclass
class SocketWorld:
    fake: FakeSlack
    app: App
    slack: SocketSender
    people: dict[str, User]
    room: Channel

    def __getitem__(self, name: str) -> User:
        return self.people[name]

    async def command(self, user: str, text: str) -> str:
        """`/stage TEXT` as `user` over the socket; the answer its response_url got."""
        delivery = await self.slack.slash_command("/stage", text, user=self[user], channel=self.room)
        assert delivery.in_time and delivery.response is None, delivery
        return await self.answer(delivery, f"/stage {text}")

    async def click(self, user: str, action_id: str) -> Delivery:
        await eventually(self.boards, timeout=5, what="the board")  # posted after the command's answer
        delivery = await self.slack.block_action(action_id, user=self[user], message=self.board())
        assert delivery.in_time, delivery
        return delivery

    async def answer(self, delivery: Delivery, what: str) -> str:
        hook = self.fake.response_urls[delivery.payload["response_url"]]
        await eventually(lambda: hook.posts, timeout=5, what=f"an answer to {what}")
        [post] = hook.posts
        assert post["response_type"] == "ephemeral", post
        return post["text"]

    def board(self) -> Message:
        [board] = self.boards()
        return board

    def boards(self) -> list[Message]:
        return [m for m in self.fake.messages(self.room.id)
                if m.user == self.fake.bot.id and m.blocks and m.blocks[0]["type"] == "header" and not m.thread_ts]

    async def stage_id(self) -> str:
        return await self.app.queries.live_stage("slack", self.fake.team.id, self.room.id)

    async def hands(self) -> tuple[str, ...]:
        return (await self.app.queries.roster(await self.stage_id())).hands

    async def until_hands(self, *names: str) -> None:
        wanted = tuple(self[n].id for n in names)
        await self.until(lambda roster: roster.hands == wanted, f"hands {names}")

    async def until_present(self, *names: str) -> None:
        """An event's listener runs after its ack: waits for what it changed in the core."""
        wanted = {self[n].id for n in names}
        await self.until(lambda roster: wanted <= roster.present, f"{names} present")

    async def until(self, condition: Callable[[Any], bool], what: str, timeout: float = 5.0) -> None:
        async def met() -> bool:
            return condition(await self.app.queries.roster(await self.stage_id()))
        await until(met, timeout=timeout, what=what)


@asynccontextmanager
async def socket_world(tmp_path: Path, *, prepare: Callable[[FakeSlack], None] | None = None,
                       **rules: Any) -> AsyncIterator[SocketWorld]:
    async with FakeSlack() as fake:
        if prepare is not None:
            prepare(fake)
        people, room = populate(fake)
        settings = core_settings(rules=rules)
        own = SlackSettings(_env_file=None, bot_token=fake.token, app_token=fake.app_token, api_url=fake.api_url)
        app = build(settings, clock=ManualClock(), database_url=f"sqlite:///{tmp_path / 'podium.db'}")
        await app.start()
        stop = asyncio.Event()
        serving = asyncio.create_task(serve(app, own, stop))
        try:
            await fake.socket.wait_open()
            yield SocketWorld(fake, app, SocketSender(fake), people, room)
        finally:
            stop.set()
            await asyncio.wait_for(serving, 10)
            await app.stop()
        fake.assert_no_spec_violations()
        assert fake.socket.stray_frames == [] and fake.socket.refused_tickets == []
        assert all(d.ack is not None for d in fake.socket.deliveries)
