"""What Discord refused, told to the moderators in plain words; the stage goes on.

The moderator who last acted on a stage through the bot hears it privately (a follow-up to their interaction,
valid for 15 minutes); otherwise the stage channel's chat does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import discord

from adapters.discord.members import say
from adapters.pacing import Pacer
from bot.bootstrap import App
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.ports import StageRef

log = logging.getLogger(__name__)

FOLLOW_UP_FOR = 14 * 60.0  # interaction tokens last 15 minutes


def reason_of(error: BaseException) -> Message:
    if isinstance(error, discord.Forbidden):
        return Message.of(N_("I am missing a permission there."))
    if isinstance(error, discord.NotFound):
        return Message.of(N_("Discord no longer knows that member, channel or message."))
    if isinstance(error, discord.DiscordServerError):
        return Message.of(N_("Discord did not answer; please try again."))
    if isinstance(error, discord.HTTPException):
        return Message.of(N_("Discord refused it (error {code})."), code=str(error.code or error.status))
    return Message.of(N_("Discord could not be reached."))


@dataclass
class _Witness:
    interaction: discord.Interaction
    locale: str
    at: float


class Reporter:
    def __init__(self, *, client: discord.Client, app: App, pacer: Pacer,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._client, self._app, self._pacer, self._clock = client, app, pacer, clock
        self._witnesses: dict[tuple[str, str], _Witness] = {}  # by server and stage channel: one stage at a time
        self.reported: list[Message] = []  # what was said, newest last (operators' logs and tests read it)

    def remember(self, where: tuple[str, str], interaction: discord.Interaction, locale: str) -> None:
        """The moderator behind the latest command on a stage (server id, channel id) hears about the platform
        work it caused."""
        self._witnesses[where] = _Witness(interaction, locale, self._clock())

    def witness(self, where: tuple[str, str]) -> _Witness | None:
        return self._witnesses.get(where)

    def restore(self, where: tuple[str, str], witness: _Witness | None) -> None:
        """Puts back the previous witness when the command of the one remembered was refused."""
        if witness is None:
            self._witnesses.pop(where, None)
        else:
            self._witnesses[where] = witness

    async def guard(self, ref: StageRef, action: Message, work: Awaitable[object]) -> bool:
        """Runs one Discord call; a refusal is reported and swallowed. True when the call went through."""
        try:
            await work
        except (discord.HTTPException, discord.ClientException, OSError) as error:
            await self.report(ref, action, error)
            return False
        return True

    async def report(self, ref: StageRef, action: Message, error: BaseException) -> None:
        log.warning("discord refused work on stage %s (%s): %r", ref.stage_id, action.msgid, error)
        message = Message.of(N_("I could not {action}: {reason}"), action=action, reason=reason_of(error))
        self.reported.append(message)
        witness = self._witnesses.get((ref.space_id, ref.channel_id))
        if witness is not None and self._clock() - witness.at < FOLLOW_UP_FOR:
            for _ in range(60):  # a follow-up needs the answer first; it comes within Discord's 3 seconds
                if witness.interaction.response.is_done():
                    break
                await asyncio.sleep(0.05)
            try:
                await witness.interaction.followup.send(say(message, witness.locale), ephemeral=True,
                                                        allowed_mentions=discord.AllowedMentions.none())
                return
            except discord.HTTPException:
                log.info("follow-up for stage %s failed; telling the channel instead", ref.stage_id)
        channel = self._client.get_channel(int(ref.channel_id))
        if not isinstance(channel, discord.abc.Messageable):
            return
        locale = await self._app.locales.for_space(ref.platform, ref.space_id)
        await self._pacer.wait(ref.channel_id)
        try:
            await channel.send(say(message, locale), allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as failure:
            log.warning("could not tell stage %s's channel either: %r", ref.stage_id, failure)
