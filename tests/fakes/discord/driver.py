"""Test hooks that act "as members would": join and leave stages, raise hands, run commands."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from . import commands as cmds
from . import permissions as perms
from .interactions import APPLICATION_COMMAND, AUTOCOMPLETE, MESSAGE_COMPONENT, MODAL_SUBMIT, InteractionRecord, Response
from .guild import Guild
from .models import STAGE, TEXT, VOICE, Channel, Member, Message, Role, User, VoiceState, iso, snowflake

if TYPE_CHECKING:
    from .server import FakeDiscord


class ChannelFull(Exception):
    """The voice channel's user_limit is reached (Discord's client would refuse to join)."""


class MemberActions:
    # -- the world --------------------------------------------------------------
    def add_guild(self: FakeDiscord, name: str = "Podium Test Guild", **kw: Any) -> Guild:
        guild = self.store.add_guild(name, **kw)
        for session in self.hub.sessions_of(guild.id):  # the bot joins a guild while connected (its shard)
            self.hub._send_dispatch(session, "GUILD_CREATE", guild.payload(members=self.hub._visible_members(session, guild)))  # noqa: SLF001
        self.changed()
        return guild

    def add_role(self: FakeDiscord, guild: Guild, name: str, permissions: int) -> Role:
        role = self.store.add_role(guild, name, permissions)
        self.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.payload()})
        return role

    def add_member(self: FakeDiscord, guild: Guild, user: User | str, *, roles: list[Role] | None = None) -> Member:
        member = self.store.add_member(guild, user, roles=roles)
        self.dispatch("GUILD_MEMBER_ADD", {**member.payload(), "guild_id": str(guild.id)})
        return member

    def add_text_channel(self: FakeDiscord, guild: Guild, name: str = "general", **fields: Any) -> Channel:
        return self._add_channel(guild, name, TEXT, **fields)

    def add_voice_channel(self: FakeDiscord, guild: Guild, name: str = "voice", **fields: Any) -> Channel:
        return self._add_channel(guild, name, VOICE, **fields)

    def add_stage_channel(self: FakeDiscord, guild: Guild, name: str = "stage", **fields: Any) -> Channel:
        return self._add_channel(guild, name, STAGE, **fields)

    def _add_channel(self: FakeDiscord, guild: Guild, name: str, type: int, **fields: Any) -> Channel:
        channel = self.store.add_channel(guild, name, type, **fields)
        self.dispatch("CHANNEL_CREATE", channel.payload())
        return channel

    def set_overwrite(self: FakeDiscord, channel: Channel, target_id: int, *, type: int, allow: int = 0, deny: int = 0) -> None:
        """As an admin would: set a permission overwrite (type 0 role, 1 member)."""
        channel.permission_overwrites = [o for o in channel.permission_overwrites if o["id"] != target_id]
        channel.permission_overwrites.append({"id": target_id, "type": type, "allow": allow, "deny": deny})
        self.dispatch("CHANNEL_UPDATE", channel.payload())

    def block_dms(self: FakeDiscord, user: User) -> None:
        """The user closed DMs: sending to them answers 50007."""
        self.store.dm_blocked.add(user.id)

    # -- voice ------------------------------------------------------------------------
    def voice_state(self: FakeDiscord, guild: Guild, user: User | int) -> VoiceState | None:
        state = guild.voice_states.get(_id(user))
        return state if state is not None and state.channel_id is not None else None

    def member_join_voice(self: FakeDiscord, guild: Guild, user: User | int, channel: Channel, *, self_mute: bool = False) -> VoiceState:
        uid = _id(user)
        member = self.store.member(guild, uid)
        here = [v for v in guild.voice_states.values() if v.channel_id == channel.id and v.user_id != uid]
        allowed = perms.channel_permissions(guild, channel, uid)
        if not allowed & perms.CONNECT:
            raise PermissionError(f"{member.user.username} may not connect to {channel.name}")
        if channel.user_limit and len(here) >= channel.user_limit and not allowed & perms.MOVE_MEMBERS:
            raise ChannelFull(channel.name)
        old = guild.voice_states.get(uid)
        moved_bot = uid == self.store.bot.id and old is not None and old.channel_id not in (None, channel.id)
        state = VoiceState(guild.id, uid, channel.id, old.session_id if moved_bot else secrets.token_hex(16),
                           suppress=channel.type == STAGE, self_mute=self_mute,
                           self_deaf=old.self_deaf if moved_bot else False)
        guild.voice_states[uid] = state
        self.emit_voice_state(guild, state)
        if moved_bot:  # the bot moved by someone: Discord hands it a voice server for its new channel
            # (and the voice server closes its old session with 4014: the test drops it on the voice fake)
            self.dispatch("VOICE_SERVER_UPDATE", {"token": self.voice_token, "guild_id": str(guild.id),
                                                  "endpoint": self.voice_endpoint})
        return state

    def member_leave_voice(self: FakeDiscord, guild: Guild, user: User | int) -> None:
        state = guild.voice_states.pop(_id(user), None)
        if state is not None:
            state.channel_id = None
            state.suppress = False
            state.request_to_speak_timestamp = None
            self.emit_voice_state(guild, state)

    def member_request_to_speak(self: FakeDiscord, guild: Guild, user: User | int) -> VoiceState:
        return self._hand(guild, user, iso())

    def member_withdraw_request(self: FakeDiscord, guild: Guild, user: User | int) -> VoiceState:
        return self._hand(guild, user, None)

    def moderator_set_speaker(self: FakeDiscord, guild: Guild, moderator: User | int, user: User | int, *,
                              speaking: bool = True) -> VoiceState:
        """A member uses Discord's own stage controls on `user` (themselves included): "Invite to Speak" / "Move
        to Audience", as the REST route does it (MUTE_MEMBERS in the channel; inviting someone else also sets
        their request to speak). The gateway's VOICE_STATE_UPDATE says nothing of who did it, as in Discord."""
        state = self.voice_state(guild, user)
        if state is None or guild.channels[state.channel_id].type != STAGE:
            raise LookupError("the member is not in a stage channel")
        channel = guild.channels[state.channel_id]
        if not perms.channel_permissions(guild, channel, _id(moderator)) & perms.MUTE_MEMBERS:
            raise PermissionError("the moderator may not manage speakers here")
        state.suppress = not speaking
        state.request_to_speak_timestamp = iso() if speaking and _id(moderator) != _id(user) else None
        self.emit_voice_state(guild, state)
        return state

    def _hand(self: FakeDiscord, guild: Guild, user: User | int, stamp: str | None) -> VoiceState:
        state = self.voice_state(guild, user)
        if state is None or guild.channels[state.channel_id].type != STAGE:
            raise LookupError("the member is not in a stage channel")
        channel = guild.channels[state.channel_id]
        if stamp and not perms.channel_permissions(guild, channel, state.user_id) & perms.REQUEST_TO_SPEAK:
            raise PermissionError("the member may not request to speak here")
        state.request_to_speak_timestamp = stamp
        self.emit_voice_state(guild, state)
        return state

    def guild_set_locale(self: FakeDiscord, guild: Guild, locale: str) -> None:
        """An admin changes the server's language (Server Settings → Community → Server Primary Language)."""
        guild.preferred_locale = locale
        data = guild.payload()
        for create_only in ("joined_at", "large", "unavailable", "member_count", "members", "channels", "threads",
                            "presences", "voice_states", "stage_instances", "guild_scheduled_events",
                            "soundboard_sounds"):
            data.pop(create_only)  # GUILD_UPDATE carries the guild object alone
        self.dispatch("GUILD_UPDATE", data)

    def emit_voice_state(self: FakeDiscord, guild: Guild, state: VoiceState) -> None:
        self.dispatch("VOICE_STATE_UPDATE", state.payload(guild.members.get(state.user_id)))

    def gateway_voice_state(self: FakeDiscord, session: Any, data: dict[str, Any]) -> None:
        """Op 4 from the bot: join/move/leave, then VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE."""
        guild = self.store.guilds.get(int(data["guild_id"]))
        if guild is None:
            return
        bot_id = self.store.bot.id
        channel_id = data.get("channel_id")
        if channel_id is None:
            self.member_leave_voice(guild, bot_id)
            return
        channel = guild.channels.get(int(channel_id))
        if channel is None or channel.type not in (VOICE, STAGE) or not self.store.bot_permissions(guild, channel) & perms.CONNECT:
            return  # Discord stays silent; the client times out
        old = guild.voice_states.get(bot_id)
        state = VoiceState(guild.id, bot_id, channel.id, session.id, suppress=channel.type == STAGE,
                           self_mute=bool(data.get("self_mute")), self_deaf=bool(data.get("self_deaf")))
        if old is not None and old.channel_id == channel.id:
            state.suppress, state.request_to_speak_timestamp = old.suppress, old.request_to_speak_timestamp
        guild.voice_states[bot_id] = state
        self.emit_voice_state(guild, state)
        self.dispatch("VOICE_SERVER_UPDATE", {"token": self.voice_token, "guild_id": str(guild.id), "endpoint": self.voice_endpoint})

    # -- scheduled events -------------------------------------------------------------
    def member_interested(self: FakeDiscord, guild: Guild, user: User | int, event_id: int | str, *, interested: bool = True) -> None:
        """The member presses "Interested" on an event (or takes it back): GUILD_SCHEDULED_EVENT_USER_ADD/_REMOVE.

        As in Discord's client, only an event still to come or live can be marked; pressing twice changes nothing."""
        event = guild.events.get(int(event_id))
        if event is None:
            raise LookupError(f"no scheduled event {event_id} in {guild.name}")
        uid = _id(user)
        self.store.member(guild, uid)
        if interested and event.status not in (1, 2):
            raise PermissionError("a finished event cannot be marked as interesting")
        if (uid in event.subscribers) == interested:
            return
        (event.subscribers.add if interested else event.subscribers.discard)(uid)
        self.dispatch("GUILD_SCHEDULED_EVENT_USER_ADD" if interested else "GUILD_SCHEDULED_EVENT_USER_REMOVE",
                      {"guild_scheduled_event_id": str(event.id), "user_id": str(uid), "guild_id": str(guild.id)})

    # -- messages ---------------------------------------------------------------------
    def member_send_message(self: FakeDiscord, channel: Channel, user: User, content: str) -> Message:
        message = Message(snowflake(), channel.id, user, content, guild_id=channel.guild_id)
        self.store.messages[message.id] = message
        channel.last_message_id = message.id
        self.emit_message("MESSAGE_CREATE", message)
        return message

    def emit_message(self: FakeDiscord, event: str, message: Message) -> None:
        data = message.payload()
        guild = self.store.guilds.get(message.guild_id) if message.guild_id else None
        if guild is not None and message.author.id in guild.members:
            member = guild.members[message.author.id].payload()
            member.pop("user")
            data["member"] = member
        bot_id = self.store.bot.id

        def content_intent(session: Any, payload: dict[str, Any]) -> dict[str, Any]:
            from .gateway import MESSAGE_CONTENT

            if session.intents & MESSAGE_CONTENT or message.author.id == bot_id or guild is None:
                return payload
            return {**payload, "content": "", "embeds": [], "components": [], "attachments": []}

        self.dispatch(event, data, transform=content_intent)

    # -- interactions -------------------------------------------------------------------
    def run_slash_command(
        self: FakeDiscord, guild: Guild | None, channel: Channel, user: User, name: str, *subcommands: str,
        options: dict[str, Any] | None = None, locale: str = "en-US",
    ) -> InteractionRecord:
        """A member runs ``/name subcommand... option=value``; returns the interaction record."""
        command = cmds.find_command(self, guild, name)
        built, resolved = cmds.build_options(self, guild, command, subcommands, options or {})
        data: dict[str, Any] = {"id": command["id"], "name": name, "type": 1, "options": built}
        if resolved:
            data["resolved"] = resolved
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return self.interactions.create(APPLICATION_COMMAND, user=user, guild=guild, channel=channel, data=data, locale=locale)

    def autocomplete(
        self: FakeDiscord, guild: Guild | None, channel: Channel, user: User, name: str, *subcommands: str,
        options: dict[str, Any], focused: str, locale: str = "en-US",
    ) -> InteractionRecord:
        command = cmds.find_command(self, guild, name)
        built, _ = cmds.build_options(self, guild, command, subcommands, options, focused=focused)
        data = {"id": command["id"], "name": name, "type": 1, "options": built}
        return self.interactions.create(AUTOCOMPLETE, user=user, guild=guild, channel=channel, data=data, locale=locale)

    def press_button(self: FakeDiscord, message: Message, custom_id: str, user: User, *, values: list[str] | None = None) -> InteractionRecord:
        """Click a button (or pick ``values`` in a select) that is on ``message`` now."""
        message = self.store.messages.get(message.id, message)
        component = _find_component(message.components, custom_id)
        if component is None:
            raise LookupError(f"no component {custom_id!r} on message {message.id}")
        if component.get("disabled"):
            raise PermissionError(f"component {custom_id!r} is disabled")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if values is not None or component["type"] != 2:
            data["values"] = values or []
        channel = self.store.channel(message.channel_id)
        guild = self.store.guild_of(channel)
        return self.interactions.create(MESSAGE_COMPONENT, user=user, guild=guild, channel=channel, data=data, message=message)

    def submit_modal(self: FakeDiscord, opened_by: InteractionRecord, values: dict[str, str], *, user: User | None = None) -> InteractionRecord:
        """Fill in and submit the modal the bot opened in answer to ``opened_by``."""
        modal = opened_by.modal
        if modal is None:
            raise LookupError("the bot did not answer that interaction with a modal")
        rows = []
        for row in modal.get("components", []):
            if row.get("type") == 18:  # label wrapping one component
                inner = row["component"]
                rows.append({"type": 18, "component": {"type": inner["type"], "custom_id": inner["custom_id"], "value": values.get(inner["custom_id"], "")}})
            else:
                rows.append({"type": 1, "components": [
                    {"type": c["type"], "custom_id": c["custom_id"], "value": values.get(c["custom_id"], "")} for c in row.get("components", [])
                ]})
        data = {"custom_id": modal["custom_id"], "components": rows}
        return self.interactions.create(
            MODAL_SUBMIT, user=user or opened_by.user, guild=opened_by.guild, channel=opened_by.channel, data=data, message=opened_by.message
        )

    async def wait_response(self: FakeDiscord, record: InteractionRecord, timeout: float = 3.0) -> Response:
        return await self.interactions.wait_response(record, timeout)


def _find_component(components: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    for component in components:
        if component.get("custom_id") == custom_id:
            return component
        for key in ("components", "accessory", "component"):
            inner = component.get(key)
            found = _find_component(inner if isinstance(inner, list) else [inner], custom_id) if inner else None
            if found:
                return found
    return None


def _id(user: User | int) -> int:
    return user if isinstance(user, int) else user.id
