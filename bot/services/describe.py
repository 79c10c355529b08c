"""Audit-log entries as sentences: who did what to whom, and why."""

from __future__ import annotations

from typing import Any

from bot.domain.rules import DURATIONS, SWITCHES
from bot.i18n.markers import N_
from bot.i18n.message import Duration, Mention, Message

_SENTENCES = {
    "StageScheduled": N_("{actor} scheduled “{title}”"),
    "StageOpened": N_("{actor} opened “{title}”"),
    "StageClosed": N_("{actor} closed the stage"),
    "TopicChanged": N_("{actor} set the topic to “{topic}”"),
    "TagsChanged": N_("{actor} set the tags to {tags}"),
    "RulesChanged": N_("{actor} changed the rules: {changes}"),
    "HandsLocked": N_("{actor} locked hands"),
    "HandsUnlocked": N_("{actor} unlocked hands"),
    "HandRaised": N_("{actor} raised a hand (#{position})"),
    "HandLowered": N_("{actor} lowered their hand"),
    "HandDropped": N_("{target}'s hand dropped after the grace period"),
    "HandDenied": N_("{actor} denied {target}'s hand"),
    "NextInLine": N_("{target} is next in line"),
    "SpeakerApproved": N_("{actor} gave the floor to {target}"),
    "SpeakerWarned": N_("{target} was warned: {left} left"),
    "SpeakerMovedToAudience": N_("{actor} moved {target} back to the audience"),
    "ModeratorAdded": N_("{actor} made {target} a moderator"),
    "ModeratorRemoved": N_("{actor} took moderation from {target}"),
    "MemberInvited": N_("{actor} invited {target}"),
    "MemberRemoved": N_("{actor} removed {target}"),
    "MemberBlocked": N_("{actor} blocked {target}"),
    "MemberUnblocked": N_("{actor} unblocked {target}"),
    "MemberJoined": N_("{target} joined the room"),
    "MemberLeft": N_("{target} left the room"),
    "MemberKeptOut": N_("{target} was kept out of the room"),
    "PlatformChangeUndone": N_("{target} is blocked: put back in the audience"),
    "RoomSeen": N_("the room is in sight: who is in it counts"),
    "RoomLost": N_("the room is out of sight: nobody is refused for being away"),
    "LinkAdded": N_("{actor} added a link: {url}"),
    "LinkRemoved": N_("{actor} removed link #{number}: {url}"),
}
_REASONS = {
    "time_up": N_("speaking time was up"),
    "left": N_("left the room"),
    "self": N_("stepped down"),
    "removed": N_("removed from the stage"),
    "floor": N_("given the floor with the platform's own controls"),
    "hand": N_("a request to speak with the platform's own controls"),
}


_SELF_EVIDENT = {"moderator"}  # "alice moved bob back to the audience" says it already


def describe(kind: str, actor_id: str, target_id: str | None, reason: str, data: dict[str, Any]) -> Message:
    sentence = _SENTENCES.get(kind, N_("{actor}: {kind}"))
    params: dict[str, Any] = {**data, "actor": Mention(actor_id), "kind": kind}
    if "seconds_left" in data:
        params["left"] = Duration(data["seconds_left"])
    if kind == "RulesChanged" and isinstance(data.get("changes"), str):
        params["changes"] = _rule_changes(data["changes"])
    if target_id is not None:
        params["target"] = Mention(target_id)
    line = Message(sentence, params)
    if reason and reason not in _SELF_EVIDENT:
        why = Message.of(_REASONS[reason]) if reason in _REASONS else reason
        return Message.of(N_("{line} ({reason})"), line=line, reason=why)
    return line


def _rule_changes(stored: str) -> Message:
    """`speaking_time_limit=600, must_be_present=False` as people read it: `… = 10 min, … = off` (the log keeps
    the values as the rules hold them; a role list's commas have no space after them)."""
    parts: dict[str, Any] = {}
    for index, pair in enumerate(p for p in stored.split(", ") if "=" in p):
        name, _, raw = pair.partition("=")
        value: Any = raw
        if name in DURATIONS and raw.isdigit():
            value = Duration(int(raw), DURATIONS[name])
        elif name in SWITCHES and raw in ("True", "False"):
            value = raw == "True"
        parts[f"p{index}"] = Message.of(N_("{rule} = {value}"), rule=name, value=value)
    return Message(", ".join(f"{{{key}}}" for key in parts), parts) if parts else Message.of("{value}", value=stored)
