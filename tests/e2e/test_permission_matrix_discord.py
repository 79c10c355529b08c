"""The permission matrix on Discord's own paths: every command of the table as the application command the real
discord.py registers, run by every role through the fake Discord, and the board's buttons and pick list where a
command has them. Each cell is allowed with its effect, or refused with nothing stored changed and the refusal
said in the member's language (French here, as their Discord client is set).

The cells come from the command table and the expectations of tests/support/matrix.py (shared with the gateway's
matrix); Discord's differences are written out below. One fake Discord and one bot serve a role's 44 cells:
each cell gets a stage channel of its own, arranged through the core, then one interaction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.discord.commands_table import VIEW
from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import Actor
from bot.surface.rows import Kind, Scope
from bot.surface.table import TABLE
from bot.surface.values import convert
from tests.fakes.discord.interactions import MESSAGE_COMPONENT
from tests.fakes.discord.models import snowflake
from tests.fakes.discord.permissions import STAGE_MODERATOR
from tests.support.discord import (  # noqa: F401 - fixtures
    Bot, World, discord_errors, fake_discord, podium_errors, reply, voice, world)
from tests.support.recording import RecordingBot
from tests.support.matrix import GRAMMAR, LINES, ROLES, allowed, judge, refusal, rows

MEMBER = 1
TARGETS = ("waiting", "mod2", "barred", "newcomer")
GUEST = 1 << 4
BARRED = ("blocked", "blocked_platform", "barred")  # blocked on every cell's stage (in the space, so from the start)
# The adapters' own bookkeeping, and the members' language as the platform reports it (learned whenever the
# platform names a member, a refused command's target included): not what a command changes.
BOOKKEEPING = {"processed_event", "request_inbox", "outbox", "board_message", "schedule_message", "member_setting"}
# Buttons and picks of the board, with the row each stands for: (custom id template, picked member or None).
PRESSES = {"hand raise": ("podium:raise:{stage}", None), "hand lower": ("podium:lower:{stage}", None),
           "speaker next": ("podium:next:{stage}", None),
           "speaker approve": ("podium:pick:approve:{stage}", "waiting"),
           "speaker deny": ("podium:pick:deny:{stage}", "waiting")}


def options_of(row_name: str, ids: dict[str, str]) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The interaction a member's Discord client sends for the matrix's line: the row's options, filled in."""
    line = LINES[row_name]
    parsed = GRAMMAR.parse(line)
    options: dict[str, Any] = {}
    for option in parsed.row.options:
        typed = parsed.typed.get(option.name)
        if option.kind is Kind.PAIRS:
            options[option.name] = line.split(None, len(parsed.row.path))[-1]
        elif typed is None:
            continue
        elif option.kind is Kind.MEMBER:
            options[option.name] = ids.get(typed, typed)
        elif option.kind is Kind.NUMBER:
            options[option.name] = int(typed)
        elif option.kind in (Kind.CHOICE, Kind.FLAG):
            options[option.name] = convert(option, typed)
        else:
            options[option.name] = typed
    grouped = {row.path[0] for row in TABLE if len(row.path) > 1}
    path = parsed.row.path
    if len(path) == 1 and path[0] in grouped:  # `/stats` beside `/stats hide`: the group's `view`
        path = (path[0], VIEW)
    return path, options


class Cast:
    """The members of the guild by role, French-speaking; `elsewhere` is a stage moderator of another stage
    channel only, acting on the cell's stage from there."""

    def __init__(self, world: World) -> None:
        fake, guild = world.fake, world.guild
        self.world, self.users = world, {"host": world.alice, "platform": world.bob}
        for name in ("delegated", "speaker", "listener", "blocked", "elsewhere", *TARGETS):
            self.users[name] = fake.add_member(guild, name).user
        self.users["blocked_platform"] = fake.add_member(guild, "blocked_platform", roles=[world.crew]).user
        guest = fake.store.add_member(guild, "guest")
        guest.flags = GUEST  # joined as a guest: Discord says so from the start
        fake.dispatch("GUILD_MEMBER_ADD", {**guest.payload(), "guild_id": str(guild.id)})
        self.users["guest"] = guest.user
        self.elsewhere = fake.add_stage_channel(guild, "elsewhere")
        fake.set_overwrite(self.elsewhere, self.users["elsewhere"].id, type=MEMBER, allow=STAGE_MODERATOR)
        fake.member_join_voice(guild, self.users["elsewhere"], self.elsewhere)
        self.ids = {name: str(user.id) for name, user in self.users.items()}

    async def arrange(self, bot: Bot) -> tuple[Any, str]:
        """The stage channel with every role in its room (but `elsewhere`), a stage opened there by the host and
        the roles set through the core; a series scheduled there unless one is."""
        world, fake, ids, app = self.world, self.world.fake, self.ids, bot.app
        assert app is not None
        channel, host, space = world.stage, Actor(ids["host"]), str(world.guild.id)
        await self.into_the_room(bot, channel)
        in_room = frozenset(ids[n] for n in ids if n not in ("elsewhere", *BARRED))
        await app.bus.handle(c.OpenStage(actor=host, platform="discord", space_id=space, channel_id=str(channel.id),
                                         title="Matrix", present=in_room))
        stage_id = await app.queries.live_stage("discord", space, str(channel.id))
        # Blocks held in the space from earlier cells: kept for those the cell blocks anyway, lifted for the others
        # (whoever they took out comes back in).
        barred = {ids[name] for name in BARRED}
        series = not [v for v in await app.queries.schedules("discord", space) if v.ref.channel_id == str(channel.id)]
        held = (await app.queries.roster(stage_id)).blocked
        for user_id in sorted(held - barred):
            await app.bus.handle(c.UnblockMember(actor=host, stage_id=stage_id, user_id=user_id))
        if held - barred:
            await self.into_the_room(bot, channel)
        for command in (
                c.AddModerator(actor=host, stage_id=stage_id, user_id=ids["delegated"]),
                c.AddModerator(actor=host, stage_id=stage_id, user_id=ids["mod2"]),
                c.ApproveSpeaker(actor=host, stage_id=stage_id, user_id=ids["speaker"]),
                c.RaiseHand(actor=Actor(ids["waiting"]), stage_id=stage_id),
                *(c.RemoveMember(actor=host, stage_id=stage_id, user_id=user_id, block=True)
                  for user_id in sorted(barred - held)),
                *((c.ScheduleStage(actor=host, platform="discord", space_id=space, channel_id=str(channel.id),
                                   title="Weekly", start=f"{soon(bot, 3)} 18:00", timezone="UTC"),)
                  if series else ())):
            await app.bus.handle(command)
        await bot.settle(rounds=1)
        return channel, stage_id

    async def into_the_room(self, bot: Bot, channel: Any) -> None:
        """Whoever a block took out of the room (Discord disconnects them) comes back in."""
        fake, guild = self.world.fake, self.world.guild
        await bot.settle(rounds=1)
        out = [user for name, user in self.users.items() if name not in ("elsewhere", *BARRED) and (
            (state := fake.voice_state(guild, user)) is None or state.channel_id != channel.id)]
        for user in out:
            fake.member_join_voice(guild, user, channel)
        if out:
            await bot.settle(rounds=1)


def expected(row_name: str, role: str) -> tuple[bool, type[errors.StageError]]:
    return role in allowed(row_name), refusal(row_name, role)


@pytest.mark.parametrize("role", ROLES)
async def test_every_command_on_discords_paths_for_each_role(world: World, tmp_path: Path, role: str,
                                                            podium_errors: Any, voice: Any) -> None:  # noqa: F811
    # `stage record on` has the bot join the stage's voice: a recording bot, with the fake voice server.
    bot = RecordingBot(world.fake, tmp_path / "matrix.db", rules={"must_be_present": True, "cues": False},
                       board_interval=0.01)
    bot.connector_factory, bot.replay_dir = voice.certificate.connector, tmp_path / "replays"
    await bot.start()
    assert bot.app is not None and bot.adapter is not None
    pacing = bot.adapter.ctx.pacing  # authority is judged here, not pacing: the bot's spacing of calls relaxed
    for pacer in (pacing.voice, pacing.members, pacing.posts, pacing.direct):
        pacer.rate, pacer.burst = 1000.0, 1000
    cast = Cast(world)
    cells: list[tuple[str, str]] = [(row.name, "slash") for row in TABLE] + [(name, "press") for name in PRESSES]
    stage: tuple[Any, str, dict[str, Any]] | None = None
    try:
        for n, (row_name, path) in enumerate(cells):
            # A stage as arranged serves the cells that leave it as it was (refusals, reads); after a change, the
            # next cell gets a stage of its own, the last one closed first (a later cell's block need not reach it).
            if stage is not None and stored(bot.app) != stage[2]:
                try:
                    await bot.app.bus.handle(c.CloseStage(actor=Actor(cast.ids["host"]), stage_id=stage[1]))
                except errors.StageError:
                    pass  # closed by the cell itself
                stage = None
            if stage is None:
                channel, stage_id = await cast.arrange(bot)
                stage = (channel, stage_id, stored(bot.app))
            await cell(bot, cast, stage[0], stage[1], n, row_name, path, role)
    finally:
        await bot.stop()


async def cell(bot: Bot, cast: Cast, channel: Any, stage_id: str, n: int, row_name: str, path: str,
               role: str) -> None:
    assert bot.app is not None
    world, app, user = cast.world, bot.app, cast.users[role]
    if row_name == "hand lower":  # a hand to lower, for those who may have one
        try:
            await app.bus.handle(c.RaiseHand(actor=Actor(cast.ids[role]), stage_id=stage_id))
        except errors.StageError:
            pass
    if row_name == "stats show":
        await bot.command(world, user, "stats", "hide", where=channel, locale="fr")
    if row_name.startswith("follow off"):  # followed first, so no longer following is a change
        names, options = options_of(row_name.replace("follow off", "follow"), cast.ids)
        await bot.command(world, user, *names, where=channel, locale="fr", **options)
    where = cast.elsewhere if role == "elsewhere" else channel
    before = stored(app)
    if path == "slash":
        names, options = options_of(row_name, cast.ids)
        row = next(r for r in TABLE if r.name == row_name)
        if role == "elsewhere" and row.scope is Scope.STAGE:
            options["stage"] = stage_id
        if role == "elsewhere" and row.scope is Scope.SERIES:
            options["series"] = next(v.schedule_id for v in await app.queries.schedules("discord", str(world.guild.id))
                                     if v.ref.channel_id == str(channel.id))
        if row_name in ("stage open", "stage schedule"):
            where = world.fake.add_stage_channel(world.guild, f"new-{n}")
        if "start" in options:  # Discord refuses an event in the past, by its own clock
            options["start"] = f"{soon(bot, 7)} 18:00"
        record = world.fake.run_slash_command(world.guild, where, user, *names, options=options, locale="fr")
    else:
        record = press(world, user, channel, stage_id, *PRESSES[row_name], cast.ids)
    await world.fake.wait_response(record)
    await bot.settle(rounds=1)
    answer = reply(record)
    may, refused = expected(row_name, role)
    judge(f"{row_name} ({path}) by {role}", answer, before, stored(app), row_name=row_name, may=may, refused=refused)


def press(world: World, user: Any, channel: Any, stage_id: str, template: str, picked: str | None,
          ids: dict[str, str]) -> Any:
    """A press on the board's button, or a pick in its queue's select (shown in a copy of the board, as the
    queue picker is), by a French-speaking member."""
    board, custom_id = board_in(world, channel), template.format(stage=stage_id)
    data: dict[str, Any] = {"custom_id": custom_id, "component_type": 3 if picked else 2}
    if picked:
        data["values"] = [ids[picked]]
        board = replace(board, id=snowflake(), components=[{"type": 1, "components": [
            {"type": 3, "custom_id": custom_id, "options": [{"label": picked, "value": ids[picked]}]}]}])
        world.fake.store.messages[board.id] = board
    return world.fake.interactions.create(MESSAGE_COMPONENT, user=user, guild=world.guild, channel=channel,
                                          data=data, message=board, locale="fr")


def soon(bot: Bot, days: int) -> str:
    return (bot.clock.now() + timedelta(days=days)).strftime("%Y-%m-%d")


def stored(app: Any) -> dict[str, list[Any]]:
    """What the core stores; not the adapters' own bookkeeping (interactions seen, boards' message ids)."""
    return {name: kept for name, kept in rows(app.db.engine).items() if name not in BOOKKEEPING}


def board_in(world: World, channel: Any) -> Any:
    boards = [m for m in world.fake.store.messages.values()
              if m.channel_id == channel.id and m.author.id == world.fake.store.bot.id and m.embeds and m.components]
    assert boards, "no board in that channel"
    return boards[-1]
