"""Voice states, stage instances and guild members, with Discord's preconditions.

Modify (current) user voice state: the user must be connected (else 10065
Unknown Voice State), ``channel_id`` must be that stage channel (a non-stage
channel answers 50024), unsuppressing anyone else (or yourself) needs
MUTE_MEMBERS, requesting to speak needs REQUEST_TO_SPEAK; suppressing clears
the hand, and unsuppressing a non-bot user sets ``request_to_speak_timestamp``
to now (Discord's "invite to speak"). A stage instance needs a stage channel
and a stage moderator (MANAGE_CHANNELS + MUTE_MEMBERS + MOVE_MEMBERS), one per
channel (150006). Member PATCH with ``channel_id: null`` disconnects (needs
MOVE_MEMBERS; 40032 if the target is not in voice).
"""

from __future__ import annotations

from typing import Any

from . import errors
from . import permissions as perms
from .guild import Guild, StageInstance
from .models import STAGE, VOICE, VoiceState, iso, snowflake
from .routes import Call, route


def _stage_state(call: Call, guild: Guild, user_id: int) -> VoiceState:
    state = guild.voice_states.get(user_id)
    if state is None or state.channel_id is None:
        raise errors.unknown_voice_state()
    wanted = call.body().get("channel_id")
    if wanted is not None:
        channel = call.store.channel(wanted)
        if channel.guild_id != guild.id or channel.type != STAGE:
            raise errors.wrong_channel_type()
        if channel.id != state.channel_id:
            raise errors.unknown_voice_state()
    if guild.channels[state.channel_id].type != STAGE:
        raise errors.wrong_channel_type()
    return state


@route("PATCH /guilds/{guild_id}/voice-states/@me")
async def edit_my_voice_state(call: Call) -> None:
    store = call.store
    guild = store.guild(call.params["guild_id"])
    state = _stage_state(call, guild, store.bot.id)
    channel = guild.channels[state.channel_id]
    body = call.body()
    if body.get("suppress") is False:
        store.require(guild, perms.MUTE_MEMBERS, channel)
    if body.get("request_to_speak_timestamp"):
        store.require(guild, perms.REQUEST_TO_SPEAK, channel)
    if "suppress" in body and body["suppress"] is not None:
        state.suppress = body["suppress"]
        if state.suppress:
            state.request_to_speak_timestamp = None
    if "request_to_speak_timestamp" in body:
        state.request_to_speak_timestamp = body["request_to_speak_timestamp"]
    call.fake.emit_voice_state(guild, state)


@route("PATCH /guilds/{guild_id}/voice-states/{user_id}")
async def edit_voice_state(call: Call) -> None:
    store = call.store
    guild = store.guild(call.params["guild_id"])
    member = store.member(guild, call.params["user_id"])
    state = _stage_state(call, guild, member.user.id)
    channel = guild.channels[state.channel_id]
    store.require(guild, perms.MUTE_MEMBERS, channel)
    suppress = call.body().get("suppress")
    if suppress is True:
        state.suppress = True
        state.request_to_speak_timestamp = None
    elif suppress is False:
        state.suppress = False
        state.request_to_speak_timestamp = None if member.user.bot else iso()
    call.fake.emit_voice_state(guild, state)


@route("GET /guilds/{guild_id}/voice-states/@me", "GET /guilds/{guild_id}/voice-states/{user_id}")
async def get_voice_state(call: Call) -> dict[str, Any]:
    guild = call.store.guild(call.params["guild_id"])
    user_id = call.store.bot.id if "user_id" not in call.params else int(call.params["user_id"])
    state = guild.voice_states.get(user_id)
    if state is None or state.channel_id is None:
        raise errors.unknown_voice_state()
    return state.payload(guild.members.get(user_id))


# -- stage instances ------------------------------------------------------------------


def _moderated_stage(call: Call, channel_id: Any) -> tuple[Guild, Any]:
    store = call.store
    channel = store.readable_channel(channel_id)
    guild = store.guild_of(channel)
    if guild is None or channel.type != STAGE:
        raise errors.wrong_channel_type()
    store.require(guild, perms.STAGE_MODERATOR, channel)
    return guild, channel


@route("POST /stage-instances")
async def create_stage_instance(call: Call) -> dict[str, Any]:
    body = call.body()
    guild, channel = _moderated_stage(call, body["channel_id"])
    if channel.id in guild.stage_instances:
        raise errors.stage_already_open()
    event_id = body.get("guild_scheduled_event_id")
    instance = StageInstance(snowflake(), guild.id, channel.id, body["topic"], body.get("privacy_level") or 2,
                             int(event_id) if event_id else None)
    guild.stage_instances[channel.id] = instance
    call.fake.dispatch("STAGE_INSTANCE_CREATE", instance.payload())
    return instance.payload()


def _instance(call: Call) -> tuple[Guild, StageInstance]:
    channel = call.store.readable_channel(call.params["channel_id"])
    guild = call.store.guild_of(channel)
    instance = guild.stage_instances.get(channel.id) if guild is not None else None
    if instance is None:
        raise errors.unknown_stage_instance()
    return guild, instance


@route("GET /stage-instances/{channel_id}")
async def get_stage_instance(call: Call) -> dict[str, Any]:
    return _instance(call)[1].payload()


@route("PATCH /stage-instances/{channel_id}")
async def edit_stage_instance(call: Call) -> dict[str, Any]:
    guild, instance = _instance(call)
    _moderated_stage(call, instance.channel_id)
    body = call.body()
    if body.get("topic"):
        instance.topic = body["topic"]
    if body.get("privacy_level"):
        instance.privacy_level = body["privacy_level"]
    call.fake.dispatch("STAGE_INSTANCE_UPDATE", instance.payload())
    return instance.payload()


@route("DELETE /stage-instances/{channel_id}")
async def delete_stage_instance(call: Call) -> None:
    guild, instance = _instance(call)
    _moderated_stage(call, instance.channel_id)
    close_stage(call.fake, guild, instance)


def close_stage(fake: Any, guild: Guild, instance: StageInstance) -> None:
    """End a stage; its scheduled event (if any) completes, as Discord automates."""
    guild.stage_instances.pop(instance.channel_id, None)
    fake.dispatch("STAGE_INSTANCE_DELETE", instance.payload())
    event = guild.events.get(instance.guild_scheduled_event_id or 0)
    if event is not None and event.status == 2:
        event.status = 3
        fake.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event.payload())


# -- members ----------------------------------------------------------------------------


@route("GET /guilds/{guild_id}/members/{user_id}")
async def get_member(call: Call) -> dict[str, Any]:
    guild = call.store.guild(call.params["guild_id"])
    return call.store.member(guild, call.params["user_id"]).payload()


@route("GET /guilds/{guild_id}/members")
async def list_members(call: Call) -> list[dict[str, Any]]:
    guild = call.store.guild(call.params["guild_id"])
    after = int(call.query.get("after", 0))
    limit = int(call.query.get("limit", 1))
    members = sorted((m for uid, m in guild.members.items() if uid > after), key=lambda m: m.user.id)
    return [m.payload() for m in members[:limit]]


@route("PATCH /guilds/{guild_id}/members/{user_id}")
async def edit_member(call: Call) -> dict[str, Any]:
    store = call.store
    guild = store.guild(call.params["guild_id"])
    member = store.member(guild, call.params["user_id"])
    body = call.body()
    state = guild.voice_states.get(member.user.id)
    if "channel_id" in body:
        store.require(guild, perms.MOVE_MEMBERS)
        if state is None or state.channel_id is None:
            raise errors.target_not_in_voice()
        if body["channel_id"] is None:
            call.fake.member_leave_voice(guild, member.user.id)
        else:
            target = store.channel(body["channel_id"])
            if target.guild_id != guild.id or target.type not in (VOICE, STAGE):
                raise errors.wrong_channel_type()
            store.require(guild, perms.MOVE_MEMBERS | perms.CONNECT, target)
            state.channel_id = target.id
            state.suppress = target.type == STAGE
            state.request_to_speak_timestamp = None
            call.fake.emit_voice_state(guild, state)
    for key, needed in (("mute", perms.MUTE_MEMBERS), ("deaf", perms.DEAFEN_MEMBERS)):
        if key in body:
            store.require(guild, needed)
            setattr(member, key, bool(body[key]))
            if state is not None and state.channel_id is not None:
                setattr(state, key, bool(body[key]))
                call.fake.emit_voice_state(guild, state)
    if "nick" in body:
        store.require(guild, 1 << 27)  # MANAGE_NICKNAMES
        member.nick = body["nick"]
    if "roles" in body:
        store.require(guild, perms.MANAGE_ROLES)
        member.roles = [int(r) for r in body["roles"] or []]
    call.fake.dispatch("GUILD_MEMBER_UPDATE", {**member.payload(), "guild_id": str(guild.id)})
    return member.payload()


@route("GET /guilds/{guild_id}/members/search")
async def search_members(call: Call) -> list[dict[str, Any]]:
    guild = call.store.guild(call.params["guild_id"])
    query = call.query.get("query", "").lower()
    limit = int(call.query.get("limit", 1))
    found = [m for m in guild.members.values() if m.user.username.lower().startswith(query) or (m.nick or "").lower().startswith(query)]
    return [m.payload() for m in found[:limit]]
