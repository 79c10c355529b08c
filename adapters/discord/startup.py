"""Discord failures at start as the admin's three lines (bot.startup.StartupError): a refused token, a
missing privileged intent, a bot that needs more shards, the API out of reach."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.startup import StartupError

if TYPE_CHECKING:
    from adapters.discord.settings import DiscordSettings

PORTAL = "https://discord.com/developers/applications"


def explain(error: BaseException, settings: DiscordSettings) -> StartupError | None:
    if isinstance(error, StartupError):
        return error
    token = settings.token
    if isinstance(error, discord.LoginFailure):
        return StartupError("DISCORD_TOKEN", token, "is refused by Discord (401 Unauthorized)",
                            f"the bot token of your application ({PORTAL}, Bot, Reset Token)")
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return StartupError("DISCORD_TOKEN", token, "belongs to a bot without the Server Members intent",
                            f"Server Members Intent switched on ({PORTAL}, Bot, Privileged Gateway Intents)")
    if isinstance(error, discord.ConnectionClosed) and error.code == 4011:
        return StartupError("SHARD_COUNT", settings.shard_count, "is too small: Discord requires sharding (4011)",
                            "SHARD_COUNT=auto, or at least one shard per 2,500 servers")
    if isinstance(error, discord.ConnectionClosed) and error.code == 4010:
        return StartupError("SHARD_IDS", ",".join(map(str, settings.shard_ids)) or None,
                            "names a shard Discord refuses (4010)", "shard ids from 0 to SHARD_COUNT - 1")
    if isinstance(error, (aiohttp.ClientError, OSError, asyncio.TimeoutError)):
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return StartupError("DISCORD_API_BASE", settings.api_base, f"cannot be reached ({reason})",
                            "Discord's API reachable from this host (network, DNS, proxy), or your proxy's URL")
    if isinstance(error, discord.HTTPException) and error.status >= 500:
        return StartupError("DISCORD_API_BASE", settings.api_base,
                            f"answers {error.status} {error.text or ''}".strip(), "Discord back up; try again later")
    return None


@contextlib.contextmanager
def reported(settings: DiscordSettings) -> Iterator[None]:
    try:
        yield
    except Exception as error:
        known = explain(error, settings)
        if known is None or known is error:
            raise
        raise known from error
