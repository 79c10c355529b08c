"""Guilds, channels, permission overwrites and guild scheduled events.

Scheduled events follow Discord's rules: MANAGE_EVENTS or CREATE_EVENTS (and
stage-moderator permissions in the channel for a stage event; CREATE_EVENTS alone
changes only the bot's own events); a stage event
(entity_type 1) needs a stage ``channel_id``; start times cannot be in the
past; at most 100 uncompleted (scheduled or active) events per guild (30038);
status moves SCHEDULED→ACTIVE→COMPLETED or SCHEDULED→CANCELED and a finished
event cannot change (180000). Starting a stage event opens its stage instance
when none is open; completing it closes that instance.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import errors
from . import permissions as perms
from .guild import Guild, ScheduledEvent, StageInstance
from .models import STAGE, VOICE, parse_iso, snowflake
from .routes import Call, route

SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
STAGE_EVENT, VOICE_EVENT, EXTERNAL_EVENT = 1, 2, 3
MAX_UNCOMPLETED = 100
_TRANSITIONS = {SCHEDULED: {SCHEDULED, ACTIVE, CANCELED}, ACTIVE: {ACTIVE, COMPLETED}}


@route("GET /guilds/{guild_id}")
async def get_guild(call: Call) -> dict[str, Any]:
    data = call.store.guild(call.params["guild_id"]).payload()
    for key in ("members", "channels", "threads", "presences", "voice_states", "stage_instances",
                "guild_scheduled_events", "soundboard_sounds", "joined_at", "large", "unavailable", "member_count"):
        data.pop(key, None)
    return data


@route("GET /guilds/{guild_id}/channels")
async def list_channels(call: Call) -> list[dict[str, Any]]:
    guild = call.store.guild(call.params["guild_id"])
    return [c.payload() for c in guild.channels.values()]


@route("GET /guilds/{guild_id}/roles")
async def list_roles(call: Call) -> list[dict[str, Any]]:
    return [r.payload() for r in call.store.guild(call.params["guild_id"]).roles.values()]


@route("PATCH /channels/{channel_id}")
async def edit_channel(call: Call) -> dict[str, Any]:
    store = call.store
    channel = store.readable_channel(call.params["channel_id"])
    guild = store.guild_of(channel)
    if guild is None:
        raise errors.DiscordError(403, 50003, "Cannot execute action on a DM channel")
    store.require(guild, perms.MANAGE_CHANNELS, channel)
    body = call.body()
    if "user_limit" in body and channel.type not in (VOICE, STAGE):
        raise errors.invalid_field(["user_limit"], "BASE_TYPE_BAD_CHANNEL_TYPE", "Not valid for this channel type.")
    for key in ("name", "topic", "user_limit", "position", "bitrate"):
        if key in body:
            setattr(channel, key, body[key] if body[key] is not None else (0 if key == "user_limit" else None))
    call.fake.dispatch("CHANNEL_UPDATE", channel.payload())
    return channel.payload()


def _overwrites_of(call: Call) -> tuple[Any, Any, Any]:
    """The store, guild and channel whose permission overwrites the bot may change (Manage Roles there)."""
    store = call.store
    channel = store.readable_channel(call.params["channel_id"])
    guild = store.guild_of(channel)
    if guild is None:
        raise errors.DiscordError(403, 50003, "Cannot execute action on a DM channel")
    store.require(guild, perms.MANAGE_ROLES, channel)
    return store, guild, channel


@route("PUT /channels/{channel_id}/permissions/{overwrite_id}")
async def put_overwrite(call: Call) -> None:
    store, guild, channel = _overwrites_of(call)
    body = call.body()
    allow, deny = int(body.get("allow") or 0), int(body.get("deny") or 0)
    granted = allow | deny
    if not perms.has(store.bot_permissions(guild, channel), granted):
        raise errors.missing_permissions()  # a bot can only grant or deny what it has
    target = int(call.params["overwrite_id"])
    channel.permission_overwrites = [o for o in channel.permission_overwrites if o["id"] != target]
    channel.permission_overwrites.append({"id": target, "type": int(body.get("type", 0)), "allow": allow, "deny": deny})
    call.fake.dispatch("CHANNEL_UPDATE", channel.payload())


@route("DELETE /channels/{channel_id}/permissions/{overwrite_id}")
async def delete_overwrite(call: Call) -> None:
    _, _, channel = _overwrites_of(call)
    target = int(call.params["overwrite_id"])
    kept = [o for o in channel.permission_overwrites if o["id"] != target]
    if len(kept) == len(channel.permission_overwrites):
        raise errors.unknown_overwrite()
    channel.permission_overwrites = kept
    call.fake.dispatch("CHANNEL_UPDATE", channel.payload())


# -- scheduled events ------------------------------------------------------------------------


def _require_event_rights(call: Call, guild: Guild, entity_type: int, channel_id: Any,
                          event: ScheduledEvent | None = None) -> None:
    store = call.store
    have = store.bot_permissions(guild)
    if not have & (perms.MANAGE_EVENTS | perms.CREATE_EVENTS):
        raise errors.missing_permissions()
    if event is not None and not have & perms.MANAGE_EVENTS and event.creator.id != store.bot.id:
        raise errors.missing_permissions()  # CREATE_EVENTS edits and deletes only one's own events
    if entity_type in (STAGE_EVENT, VOICE_EVENT):
        if channel_id is None:
            raise errors.invalid_field(["channel_id"], "BASE_TYPE_REQUIRED", "This field is required")
        channel = store.channel(channel_id)
        wanted = STAGE if entity_type == STAGE_EVENT else VOICE
        if channel.guild_id != guild.id or channel.type != wanted:
            raise errors.invalid_field(["channel_id"], "GUILD_SCHEDULED_EVENT_INVALID_CHANNEL", "Invalid channel type for this event.")
        needed = perms.STAGE_MODERATOR if entity_type == STAGE_EVENT else perms.CONNECT | perms.VIEW_CHANNEL
        store.require(guild, needed, channel)


def _check_times(body: dict[str, Any], start: str | None, creating: bool) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    if start is not None and "scheduled_start_time" in body and parse_iso(start) < now - dt.timedelta(seconds=5):
        raise errors.invalid_field(["scheduled_start_time"], "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST", "Cannot schedule event in the past.")
    end = body.get("scheduled_end_time")
    if end and start and parse_iso(end) <= parse_iso(start):
        raise errors.invalid_field(["scheduled_end_time"], "GUILD_SCHEDULED_EVENT_END_BEFORE_START", "Cannot schedule event to end before starting.")


@route("POST /guilds/{guild_id}/scheduled-events")
async def create_event(call: Call) -> dict[str, Any]:
    guild = call.store.guild(call.params["guild_id"])
    body = call.body()
    entity_type = int(body["entity_type"])
    _require_event_rights(call, guild, entity_type, body.get("channel_id"))
    if entity_type == EXTERNAL_EVENT and not (body.get("entity_metadata") or {}).get("location"):
        raise errors.invalid_field(["entity_metadata", "location"], "BASE_TYPE_REQUIRED", "This field is required")
    _check_times(body, body["scheduled_start_time"], True)
    if sum(1 for e in guild.events.values() if e.status in (SCHEDULED, ACTIVE)) >= MAX_UNCOMPLETED:
        raise errors.max_events()
    channel_id = body.get("channel_id")
    event = ScheduledEvent(
        snowflake(), guild.id, call.store.bot, body["name"], entity_type, body["scheduled_start_time"],
        channel_id=int(channel_id) if channel_id else None, description=body.get("description"),
        scheduled_end_time=body.get("scheduled_end_time"), privacy_level=body.get("privacy_level") or 2,
        entity_metadata=body.get("entity_metadata") if entity_type == EXTERNAL_EVENT else None,
    )
    guild.events[event.id] = event
    call.fake.dispatch("GUILD_SCHEDULED_EVENT_CREATE", event.payload())
    return event.payload()


@route("GET /guilds/{guild_id}/scheduled-events")
async def list_events(call: Call) -> list[dict[str, Any]]:
    return [e.payload() for e in call.store.guild(call.params["guild_id"]).events.values()]


def _event(call: Call) -> tuple[Guild, ScheduledEvent]:
    guild = call.store.guild(call.params["guild_id"])
    event = guild.events.get(int(call.params["guild_scheduled_event_id"]))
    if event is None:
        raise errors.unknown_event()
    return guild, event


@route("GET /guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}")
async def get_event(call: Call) -> dict[str, Any]:
    return _event(call)[1].payload()


@route("PATCH /guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}")
async def edit_event(call: Call) -> dict[str, Any]:
    guild, event = _event(call)
    body = call.body()
    if event.status in (COMPLETED, CANCELED):
        raise errors.finished_event()
    entity_type = int(body.get("entity_type") or event.entity_type)
    _require_event_rights(call, guild, entity_type, body.get("channel_id", event.channel_id), event)
    status = body.get("status")
    if status is not None and status not in _TRANSITIONS[event.status]:
        raise errors.invalid_field(["status"], "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION", "Invalid status transition.")
    if "scheduled_start_time" in body and event.status != SCHEDULED:
        raise errors.invalid_field(["scheduled_start_time"], "GUILD_SCHEDULED_EVENT_CANNOT_CHANGE_START", "Cannot change the start of a started event.")
    _check_times(body, body.get("scheduled_start_time", event.scheduled_start_time), False)
    for key in ("name", "description", "scheduled_start_time", "scheduled_end_time", "privacy_level", "entity_metadata"):
        if key in body:
            setattr(event, key, body[key])
    if "channel_id" in body:
        event.channel_id = int(body["channel_id"]) if body["channel_id"] else None
    event.entity_type = entity_type
    if status is not None and status != event.status:
        event.status = status
        _automate_stage(call, guild, event)
    call.fake.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event.payload())
    return event.payload()


def _automate_stage(call: Call, guild: Guild, event: ScheduledEvent) -> None:
    if event.entity_type != STAGE_EVENT or event.channel_id is None:
        return
    instance = guild.stage_instances.get(event.channel_id)
    if event.status == ACTIVE and instance is None:
        instance = StageInstance(snowflake(), guild.id, event.channel_id, event.name[:120], 2, event.id)
        guild.stage_instances[event.channel_id] = instance
        event.entity_id = instance.id
        call.fake.dispatch("STAGE_INSTANCE_CREATE", instance.payload())
    elif event.status == COMPLETED and instance is not None and instance.guild_scheduled_event_id == event.id:
        guild.stage_instances.pop(event.channel_id)
        call.fake.dispatch("STAGE_INSTANCE_DELETE", instance.payload())


@route("DELETE /guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}")
async def delete_event(call: Call) -> None:
    guild, event = _event(call)
    _require_event_rights(call, guild, event.entity_type, event.channel_id, event)
    del guild.events[event.id]
    call.fake.dispatch("GUILD_SCHEDULED_EVENT_DELETE", event.payload())
