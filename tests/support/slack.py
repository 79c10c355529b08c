"""The Slack adapter under test: the real bolt app served over HTTP, reached with really signed requests,
talking to the loopback fake Slack through SLACK_API_URL, with the real core on SQLite and a hand-moved clock.

Shared by tests/adapters/test_slack_*.py and tests/e2e/test_slack_*.py (this module holds no tests).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from adapters.slack.adapter import SlackAdapter
from adapters.slack.assembly import assemble
from adapters.slack.service import start_http
from adapters.slack.settings import SlackSettings
from bot.bootstrap import App, build
from bot.clock import ManualClock
from bot.config import Settings
from tests.fakes.slack import events
from tests.fakes.slack import AppResponse, Channel, FakeSlack, Message, SlackSender, User

SECRET = "8f14e45fceea167a5a36dedd4bea2543"
PATH = "/slack/events"


@dataclass
class Answer:
    """What the member who acted was shown: the posts on the response_url, or ephemerals and DMs."""

    response: AppResponse
    posts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(p.get("text", "") for p in self.posts)


@dataclass
class World:
    fake: FakeSlack
    app: App
    adapter: SlackAdapter
    slack: SlackSender
    clock: ManualClock
    people: dict[str, User]
    room: Channel

    def __getitem__(self, name: str) -> User:
        return self.people[name]

    async def settle(self) -> None:
        await self.adapter.settle()

    async def command(self, user: str, text: str, *, channel: Channel | None = None) -> Answer:
        """`/stage TEXT` as `user`; returns once the answer reached the response_url and the platform
        work it caused is done."""
        response = await self.slack.slash_command("/stage", text, user=self[user], channel=channel or self.room)
        assert (response.status, response.body) == (200, ""), response
        assert response.in_time, response.ack_seconds
        hook = self.fake.response_urls[response.payload["response_url"]]
        await eventually(lambda: hook.posts, what=f"an answer to /stage {text}")
        await self.settle()
        return Answer(response, list(hook.posts))

    async def click(self, user: str, action_id: str, *, message: Message | None = None,
                    value: Any = None) -> Answer:
        message = message or self.board()
        response = await self.slack.block_action(action_id, user=self[user], message=message, value=value)
        assert response.status == 200 and response.in_time, response
        url = response.payload.get("response_url")
        if url and not action_id.startswith("podium_raise"):
            hook = self.fake.response_urls[url]
            await eventually(lambda: hook.posts, what=f"an answer to {action_id}")
            await self.settle()
            return Answer(response, list(hook.posts))
        await self.settle()
        return Answer(response)

    async def event(self, event: dict[str, Any], **kwargs: Any) -> AppResponse:
        response = await self.slack.event(event, **kwargs)
        assert response.status == 200 and response.in_time, response
        return response

    def board(self, channel: Channel | None = None, *, thread: str | None = None) -> Message:
        """The board message the app posted in the channel (or in a thread)."""
        boards = [m for m in self.fake.messages((channel or self.room).id)
                  if m.user == self.fake.bot.id and m.blocks and m.blocks[0]["type"] == "header"
                  and m.thread_ts == thread]
        assert boards, "no board posted"
        return boards[0]

    def dm_texts(self, user: str) -> list[str]:
        return [m.text for m in self.fake.dms.get(self[user].id, [])]

    async def until(self, condition: Callable[[], Awaitable[Any]], *, timeout: float = 15.0,
                    what: str = "condition") -> None:
        """Waits for what an event's listener does after its ack (events have no answer to wait for)."""
        await until(condition, timeout=timeout, what=what)
        await self.settle()

    async def stage_id(self) -> str:
        return await self.app.queries.live_stage("slack", self.fake.team.id, self.room.id)

    async def present(self) -> frozenset[str]:
        return (await self.app.queries.roster(await self.stage_id())).present

    async def until_present(self, *names: str) -> None:
        wanted = {self[n].id for n in names}
        await self.until(lambda: _contains(self.present(), wanted), what=f"{names} in the huddle")

    async def advance(self, seconds: float) -> None:
        self.clock.advance(timedelta(seconds=seconds))
        await self.settle()


async def _contains(found: Awaitable[frozenset[str]], wanted: set[str]) -> bool:
    return wanted <= await found


async def until(condition: Callable[[], Awaitable[Any]], *, timeout: float = 15.0, what: str = "condition") -> None:
    """`eventually`, for a condition that must be awaited (a read of the core)."""
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"{what} not met within {timeout} s"
        await asyncio.sleep(0.01)


async def eventually(condition: Callable[[], Any], *, timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} not met within {timeout} s"
        await asyncio.sleep(0.01)


def blocks_text(blocks: Any) -> str:
    """Every text in a block tree, one per line (what a reader sees, buttons included)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(blocks)
    return "\n".join(found)


def core_settings(**values: Any) -> Settings:
    rules = {"hand_cooldown": 0, "grace_period": 60, **values.pop("rules", {})}
    return Settings(_env_file=None, rules=rules, **{"default_locale": "en", **values})


def slack_settings(fake: FakeSlack, **values: Any) -> SlackSettings:
    return SlackSettings(_env_file=None, bot_token=fake.token, signing_secret=SECRET, api_url=fake.api_url,
                         **values)


def populate(fake: FakeSlack) -> tuple[dict[str, User], Channel]:
    people = {
        "alice": fake.add_user("alice", is_admin=True),
        "bob": fake.add_user("bob"),
        "carol": fake.add_user("carol"),
        "dave": fake.add_user("dave", locale="fr-FR"),
        "erin": fake.add_user("erin", is_restricted=True),
        "frank": fake.add_user("frank"),
    }
    room = fake.add_channel("stage", members=[u.id for u in people.values()])
    return people, room


@asynccontextmanager
async def slack_world(tmp_path: Path, *, board_interval: float = 0.05, moderators: str = "",
                      people: Callable[[FakeSlack], tuple[dict[str, User], Channel]] = populate,
                      **settings: Any) -> AsyncIterator[World]:
    async with FakeSlack() as fake:
        everyone, room = people(fake)
        clock = ManualClock()
        app = build(core_settings(**settings), clock=clock, database_url=f"sqlite:///{tmp_path / 'podium.db'}")
        await app.start()
        adapter = assemble(app, slack_settings(fake, moderators=moderators), board_interval=board_interval)
        await adapter.start()
        runner, port = await start_http(adapter, host="127.0.0.1", port=0, path=PATH)
        try:
            async with SlackSender(f"http://127.0.0.1:{port}{PATH}", SECRET, fake) as slack:
                yield World(fake, app, adapter, slack, clock, everyone, room)
                await adapter.settle()
        finally:
            await runner.cleanup()
            await adapter.stop()
            await app.stop()
        fake.assert_no_spec_violations()


# ---- huddles, as Slack reports them

async def start_huddle(w: World, *names: str) -> str:
    """As Slack does it: the huddle_thread message, then per member who joins their huddle state and an
    edit of that message listing who is in."""
    started = events.huddle_started(w.fake.state, w.room, created_by=w[names[0]])
    await w.event(events.user_huddle_changed(w.fake.state, w[names[0]], call_id=started["room"]["id"]))
    await w.event(started)
    room_id = started["room"]["id"]
    for name in names[1:]:
        await join_huddle(w, room_id, name)
    return room_id


def _in_huddle(w: World, room_id: str) -> list[str]:
    return [u.id for u in w.people.values() if u.huddle_call_id == room_id]


async def join_huddle(w: World, room_id: str, name: str) -> None:
    await w.event(events.user_huddle_changed(w.fake.state, w[name], call_id=room_id))
    await w.event(events.huddle_changed(w.fake.state, w.room, room_id, participants=_in_huddle(w, room_id)))


async def leave_huddle(w: World, room_id: str, name: str) -> None:
    await w.event(events.user_huddle_changed(w.fake.state, w[name], call_id=None))
    await w.event(events.huddle_changed(w.fake.state, w.room, room_id, participants=_in_huddle(w, room_id)))
