"""Turns committed events into platform work: the floor, the board, and who must be told what.

Every event that implies platform work is decided here, so adapters never ask which command ran."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping, Sequence

from bot.domain import events as ev
from bot.i18n.markers import N_
from bot.i18n.message import Mention, Message
from bot.ports import Capability, CuePlatform, StagePlatform
from bot.services.board import Board
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


class Notifier:
    def __init__(self, platforms: Mapping[str, StagePlatform], locales: Locales) -> None:
        self._platforms, self._locales = platforms, locales

    async def __call__(self, events: Sequence[ev.Event], board: Board) -> None:
        platform = self._platforms.get(board.ref.platform)
        if platform is None:
            return
        for event in events:
            await self._guard(event, self._apply(platform, event, board))
            cue = _cue_of(event)
            if cue is not None and board.rules.cues and isinstance(platform, CuePlatform):
                await self._guard(event, platform.cue(board.ref, cue))
        if board.state == "live" and not any(isinstance(e, ev.StageOpened) for e in events):
            await self._guard(events[-1], platform.show_board(board))

    async def _guard(self, event: ev.Event, work: Awaitable[None]) -> None:
        try:
            await work
        except Exception:  # the platform said no; the stage goes on and the next call still runs
            log.exception("platform work for %s on stage %s failed", event.kind, event.stage_id)

    async def _apply(self, platform: StagePlatform, event: ev.Event, board: Board) -> None:
        ref, title, target = board.ref, board.ref.title, event.target_id
        match event:
            case ev.StageOpened():
                await self._guard(event, platform.stage_opened(board))
            case ev.StageClosed(recap=recap, speakers=speakers):
                for user_id in speakers:
                    await self._guard(event, platform.set_speaker(ref, user_id, speaking=False))
                await self._guard(event, platform.stage_closed(board, recap))
                for user_id in recap.still_waiting:
                    await self._guard(event, self._tell(platform, board, user_id, Message.of(
                        N_("The stage “{title}” has ended; your hand was lowered."), title=title)))
            case ev.SpeakerApproved() if target:
                await self._guard(event, platform.set_speaker(ref, target, speaking=True))
                await self._guard(event, self._tell(platform, board, target, Message.of(
                    N_("You have the floor on “{title}”."), title=title)))
            case ev.SpeakerMovedToAudience(reason=reason) if target:
                await self._guard(event, platform.set_speaker(ref, target, speaking=False))
                if reason in _MOVED:
                    await self._guard(event, self._tell(
                        platform, board, target, Message.of(_MOVED[reason], title=title)))
                if reason != "left":
                    await self._guard(event, self._announce(platform, board, Message.of(
                        N_("{member} is back in the audience."), member=Mention(target))))
            case ev.SpeakerWarned(seconds_left=seconds) if target:
                await self._guard(event, self._tell(platform, board, target, Message.of(
                    N_("Speaking time left on “{title}”: {seconds} s."), seconds=seconds, title=title)))
            case ev.NextInLine() if target:
                await self._guard(event, self._tell(platform, board, target, Message.of(
                    N_("You're next on “{title}”."), title=title)))
            case ev.HandDenied(reason=reason) if target:
                denied = (Message.of(N_("A moderator lowered your hand on “{title}”: {reason}"), title=title,
                                     reason=reason) if reason else
                          Message.of(N_("A moderator lowered your hand on “{title}”."), title=title))
                await self._guard(event, platform.withdraw_hand(ref, target))
                await self._guard(event, self._tell(platform, board, target, denied))
            case ev.HandLowered() if target:
                await self._guard(event, platform.withdraw_hand(ref, target))
            case ev.HandDropped() if target:
                await self._guard(event, self._tell(platform, board, target, Message.of(
                    N_("You left “{title}” for too long; your hand was lowered."), title=title)))
            case ev.MemberRemoved() | ev.MemberBlocked() if target:
                await self._guard(event, platform.disconnect(ref, target))
                if isinstance(event, ev.MemberBlocked):
                    await self._guard(event, platform.set_access(ref, target, allowed=False))
            case ev.MemberKeptOut(refusal=refusal) if target:
                # Seen in the room by the platform, refused there by the rules: out where the platform can take
                # members out of the audio room (Discord); elsewhere they only hear why (a huddle keeps them).
                if Capability.DISCONNECT in platform.capabilities:
                    await self._guard(event, platform.disconnect(ref, target))
                await self._guard(event, self._tell(platform, board, target, refusal))
            case ev.MemberUnblocked() if target:
                await self._guard(event, platform.restore_access(ref, target))
            case ev.MemberInvited() if target:
                await self._guard(event, platform.set_access(ref, target, allowed=True))
                await self._guard(event, self._tell(platform, board, target, Message.of(
                    N_("You are invited to the stage “{title}”."), title=title)))

    async def _tell(self, platform: StagePlatform, board: Board, user_id: str, message: Message) -> None:
        locale = await self._locales.for_member(board.ref.platform, board.ref.space_id, user_id)
        await platform.notify(board.ref, user_id, message, locale)

    async def _announce(self, platform: StagePlatform, board: Board, message: Message) -> None:
        locale = await self._locales.for_space(board.ref.platform, board.ref.space_id)
        await platform.announce(board.ref, message, locale)
