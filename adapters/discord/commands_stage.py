"""`/stage …`: open and close a stage, and everything a moderator sets on it (scheduling: commands_schedule.py).
Each is one core command."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord import autocomplete
from adapters.discord.board_view import board_embed, recap_embed
from adapters.discord.context import context_of
from adapters.discord.invoke import run
from adapters.discord.commands_schedule import schedule_commands
from adapters.discord.errors import NotAStageChannel
from adapters.discord.members import PLATFORM, say
from adapters.discord.replies import Outcome, reader_locale, respond
from adapters.discord.targets import actor_in, guild_of, stage_channel_here, target
from adapters.discord.translator import T
from bot.domain import commands as c
from bot.domain.errors import InvalidArgument, StageNotFound
from bot.domain.rules import Rules, parse_int
from bot.i18n.markers import N_
from bot.i18n.message import Message

STAGE = T(N_("stage"))
STAGE_HELP = T(N_("The stage, when you are not in its channel."))
MEMBER, MEMBER_HELP = T(N_("member")), T(N_("Who it is about."))
REASON, REASON_HELP = T(N_("reason")), T(N_("Why, for the audit log."))
VISIBILITY_CHOICES = [
    app_commands.Choice(name=T(N_("public")), value="public"),
    app_commands.Choice(name=T(N_("members only")), value="members"),
    app_commands.Choice(name=T(N_("invite only")), value="invite-only"),
]


class StageCommands(app_commands.Group):
    def __init__(self) -> None:
        super().__init__(name=T(N_("stage")), description=T(N_("Run a live stage in a stage channel.")),
                         guild_only=True)
        for command in schedule_commands():
            self.add_command(command)

    @app_commands.command(name=T(N_("open")), description=T(N_("Open a stage in this channel.")))
    @app_commands.rename(title=T(N_("title")), topic=T(N_("topic")), visibility=T(N_("visibility")),
                         capacity=T(N_("capacity")), channel=T(N_("channel")))
    @app_commands.describe(title=T(N_("What the stage is called.")), topic=T(N_("What it is about.")),
                           visibility=T(N_("Who may join.")), capacity=T(N_("How many may join; 0 for no limit.")),
                           channel=T(N_("The stage channel, when you are not in its chat.")))
    @app_commands.choices(visibility=VISIBILITY_CHOICES)
    async def open(self, interaction: discord.Interaction, title: str, topic: str = "", visibility: str = "public",
                   capacity: int = 0, channel: discord.StageChannel | None = None) -> None:
        ctx = context_of(interaction)

        async def work() -> Outcome:
            guild = guild_of(interaction)
            where = channel or stage_channel_here(interaction)
            if where is None:
                raise NotAStageChannel()
            where = guild.get_channel(where.id) or where  # the cached channel knows who is in it
            present = frozenset(str(uid) for uid in where.voice_states  # type: ignore[union-attr]
                                if (m := guild.get_member(uid)) is None or not m.bot)
            place = (str(guild.id), str(where.id))
            witness = ctx.reporter.witness(place)
            ctx.reporter.remember(place, interaction, await reader_locale(ctx, interaction))
            try:
                reply = await ctx.app.bus.handle(c.OpenStage(
                    actor=actor_in(ctx, interaction, where), platform=PLATFORM, space_id=place[0],
                    channel_id=place[1], title=title, topic=topic, visibility=visibility, capacity=capacity,
                    present=present))
            except Exception:
                ctx.reporter.restore(place, witness)
                raise
            ctx.directory.opened(*place, await ctx.app.queries.live_stage(PLATFORM, *place))
            return reply

        await respond(ctx, interaction, work, what="/stage open")

    @app_commands.command(name=T(N_("close")), description=T(N_("Close the stage and post its recap.")))
    @app_commands.rename(stage=STAGE)
    @app_commands.describe(stage=STAGE_HELP)
    @app_commands.autocomplete(stage=autocomplete.stages)
    async def close(self, interaction: discord.Interaction, stage: str | None = None) -> None:
        await stage_command(interaction, stage, "/stage close", c.CloseStage)

    @app_commands.command(name=T(N_("topic")), description=T(N_("Set the topic.")))
    @app_commands.rename(topic=T(N_("topic")), stage=STAGE)
    @app_commands.describe(topic=T(N_("What it is about.")), stage=STAGE_HELP)
    @app_commands.autocomplete(stage=autocomplete.stages)
    async def topic(self, interaction: discord.Interaction, topic: str, stage: str | None = None) -> None:
        await stage_command(interaction, stage, "/stage topic", c.SetTopic, topic=topic)

    @app_commands.command(name=T(N_("rules")), description=T(N_("Show the rules, or change them (moderators).")))
    @app_commands.rename(changes=T(N_("changes")), stage=STAGE)
    @app_commands.describe(changes=T(N_("Rules to change, as name=value pairs (max_speakers=3 hand_cooldown=2m).")),
                           stage=STAGE_HELP)
    @app_commands.autocomplete(stage=autocomplete.stages)
    async def rules(self, interaction: discord.Interaction, changes: str = "", stage: str | None = None) -> None:
        ctx = context_of(interaction)

        async def work() -> Outcome:
            found = await target(ctx, interaction, stage)
            if changes.strip():
                return await run(ctx, interaction, found, c.SetRules(
                    actor=found.actor, stage_id=found.stage_id, changes=parse_changes(changes)))
            rules = (await ctx.app.queries.board(found.stage_id, lines=0)).rules
            lines = [f"{name} = {','.join(v) if isinstance(v := getattr(rules, name), tuple) else v}"
                     for name in Rules.names()]
            return lambda locale: {"content": "```\n" + "\n".join(lines) + "\n```"}

        await respond(ctx, interaction, work, what="/stage rules")

    @app_commands.command(name=T(N_("lock")), description=T(N_("Stop new hands from being raised.")))
    @app_commands.rename(stage=STAGE)
    @app_commands.describe(stage=STAGE_HELP)
    @app_commands.autocomplete(stage=autocomplete.stages)
    async def lock(self, interaction: discord.Interaction, stage: str | None = None) -> None:
        await stage_command(interaction, stage, "/stage lock", c.LockHands, locked=True)

    @app_commands.command(name=T(N_("unlock")), description=T(N_("Allow hands again.")))
    @app_commands.rename(stage=STAGE)
    @app_commands.describe(stage=STAGE_HELP)
    @app_commands.autocomplete(stage=autocomplete.stages)
    async def unlock(self, interaction: discord.Interaction, stage: str | None = None) -> None:
        await stage_command(interaction, stage, "/stage unlock", c.LockHands, locked=False)

    @app_commands.command(name=T(N_("status")), description=T(N_("Show the board.")))
    @app_commands.rename(stage=STAGE)
    @app_commands.describe(stage=STAGE_HELP)
    @app_commands.autocomplete(stage=autocomplete.stages)
    async def status(self, interaction: discord.Interaction, stage: str | None = None) -> None:
        ctx = context_of(interaction)

        async def work() -> Outcome:
            board = await ctx.app.queries.board((await target(ctx, interaction, stage)).stage_id)
            return lambda locale: {"embed": board_embed(board, locale)}

        await respond(ctx, interaction, work, what="/stage status")

    @app_commands.command(name=T(N_("log")), description=T(N_("Show the audit log (moderators).")))
    @app_commands.rename(count=T(N_("count")), stage=STAGE)
    @app_commands.describe(count=T(N_("How many entries, newest last.")), stage=STAGE_HELP)
    @app_commands.autocomplete(stage=autocomplete.stages)
    async def log(self, interaction: discord.Interaction, count: int = 20, stage: str | None = None) -> None:
        ctx = context_of(interaction)

        async def work() -> Outcome:
            found = await target(ctx, interaction, stage)
            limit = parse_int("count", str(count), low=1, high=500)
            entries = await ctx.app.queries.log(found.stage_id, found.actor, limit=limit)

            def shown(locale: str) -> dict[str, Any]:
                lines = [f"<t:{int(e.at.timestamp())}:T> {say(e.message, locale)}" for e in entries]
                while len("\n".join(lines)) > 4000:
                    lines.pop(0)  # the newest entries matter most
                return {"embed": discord.Embed(description="\n".join(lines) or "—")}

            return shown

        await respond(ctx, interaction, work, what="/stage log")

    @app_commands.command(name=T(N_("recap")),
                          description=T(N_("Show the recap of the last stage closed in this channel.")))
    async def recap(self, interaction: discord.Interaction) -> None:
        ctx = context_of(interaction)

        async def work() -> Outcome:
            here = stage_channel_here(interaction)
            found = None if here is None else await ctx.app.queries.last_recap(
                PLATFORM, str(guild_of(interaction).id), str(here.id))
            if found is None:
                raise StageNotFound()
            title, last = found
            return lambda locale: {"embed": recap_embed(title, last, locale)}

        await respond(ctx, interaction, work, what="/stage recap")

    @app_commands.command(name=T(N_("invite")),
                          description=T(N_("Invite a member (invite-only stages, invited hands).")))
    @app_commands.rename(member=MEMBER, stage=STAGE)
    @app_commands.describe(member=MEMBER_HELP, stage=STAGE_HELP)
    @app_commands.autocomplete(stage=autocomplete.stages)
    async def invite(self, interaction: discord.Interaction, member: discord.Member, stage: str | None = None) -> None:
        await stage_command(interaction, stage, "/stage invite", c.InviteMember, user_id=str(member.id))

    @app_commands.command(name=T(N_("remove")), description=T(N_("Take a member off the stage.")))
    @app_commands.rename(member=MEMBER, reason=REASON, stage=STAGE)
    @app_commands.describe(member=MEMBER_HELP, reason=REASON_HELP, stage=STAGE_HELP)
    @app_commands.autocomplete(stage=autocomplete.stages)
    async def remove(self, interaction: discord.Interaction, member: discord.Member, reason: str = "",
                     stage: str | None = None) -> None:
        await stage_command(interaction, stage, "/stage remove", c.RemoveMember, user_id=str(member.id), reason=reason)

    @app_commands.command(name=T(N_("block")), description=T(N_("Take a member off the stage and keep them out.")))
    @app_commands.rename(member=MEMBER, reason=REASON, stage=STAGE)
    @app_commands.describe(member=MEMBER_HELP, reason=REASON_HELP, stage=STAGE_HELP)
    @app_commands.autocomplete(stage=autocomplete.stages)
    async def block(self, interaction: discord.Interaction, member: discord.Member, reason: str = "",
                    stage: str | None = None) -> None:
        await stage_command(interaction, stage, "/stage block", c.RemoveMember, user_id=str(member.id), block=True,
                      reason=reason)

    @app_commands.command(name=T(N_("unblock")), description=T(N_("Let a blocked member back.")))
    @app_commands.rename(member=MEMBER, stage=STAGE)
    @app_commands.describe(member=MEMBER_HELP, stage=STAGE_HELP)
    @app_commands.autocomplete(stage=autocomplete.stages)
    async def unblock(self, interaction: discord.Interaction, member: discord.Member,
                      stage: str | None = None) -> None:
        await stage_command(interaction, stage, "/stage unblock", c.UnblockMember, user_id=str(member.id))


async def stage_command(interaction: discord.Interaction, stage: str | None, what: str, kind: type[c.StageCommand],
                  **values: Any) -> None:
    """A command on a stage with nothing more to it than its values."""
    ctx = context_of(interaction)

    async def work() -> Outcome:
        found = await target(ctx, interaction, stage)
        return await run(ctx, interaction, found, kind(actor=found.actor, stage_id=found.stage_id, **values))

    await respond(ctx, interaction, work, what=what)


def parse_changes(text: str) -> dict[str, str]:
    """`max_speakers=3 hand_roles=vip,staff` → {"max_speakers": "3", "hand_roles": "vip,staff"}."""
    changes: dict[str, str] = {}
    for word in text.split():
        name, sep, value = word.partition("=")
        if not sep or not name:
            raise InvalidArgument(name="rules", value=text[:40], expected=Message.of(
                N_("one or more name=value pairs")))
        changes[name.strip().lower()] = value
    return changes



