"""Turns events into platform work: the floor, the board, and who must be told what.

Every event that implies platform work is decided here, so adapters never ask which command ran. The work
is planned as effects before the commit (written with it, in the outbox) and delivered after it, once the
platform's adapter is connected (bot/services/dispatch.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from bot.domain import errors
from bot.domain import events as ev
from bot.domain.members import Turn
from bot.i18n.markers import N_
from bot.i18n.message import Duration, Mention, Message
from bot.ports import Capability, CuePlatform, RecordingPlatform, StagePlatform
from bot.services.board import Board, Heading
from bot.services.effects import Effect, message_from, message_json, recap_from, recap_json
from bot.services.locales import Locales

log = logging.getLogger(__name__)

_MOVED = {
    "time_up": N_("Your speaking time on “{title}” is up; you are back in the audience."),
    "moderator": N_("A moderator moved you back to the audience on “{title}”."),
    "removed": N_("You were removed from the stage “{title}”."),
}


def _cue_of(event: ev.Event) -> str | None:
    """The sound a stage with cues on makes for an event, if any."""
    match event:
        case ev.StageOpened():
            return "opened"
        case ev.SpeakerApproved():
            return "floor"
        case ev.SpeakerWarned():
            return "warning"
        case ev.SpeakerMovedToAudience(reason="time_up"):
            return "time_up"
    return None


def _tell(user_id: str, message: Message) -> Effect:
    return Effect("tell", {"user": user_id, "message": message_json(message)})


def _announce(message: Message) -> Effect:
    return Effect("announce", {"message": message_json(message)})


def _on(kind: str, user_id: str, **args: Any) -> Effect:
    return Effect(kind, {"user": user_id, **args})


def plan(events: Sequence[ev.Event], board: Heading) -> list[Effect]:
    """The platform work a commit's events ask for, in order; pure, so it is written with the commit."""
    effects: list[Effect] = []
    for event in events:
        effects.extend(_effects_of(event, board))
        cue = _cue_of(event)
        if cue is not None and board.rules.cues:
            effects.append(Effect("cue", {"cue": cue}))
    if events and board.state == "live" and not any(isinstance(e, ev.StageOpened) for e in events):
        effects.append(Effect("show_board"))
    return effects


def _effects_of(event: ev.Event, board: Heading) -> list[Effect]:
    title, target = board.ref.title, event.target_id
    match event:
        case ev.StageOpened():
            return [Effect("stage_opened"), *([Effect("recording_on")] if board.rules.record else []),
                    Effect("community.follows")]  # its followers told (bot/services/follows.py)
        case ev.RulesChanged(changes=changes) if changes.get("record") == "True":
            return [Effect("recording_on")]
        case ev.StageClosed(recap=recap, speakers=speakers):
            return [*(_on("set_speaker", u, speaking=False) for u in speakers),
                    Effect("stage_closed", {"recap": recap_json(recap)}),
                    *(_tell(u, Message.of(N_("The stage “{title}” has ended; your hand was lowered."), title=title))
                      for u in recap.still_waiting),
                    Effect("community.closed")]  # tallies and badges (bot/services/community.py)
        case ev.SpeakerApproved() if target:
            return [_on("set_speaker", target, speaking=True),
                    _tell(target, Message.of(N_("You have the floor on “{title}”."), title=title)),
                    *_recorded(board, target, speaking=True)]
        case ev.MemberJoined() if target:
            return _recorded(board, target, speaking=False)
        case ev.SpeakerMovedToAudience(reason=reason) if target:
            moved = [_on("set_speaker", target, speaking=False)]
            if reason in _MOVED:
                moved.append(_tell(target, Message.of(_MOVED[reason], title=title)))
            if reason != "left":
                moved.append(_announce(Message.of(N_("{member} is back in the audience."), member=Mention(target))))
            return moved
        case ev.SpeakerWarned(seconds_left=seconds) if target:
            return [_tell(target, Message.of(N_("Speaking time left on “{title}”: {left}."), left=Duration(seconds),
                                             title=title))]
        case ev.NextInLine() if target:
            return [_tell(target, Message.of(N_("You're next on “{title}”."), title=title))]
        case ev.HandDenied(reason=reason) if target:
            denied = (Message.of(N_("A moderator lowered your hand on “{title}”: {reason}"), title=title,
                                 reason=reason) if reason else
                      Message.of(N_("A moderator lowered your hand on “{title}”."), title=title))
            return [_on("withdraw_hand", target), _tell(target, denied)]
        case ev.HandLowered() if target:
            return [_on("withdraw_hand", target)]
        case ev.HandDropped() if target:
            return [_tell(target, Message.of(N_("You left “{title}” for too long; your hand was lowered."),
                                             title=title))]
        case ev.MemberRemoved() | ev.MemberBlocked() if target:
            removed = [_on("disconnect", target)]
            if isinstance(event, ev.MemberBlocked):
                removed.append(_on("set_access", target, allowed=False))
                removed.extend(_spread(event, board, target, blocked=True))
            return removed
        case ev.MemberKeptOut(refusal=refusal) if target:
            # Seen in the room by the platform, refused there by the rules: taken out of the audio room where
            # the platform can (Discord); elsewhere (a Slack huddle keeps them) they only hear why.
            return [_on("keep_out", target), _tell(target, refusal)]
        case ev.PlatformChangeUndone() if target:
            # Put back in the audience (Discord: suppressed, the request to speak withdrawn), and told why.
            return [_on("set_speaker", target, speaking=False), _tell(target, Message.of(errors.Blocked.message))]
        case ev.MemberUnblocked() if target:
            return [_on("restore_access", target), *_spread(event, board, target, blocked=False)]
        case ev.MemberInvited() if target:
            return [_on("set_access", target, allowed=True),
                    _tell(target, Message.of(N_("You are invited to the stage “{title}”."), title=title))]
    return []


def _spread(event: ev.MemberBlocked | ev.MemberUnblocked, board: Heading, target: str, *,
            blocked: bool) -> list[Effect]:
    """A block decided (or lifted) here holds in the whole space: the space's other live stages follow it
    (bot/services/space_blocks.py). One that reached this stage from another spreads no further."""
    if event.origin is not None:
        return []
    until = event.until if isinstance(event, ev.MemberBlocked) else None
    return [Effect("space.block", {"user": target, "blocked": blocked, "actor": event.actor_id,
                                   "reason": event.reason, "space_id": board.ref.space_id,
                                   "until": until.isoformat() if until is not None else None})]


def _recorded(board: Heading, user_id: str, *, speaking: bool) -> list[Effect]:
    """On a recorded stage, whoever joins or is given the floor learns it and where they stand (their consent is
    read when the notice is delivered, so a consent given meanwhile counts)."""
    if board.rules.record and board.state == "live":
        return [_on("recording_notice", user_id, speaking=speaking)]
    return []


class Notifier:
    """Delivers one planned effect of a stage to its platform, with the stage's board as it is now."""

    def __init__(self, locales: Locales,
                 timeline: Callable[[str], Awaitable[Sequence[Turn]]] | None = None) -> None:
        self._locales, self._timeline = locales, timeline

    async def deliver(self, platform: StagePlatform, effect: Effect, board: Board) -> None:
        ref, args = board.ref, effect.args
        match effect.kind:
            case "stage_opened":
                await platform.stage_opened(board)
            case "stage_closed":
                recap = recap_from(args["recap"])
                if self._timeline is not None:  # who had the floor when: the recap's chapters on every platform
                    recap = replace(recap, timeline=tuple(await self._timeline(ref.stage_id)))
                recap = replace(recap, links=tuple((link.url, link.label) for link in board.links))
                await platform.stage_closed(board, recap)
            case "show_board":
                if board.state == "live":  # a closed stage's last board is the closing one
                    await platform.show_board(board)
            case "set_speaker":
                await platform.set_speaker(ref, args["user"], speaking=args["speaking"])
            case "tell":
                locale = await self._locales.for_member(ref.platform, ref.space_id, args["user"])
                await platform.notify(ref, args["user"], message_from(args["message"]), locale)
            case "announce":
                locale = await self._locales.for_space(ref.platform, ref.space_id)
                await platform.announce(ref, message_from(args["message"]), locale)
            case "disconnect":
                await platform.disconnect(ref, args["user"])
            case "keep_out":
                if Capability.DISCONNECT in platform.capabilities:
                    await platform.disconnect(ref, args["user"])
            case "set_access":
                await platform.set_access(ref, args["user"], allowed=args["allowed"])
            case "withdraw_hand":
                await platform.withdraw_hand(ref, args["user"])
            case "restore_access":
                await platform.restore_access(ref, args["user"])
            case "cue":
                if isinstance(platform, CuePlatform):
                    await platform.cue(ref, args["cue"])
            case "recording_on":  # only a platform that records says so; the others show the rule on the board
                if isinstance(platform, RecordingPlatform):
                    await platform.recording_on(board)
            case "recording_notice":
                if isinstance(platform, RecordingPlatform):
                    await platform.recording_notice(ref, args["user"], speaking=args["speaking"])
            case _:
                log.error("unknown platform effect %r on stage %s", effect.kind, ref.stage_id)
