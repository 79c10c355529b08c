"""Posts a replay where its stage was: attached when it fits the server's upload limit, else a signed link.

A replay mixed again (a voice struck after publication) replaces the message posted before it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import discord

from adapters.discord.members import PLATFORM
from bot.i18n.catalog import render
from bot.i18n.markers import N_
from bot.i18n.message import Duration, Message
from bot.persistence.replay_store import PRESIGN_MAX
from bot.services.recordings import Replay
from bot.services.replay_links import signed_url

if TYPE_CHECKING:
    from adapters.discord.context import Context

log = logging.getLogger(__name__)


async def post(ctx: Context, replay: Replay, path: Path) -> None:
    guild = ctx.client.get_guild(int(replay.space_id))
    channel = guild.get_channel(int(replay.channel_id)) if guild is not None else None
    if guild is None or not isinstance(channel, discord.abc.Messageable):
        return
    locale = await ctx.app.locales.for_space(PLATFORM, replay.space_id)
    text = render(Message.of(N_("Replay {replay_id} of “{title}” ({length}, chapters inside), kept until {until}."),
                             replay_id=replay.id, title=replay.title, length=Duration(replay.seconds),
                             until=replay.expires_at.date()), locale)
    if replay.posted_message_id and replay.posted_channel_id:
        old = guild.get_channel(int(replay.posted_channel_id))
        if isinstance(old, discord.abc.Messageable):
            try:
                await old.get_partial_message(int(replay.posted_message_id)).delete()  # type: ignore[attr-defined]
            except discord.HTTPException as error:
                log.info("replay %s: the earlier post could not be removed: %r", replay.id, error)
    settings = ctx.app.settings  # REPLAY_* are the core's settings
    try:
        if replay.bytes <= guild.filesize_limit:
            message = await channel.send(text, file=discord.File(path, filename=f"replay-{replay.id}.ogg"))
        elif settings.replay_link_secret is not None and settings.replay_public_url:
            # Podium's own link lasts as long as the replay (with a bucket, the listener sends on to it).
            url = signed_url(settings.replay_public_url, replay.id, int(replay.expires_at.timestamp()),
                             settings.replay_link_secret.get_secret_value())
            message = await channel.send(f"{text}\n{url}")
        elif (link := await _bucket_link(ctx, replay)) is not None:
            url, until = link
            if until < replay.expires_at:
                url += "\n" + render(Message.of(N_("This link works until {until}."), until=until.date()), locale)
            message = await channel.send(f"{text}\n{url}")
        else:
            message = await channel.send(text + "\n" + render(Message.of(N_(
                "It is too large to attach here; an operator can share it from the server.")), locale))
    except discord.HTTPException as error:
        log.warning("replay %s could not be posted: %r", replay.id, error)
        return
    await ctx.app.recordings.posted(replay.id, str(message.channel.id), str(message.id))
    await ctx.app.recordings.release(replay)


async def _bucket_link(ctx: Context, replay: Replay) -> tuple[str, datetime] | None:
    """A presigned link to the replay in the bucket, when there is one, and its end: when the replay expires, or
    after the week S3 allows at most."""
    now = ctx.app.clock.now()
    seconds = min(int((replay.expires_at - now).total_seconds()), PRESIGN_MAX)
    url = await ctx.app.recordings.store.link(replay.file, seconds=seconds) if seconds > 0 else None
    return (url, now + timedelta(seconds=seconds)) if url is not None else None
