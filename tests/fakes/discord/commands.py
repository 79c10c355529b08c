"""Application commands: what registration stores, and what a user's invocation sends.

A member can only run a command that is registered (through the REST API,
as the bot would), with options that exist in its definition; the fake
builds ``data.options`` (nested for subcommands) and ``data.resolved``
from the registered definition, the way Discord's client does.
"""

from __future__ import annotations

from typing import Any

from . import errors
from .guild import Guild
from .models import snowflake

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER = 3, 4, 5, 6, 7, 8, 9, 10


def stored_command(body: dict[str, Any], application_id: int, guild_id: int | None, old: dict[str, Any] | None) -> dict[str, Any]:
    """The command object Discord returns for a create/overwrite body."""
    command = {
        "id": old["id"] if old else str(snowflake()),
        "application_id": str(application_id),
        "version": str(snowflake()),
        "type": body.get("type") or 1,
        "name": body["name"],
        "name_localizations": body.get("name_localizations"),
        "description": body.get("description", ""),
        "description_localizations": body.get("description_localizations"),
        "options": body.get("options") or [],
        "default_member_permissions": body.get("default_member_permissions"),
        "nsfw": bool(body.get("nsfw", False)),
        "integration_types": body.get("integration_types") or [0],
        "contexts": body.get("contexts"),
    }
    if guild_id is not None:
        command["guild_id"] = str(guild_id)
    else:
        command["dm_permission"] = body.get("dm_permission", True)
    return command


def check_unique(commands: list[dict[str, Any]]) -> None:
    seen: dict[tuple[int, str], int] = {}
    for index, body in enumerate(commands):
        key = (body.get("type") or 1, body["name"])
        if key in seen:
            raise errors.invalid_field(
                [index, "name"], "APPLICATION_COMMANDS_DUPLICATE_NAME", f"Application command names must be unique ({body['name']})"
            )
        seen[key] = index


def find_command(fake: Any, guild: Guild | None, name: str, type: int = 1) -> dict[str, Any]:
    store = fake.store
    pools = []
    if guild is not None:
        pools.append(store.guild_commands.get(guild.id, {}))
    pools.append(store.global_commands)
    for pool in pools:
        for command in pool.values():
            if command["name"] == name and command["type"] == type:
                return command
    raise LookupError(f"/{name} is not registered (the bot must register it through the API first)")


def build_options(
    fake: Any,
    guild: Guild | None,
    command: dict[str, Any],
    path: tuple[str, ...],
    values: dict[str, Any],
    focused: str | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``data.options`` and ``data.resolved`` for ``/command path... values``."""
    definitions = command.get("options") or []
    resolved: dict[str, dict[str, Any]] = {}
    wrappers: list[tuple[str, int]] = []
    for part in path:
        match = next((o for o in definitions if o["name"] == part and o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)), None)
        if match is None:
            raise LookupError(f"/{command['name']} has no subcommand {part!r}")
        wrappers.append((part, match["type"]))
        definitions = match.get("options") or []
    if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in definitions):
        raise LookupError(f"/{command['name']} {' '.join(path)} needs a subcommand")
    leaf: list[dict[str, Any]] = []
    for definition in definitions:
        name = definition["name"]
        if name not in values:
            if definition.get("required") and focused is None:
                raise ValueError(f"option {name!r} is required")
            continue
        value = values[name]
        option: dict[str, Any] = {"name": name, "type": definition["type"], "value": _wire(fake, guild, definition, value, resolved, focused == name)}
        if focused == name:
            option["focused"] = True
        leaf.append(option)
    unknown = set(values) - {d["name"] for d in definitions}
    if unknown:
        raise ValueError(f"unknown options {sorted(unknown)}")
    options: list[dict[str, Any]] = leaf
    for name, kind in reversed(wrappers):
        options = [{"name": name, "type": kind, "options": options}]
    return options, resolved


def _wire(fake: Any, guild: Guild | None, definition: dict[str, Any], value: Any, resolved: dict, focused: bool) -> Any:
    kind = definition["type"]
    if focused:
        return str(value)  # what the user has typed so far
    choices = definition.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise ValueError(f"{value!r} is not a choice of {definition['name']!r}")
    store = fake.store
    if kind in (USER, MENTIONABLE) and guild is not None and int(value) in guild.members:
        member = guild.members[int(value)]
        resolved.setdefault("users", {})[str(member.user.id)] = member.user.payload()
        data = member.payload()
        data.pop("user")
        data.pop("deaf")
        data.pop("mute")
        resolved.setdefault("members", {})[str(member.user.id)] = {**data, "permissions": "0"}
        return str(member.user.id)
    if kind in (ROLE, MENTIONABLE) and guild is not None and int(value) in guild.roles:
        resolved.setdefault("roles", {})[str(value)] = guild.roles[int(value)].payload()
        return str(value)
    if kind == USER:
        user = store.user(value)
        resolved.setdefault("users", {})[str(user.id)] = user.payload()
        return str(user.id)
    if kind == CHANNEL:
        channel = store.channel(value)
        resolved.setdefault("channels", {})[str(channel.id)] = {
            "id": str(channel.id),
            "name": channel.name,
            "type": channel.type,
            "permissions": "0",
            "guild_id": str(channel.guild_id),
            "parent_id": None,
        }
        return str(channel.id)
    if kind == INTEGER:
        return int(value)
    if kind == NUMBER:
        return float(value)
    if kind == BOOLEAN:
        return bool(value)
    return str(value)
