"""Events API payloads, shaped after Slack's documented examples, that also update the fake's state.

- `user_huddle_changed`: the full user object; `profile.huddle_state` is "in_a_huddle" with
  `huddle_state_call_id` (the room id, "R...") while in a huddle, "default_unset" with
  `huddle_state_expiration_ts: 0` and no call id after (docs.slack.dev/reference/events/user_huddle_changed).
- a huddle in a channel is a `message` with subtype `huddle_thread` posted by USLACKBOT, carrying a `room`
  (id, created_by, date_start, date_end 0 while live, participants, participant_history, channels,
  has_ended, ...); Slack edits that message as the huddle changes, which arrives as a `message_changed`
  whose `message` is the huddle_thread (as in conversations.history's documented example).
- `app_home_opened`, `member_joined_channel`, plain `message`.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from .payloads import VERIFICATION_TOKEN
from .registry import Ctx
from .state import Channel, Message, SlackState, User
from .views import view_object

SLACKBOT = "USLACKBOT"


def new_event_id() -> str:
    return "Ev" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(9))


def envelope(state: SlackState, event: dict[str, Any], *, api_app_id: str, event_id: str,
             event_time: int) -> dict[str, Any]:
    """The `event_callback` wrapper Slack posts to the Request URL."""
    return {
        "token": VERIFICATION_TOKEN, "team_id": state.team.id, "context_team_id": state.team.id,
        "context_enterprise_id": None, "api_app_id": api_app_id, "event": event, "type": "event_callback",
        "event_id": event_id, "event_time": event_time,
        "authorizations": [{"enterprise_id": None, "team_id": state.team.id, "user_id": state.bot.id,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
        "event_context": "4-" + secrets.token_urlsafe(24),
    }


def _channel_type(ch: Channel) -> str:
    return "im" if ch.is_im else "mpim" if ch.is_mpim else "group" if ch.is_private else "channel"


def user_huddle_changed(state: SlackState, user: User, *, call_id: str | None) -> dict[str, Any]:
    """`user` joined the huddle `call_id` ("R..."), or left any huddle when `call_id` is None."""
    user.huddle_state = "in_a_huddle" if call_id else "default_unset"
    user.huddle_call_id = call_id
    ts = state.next_ts()
    return {"type": "user_huddle_changed", "user": state.user_object(user, include_locale=True),
            "cache_ts": int(float(ts)), "event_ts": ts}


def _room(state: SlackState, channel: Channel, room_id: str, created_by: str, date_start: int,
          participants: list[str], history: list[str], date_end: int, thread_ts: str) -> dict[str, Any]:
    return {
        "id": room_id, "name": "", "media_server": "", "created_by": created_by, "date_start": date_start,
        "date_end": date_end, "participants": list(participants), "participant_history": list(history),
        "participants_camera_on": [], "participants_camera_off": [], "participants_screenshare_on": [],
        "participants_screenshare_off": [], "canvas_thread_ts": thread_ts, "thread_root_ts": thread_ts,
        "channels": [channel.id], "is_dm_call": channel.is_im, "was_rejected": False, "was_missed": False,
        "was_accepted": False, "has_ended": date_end != 0, "background_id": "GRADIENT_03",
        "canvas_background": "GRADIENT_03", "is_prewarmed": False, "is_scheduled": False,
        "attached_file_ids": [], "media_backend_type": "free_willy", "display_id": "",
        "external_unique_id": secrets.token_hex(16), "app_id": "A00", "call_family": "huddle",
        "pending_invitees": {}, "last_invite_status_by_user": {},
    }


def huddle_started(state: SlackState, channel: Channel, *, created_by: User,
                   room_id: str | None = None) -> dict[str, Any]:
    """The `huddle_thread` message Slack posts when a huddle starts in `channel` (stored in the channel)."""
    state.users.setdefault(SLACKBOT, User(id=SLACKBOT, name="slackbot", real_name="Slackbot"))
    ts = state.next_ts()
    room = _room(state, channel, room_id or state.new_id("R"), created_by.id, int(float(ts)), [created_by.id],
                 [created_by.id], 0, ts)
    msg = Message(ts=ts, channel=channel.id, user=SLACKBOT, subtype="huddle_thread", extra={
        "room": room, "no_notifications": True,
        "permalink": f"https://{state.team.domain}.slack.com/call/{room['id']}",
        "blocks": [{"type": "rich_text", "block_id": "hdl01", "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": "A huddle started"}]}]}]})
    channel.messages.append(msg)
    return {**state.message_object(msg), "channel": channel.id, "event_ts": ts, "channel_type": _channel_type(channel)}


def huddle_changed(state: SlackState, channel: Channel, room_id: str, *, participants: list[str],
                   ended: bool = False) -> dict[str, Any]:
    """Slack's edit of the huddle_thread message: who is in the room now, or that it ended."""
    msg = next(m for m in channel.messages if m.subtype == "huddle_thread" and m.extra["room"]["id"] == room_id)
    previous = state.message_object(msg)
    room = msg.extra["room"]
    history = list(dict.fromkeys([*room["participant_history"], *participants]))
    ts = state.next_ts()
    msg.extra["room"] = {**room, "participants": [] if ended else list(participants),
                         "participant_history": history, "date_end": int(float(ts)) if ended else 0,
                         "has_ended": ended}
    msg.edited_ts = ts
    return {"type": "message", "subtype": "message_changed", "hidden": True, "channel": channel.id,
            "channel_type": _channel_type(channel), "message": state.message_object(msg),
            "previous_message": previous, "event_ts": ts, "ts": ts}


def app_home_opened(state: SlackState, user: User, *, tab: str = "home") -> dict[str, Any]:
    dm = state.open_dm(user.id)
    event: dict[str, Any] = {"type": "app_home_opened", "user": user.id, "channel": dm.id, "tab": tab,
                             "event_ts": state.next_ts()}
    home = next((v for v in state.views.values() if v.type == "home" and v.user == user.id), None)
    if home is not None and tab == "home":
        event["view"] = view_object(Ctx(state, {}, state.bot), home)
    return event


def member_joined_channel(state: SlackState, user: User, channel: Channel, *,
                          inviter: User | None = None) -> dict[str, Any]:
    """`user` joined `channel` (added to its members)."""
    if user.id not in channel.members:
        channel.members.append(user.id)
    event = {"type": "member_joined_channel", "user": user.id, "channel": channel.id,
             "channel_type": "G" if channel.is_private else "C", "team": state.team.id,
             "event_ts": state.next_ts()}
    if inviter is not None:
        event["inviter"] = inviter.id
    return event


def message(state: SlackState, user: User, channel: Channel, text: str,
            thread_ts: str | None = None) -> dict[str, Any]:
    """A person's message (stored in the channel), as the `message` event carries it."""
    msg = state.post_as(user.id, channel.id, text, thread_ts)
    event = {**state.message_object(msg), "channel": channel.id, "event_ts": msg.ts,
             "channel_type": _channel_type(channel), "client_msg_id": secrets.token_hex(16)}
    event["blocks"] = [{"type": "rich_text", "block_id": "msg01", "elements": [
        {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}]
    return event
