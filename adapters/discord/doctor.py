"""`podium doctor`'s Discord checks: the token, the Server Members intent, the bot's permissions in each server
and stage channel against what Podium uses (adapters/discord/invite.py), the commands registered and current,
libopus when voice cues are on. Raw REST through discord.py's HTTP client: no gateway connection is opened."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
import discord.http

from adapters.discord.endpoints import pointed_at
from adapters.discord.invite import invite_url, required_permissions
from bot.doctor import Check, failed, passed, skipped

if TYPE_CHECKING:
    from adapters.discord.settings import DiscordSettings
    from bot.config import Settings

PORTAL = "https://discord.com/developers/applications"
STAGE_CHANNEL = 13
MEMBERS_INTENT = (1 << 14) | (1 << 15)  # GATEWAY_GUILD_MEMBERS (verified apps) or _LIMITED (the others)
ADMINISTRATOR = 1 << 3
ALL = (1 << 53) - 1


def channel_level() -> discord.Permissions:
    """What Podium uses in a stage channel: all it asks for, but creating events (a server permission)."""
    wanted = required_permissions()
    wanted.create_events = False
    return wanted


async def checks(settings: DiscordSettings, core: Settings, *, opus: Callable[[], bool] | None = None,
                 **_: Any) -> list[Check]:
    results = [_opus(core.rules.cues, opus)]
    if settings.token is None:
        return [skipped("discord", "DISCORD_TOKEN is empty: Discord is not served"), *results]
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    with pointed_at(settings.api_base, settings.gateway_url):
        try:
            return [*await _checks(http, settings), *results]
        finally:
            await http.close()


async def _checks(http: discord.http.HTTPClient, settings: DiscordSettings) -> list[Check]:
    assert settings.token is not None
    try:
        me = await http.static_login(settings.token.get_secret_value())
    except discord.LoginFailure:
        return [failed("discord token", "refused by Discord (401 Unauthorized)",
                       f"set DISCORD_TOKEN to the bot token ({PORTAL}, Bot, Reset Token)")]
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as error:
        return [failed("discord reachable", f"{settings.api_base}: {type(error).__name__}: {error}",
                       "let this host reach Discord (network, DNS, proxy), or fix DISCORD_API_BASE")]
    results = [passed("discord token", f"the bot {me['username']} ({me['id']})")]
    application = await http.application_info()
    flags = int(application.get("flags") or 0)
    if flags & MEMBERS_INTENT:
        results.append(passed("discord members intent", "Server Members Intent is on"))
    else:
        results.append(failed("discord members intent", "Server Members Intent is off; Discord refuses the bot's "
                              "connection (4014)", f"switch it on: {PORTAL}, Bot, Privileged Gateway Intents"))
    guilds = await http.get_guilds(200)
    if not guilds:
        results.append(failed("discord servers", "the bot is in no server",
                              f"invite it: {invite_url(int(application['id']))}"))
    for guild in guilds:
        results += await _permissions(http, int(me["id"]), int(application["id"]), guild)
    results.append(await _commands(http, int(application["id"]), [int(g["id"]) for g in guilds]))
    return results


# ---- permissions ------------------------------------------------------------------------------------------

async def _permissions(http: discord.http.HTTPClient, me: int, application_id: int,
                       summary: Any) -> list[Check]:
    guild_id = int(summary["id"])
    guild = await http.get_guild(guild_id)
    member = await http.get_member(guild_id, me)
    channels = await http.get_all_guild_channels(guild_id)
    roles = {int(role["id"]): int(role["permissions"]) for role in guild["roles"]}
    mine = [int(role) for role in member.get("roles", [])]
    base = _base(guild_id, int(guild["owner_id"]), me, roles, mine)
    name = f"discord server {guild['name']}"
    results = [_compare(name, base, required_permissions(), f"re-invite the bot with {invite_url(application_id)}"
                        " or give its role the missing permissions")]
    for channel in channels:
        if channel.get("type") != STAGE_CHANNEL:
            continue
        have = _in_channel(base, guild_id, me, mine, channel.get("permission_overwrites") or [])
        results.append(_compare(f"discord stage #{channel['name']}", have, channel_level(),
                                "in the channel's settings, Permissions: allow these for Podium's role"))
    if not any(channel.get("type") == STAGE_CHANNEL for channel in channels):
        results.append(failed(f"{name} stages", "no stage channel", "create a Stage channel (Server settings, "
                              "Community on, then Create Channel, Stage)"))
    return results


def _base(guild_id: int, owner: int, me: int, roles: dict[int, int], mine: list[int]) -> int:
    if owner == me:
        return ALL
    have = roles.get(guild_id, 0)
    for role in mine:
        have |= roles.get(role, 0)
    return ALL if have & ADMINISTRATOR else have


def _in_channel(base: int, guild_id: int, me: int, mine: list[int], overwrites: Any) -> int:
    """Discord's order: @everyone's overwrite, then the roles' (denies, then allows), then the member's."""
    if base & ADMINISTRATOR or base == ALL:
        return ALL
    by_id = {int(o["id"]): (int(o.get("allow") or 0), int(o.get("deny") or 0)) for o in overwrites}
    have = base
    if guild_id in by_id:
        allow, deny = by_id[guild_id]
        have = (have & ~deny) | allow
    allow = deny = 0
    for role in mine:
        if role in by_id:
            allow, deny = allow | by_id[role][0], deny | by_id[role][1]
    have = (have & ~deny) | allow
    if me in by_id:
        have = (have & ~by_id[me][1]) | by_id[me][0]
    return have


def _compare(name: str, have: int, wanted: discord.Permissions, fix: str) -> Check:
    held = discord.Permissions(have)
    if held.manage_events:  # creating events is also allowed by Manage Events
        held.create_events = True
    missing = [perm for perm, needed in wanted if needed and not getattr(held, perm)]
    if not missing:
        return passed(name, "has every permission Podium uses")
    return failed(name, "missing " + ", ".join(perm.replace("_", " ") for perm in missing), fix)


# ---- commands ---------------------------------------------------------------------------------------------

async def _commands(http: discord.http.HTTPClient, application_id: int, guilds: list[int]) -> Check:
    expected = {c["name"]: _signature(c) for c in await expected_commands()}
    registered = {c["name"]: _signature(c) for c in await http.get_global_commands(application_id)}
    for guild_id in guilds:  # `podium discord sync --guild` registers in one server only
        if not registered:
            registered = {c["name"]: _signature(c) for c in await http.get_guild_commands(application_id, guild_id)}
    missing = sorted(set(expected) - set(registered))
    stale = sorted(name for name in expected if name in registered and registered[name] != expected[name])
    extra = sorted(set(registered) - set(expected))
    if not (missing or stale or extra):
        return passed("discord commands", f"{len(expected)} registered and current")
    problems = [f"{label}: {', '.join('/' + n for n in names)}"
                for label, names in (("missing", missing), ("out of date", stale), ("unknown", extra)) if names]
    return failed("discord commands", "; ".join(problems), "podium discord sync")


async def expected_commands() -> list[dict[str, Any]]:
    """The payloads `podium discord sync` would send, translations included."""
    from discord import app_commands

    from adapters.discord.commands_floor import install
    from adapters.discord.translator import CatalogueTranslator

    client = discord.Client(intents=discord.Intents.none())
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    install(tree)
    translator = CatalogueTranslator()
    await translator.load()
    return [await command.get_translated_payload(tree, translator) for command in tree.get_commands()]


def _signature(command: Any) -> Any:
    """What makes a command current: its names, descriptions and options (Discord adds ids and versions)."""
    def option(o: Any) -> Any:
        return (o["name"], int(o.get("type") or 1), o.get("description", ""), bool(o.get("required", False)),
                tuple(sorted((c["name"], str(c["value"])) for c in o.get("choices") or [])),
                tuple(option(sub) for sub in o.get("options") or []))
    return (int(command.get("type") or 1), command.get("description", ""),
            tuple(option(o) for o in command.get("options") or []))


# ---- libopus --------------------------------------------------------------------------------------------

def _opus(cues: bool, load: Callable[[], bool] | None) -> Check:
    if not cues:
        return skipped("libopus", "voice cues are off (RULES__CUES=false)")
    loaded = (load or _load_opus)()
    if loaded:
        return passed("libopus", "loaded: voice cues can play")
    return failed("libopus", "not found: voice cues stay silent",
                  "apt-get install libopus0 (the container image has it), or RULES__CUES=false")


def _load_opus() -> bool:
    import discord.opus

    return bool(discord.opus.is_loaded() or discord.opus._load_default())
