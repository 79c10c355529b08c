"""Discord interactions fuzzed through the real discord.py client, against the fake Discord.

Custom ids and select values a crafted message could carry, and option text members type: every interaction
is answered (no "This interaction failed"), nothing is logged as an error, the fake sees no request Discord
would refuse, and a press that is refused changes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, note
from hypothesis import strategies as st

from tests.fakes.discord import FakeDiscord, pointed_at
from tests.fakes.discord.interactions import MESSAGE_COMPONENT
from tests.fakes.discord.models import snowflake
from tests.support.running import Running
from tests.support.discord import Bot, World, make_world, reply
from tests.support.stages import counts

ACTIONS = ["raise", "lower", "next", "approve", "deny", "pick:approve", "pick:deny", "consent:yes", "x"]
texts = st.text(max_size=40) | st.sampled_from(["", ":", "@everyone", "<@&1>", "\x00", "٣", "1" * 25, "-"])
COMMANDS: list[tuple[tuple[str, ...], str]] = [
    (("hand", "raise"), "note"), (("stage", "topic"), "topic"), (("stage", "rules"), "changes"),
    (("stage", "open"), "title"), (("stage", "schedule"), "start"), (("help",), "command"),
    (("stage", "log"), "count"), (("rsvp",), "series"),
]


@asynccontextmanager
async def discord_world(database: Path) -> AsyncIterator[tuple[World, Bot]]:
    async with FakeDiscord(heartbeat_interval_ms=500) as fake:
        with pointed_at(fake):
            world = make_world(fake)
            bot = Bot(fake, database, rules={"must_be_present": False})
            await bot.start()
            try:
                yield world, bot
            finally:
                await bot.stop()
    fake.assert_no_spec_violations()


@pytest.fixture(scope="module")
def discord(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    running = Running(discord_world(tmp_path_factory.mktemp("discord-fuzz") / "podium.db"))
    world, bot = running.world
    running.call(bot.command(world, world.alice, "stage", "open", title="Fuzz"))
    yield running
    running.close()
    assert not running.errors.records, "\n".join(running.errors.lines())


async def _press(world: World, bot: Bot, user: Any, custom_id: str, values: list[str] | None) -> Any:
    """A press on a copy of the board carrying `custom_id` (as a crafted or forwarded message would)."""
    board = bot.board(world)
    kind = 3 if values is not None else 2
    component = {"type": kind, "custom_id": custom_id[:100] or "-",
                 **({"style": 2, "label": "x"} if kind == 2 else {"options": []})}
    crafted = replace(board, id=snowflake(), components=[{"type": 1, "components": [component]}])
    world.fake.store.messages[crafted.id] = crafted
    data: dict[str, Any] = {"custom_id": component["custom_id"], "component_type": kind,
                            **({"values": values} if values is not None else {})}
    record = world.fake.interactions.create(MESSAGE_COMPONENT, user=user, guild=world.guild, channel=world.stage,
                                            data=data, message=crafted)
    return record


async def _answered(world: World, bot: Bot, record: Any) -> Any:
    await world.fake.wait_response(record, timeout=5.0)
    await bot.settle()
    return record


@st.composite
def interactions(draw: st.DrawFn) -> tuple[str, Any]:
    if draw(st.booleans()):
        action = draw(st.sampled_from(ACTIONS) | texts)
        stage = draw(st.sampled_from(["{stage}", "{stage}", "nope", "../x", ""]) | texts)
        values = draw(st.none() | st.lists(texts | st.sampled_from(["{dave}", "{alice}"]), min_size=0, max_size=2))
        return "press", (draw(st.sampled_from(["alice", "bob", "carol", "erin"])), action, stage, values)
    path, option = draw(st.sampled_from(COMMANDS))
    return "command", (draw(st.sampled_from(["alice", "bob", "dave"])), path, option, draw(texts))


@given(interactions())
def test_fuzzed_discord_interactions_are_answered_and_refusals_change_nothing(discord: Running,
                                                                              what: tuple[str, Any]) -> None:
    world, bot = discord.world
    kind, args = what
    stage_id = discord.call(bot.stage_id(world))
    before = counts(bot.app.db.engine)
    if kind == "press":
        who, action, stage, values = args
        ids = {"stage": stage_id, "dave": str(world.dave.id), "alice": str(world.alice.id)}
        custom_id = f"podium:{action}:{stage.replace('{stage}', ids['stage'])}"
        picked = None if values is None else [v.format(**ids) if v in ("{dave}", "{alice}") else v for v in values]
        record = discord.call(_press(world, bot, getattr(world, who), custom_id, picked))
    else:
        who, path, option, text = args
        options: dict[str, Any] = {option: text if text.strip() else "x"}
        if option == "count":
            options = {"count": len(text) + 1}
        record = discord.call(_start_command(world, getattr(world, who), path, options))
        assume(record is not None)  # options Discord itself would not send (the fake refuses them as it does)
    discord.call(_answered(world, bot, record))
    answer = reply(record)
    note(f"{kind} {args!r} -> {answer!r}")
    assert record.acked, "left unanswered"
    assert not discord.errors.records, "\n".join(discord.errors.lines())
    if "Something went wrong" in answer:
        raise AssertionError(answer)
    if kind == "press" and action not in ("raise", "lower", "next", "approve", "deny", "pick:approve",
                                          "pick:deny", "consent:yes"):
        assert counts(bot.app.db.engine) == before


async def _start_command(world: World, user: Any, path: tuple[str, ...], options: dict[str, Any]) -> Any:
    try:
        return world.fake.run_slash_command(world.guild, world.stage, user, path[0], *path[1:], options=options)
    except ValueError:
        return None
