"""Statistics, leaderboards and badges as sentences every platform renders (members as mentions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.domain import badges as b
from bot.domain.community import Board, MemberStats, Period, SpaceStats, Thresholds
from bot.i18n.markers import N_
from bot.i18n.message import Duration, Mention, Message

class Lines(list[Message]):
    """A read answered in sentences, one a line: every adapter shows them as they come, in the reader's
    language, members the platform's way."""


# Shown beside a member's name (console, Slack boards and App Home); Discord can grant a role instead.
EMOJI = {b.FIRST_STAGE: "🎤", b.ATTENDED: "🎧", b.MINUTES_SPOKEN: "🗣️", b.HOSTED: "🎙️", b.TOP_SPEAKER: "🏆"}
NAMES = {
    b.FIRST_STAGE: N_("First time on stage"),
    b.ATTENDED: N_("Faithful listener"),
    b.MINUTES_SPOKEN: N_("Seasoned speaker"),
    b.HOSTED: N_("Host"),
    b.TOP_SPEAKER: N_("Top speaker of the month"),
}
_PERIODS = {Period.MONTH: N_("the last 30 days"), Period.ALL: N_("all time")}
_BOARDS = {Board.SPEAKERS: N_("Top speakers ({period})"), Board.LISTENERS: N_("Top listeners ({period})"),
           Board.HOSTS: N_("Top hosts ({period})")}


def emoji(keys: Iterable[str]) -> str:
    """A member's badges as emoji, each kind once, in the catalogue's order."""
    kinds = {b.kind_of(k) for k in keys}
    return "".join(EMOJI[k] for k in b.CATALOGUE if k in kinds)


def badge_name(key: str) -> Message:
    kind = b.kind_of(key)
    if kind == b.TOP_SPEAKER and ":" in key:
        return Message.of(N_("{badge} ({month})"), badge=Message.of(NAMES[kind]), month=key.split(":", 1)[1])
    return Message.of(NAMES.get(kind, kind))


def badge_message(user_id: str, key: str, *, told: bool = False) -> Message:
    shown = f"{EMOJI.get(b.kind_of(key), '')} "
    if told:
        return Message.of(N_("{emoji}You earned a badge: {badge}."), emoji=shown, badge=badge_name(key))
    return Message.of(N_("{emoji}{member} earned a badge: {badge}."), emoji=shown, member=Mention(user_id),
                      badge=badge_name(key))


def stats_lines(stats: MemberStats, space: SpaceStats, period: Period, *, regular: bool = False) -> Lines:
    badges = [badge_name(k) for k in stats.badges]
    return Lines([
        *([Message.of(N_("{member} is a regular of this space."), member=Mention(stats.user_id))] if regular else []),
        Message.of(N_("Statistics of {member} ({period}):"), member=Mention(stats.user_id),
                   period=Message.of(_PERIODS[period])),
        Message.of(N_("Stages attended: {stages}; minutes present: {minutes}."), stages=stats.stages,
                   minutes=stats.minutes_present),
        Message.of(N_("Times on stage: {turns}; minutes spoken: {minutes}."), turns=stats.turns,
                   minutes=stats.minutes_spoken),
        Message.of(N_("Hands raised: {raised}; served: {served}."), raised=stats.hands_raised,
                   served=stats.hands_served),
        Message.of(N_("Stages hosted: {hosted}; largest audience: {peak}."), hosted=stats.hosted,
                   peak=stats.peak_audience),
        Message.of(N_("Badges: {badges}"), badges=_joined(badges)) if badges else Message.of(N_("Badges: none yet.")),
        Message.of(N_("This space ({period}): stages held: {stages}; minutes: {minutes}; different speakers: {speakers}."),
                   period=Message.of(_PERIODS[period]), stages=space.stages, minutes=space.minutes,
                   speakers=space.speakers),
    ])


def _joined(items: Sequence[Message]) -> Message:
    template = ", ".join(f"{{b{i}}}" for i in range(len(items)))
    return Message(template, {f"b{i}": item for i, item in enumerate(items)})


def board_lines(ranked: Sequence[MemberStats], board: Board, period: Period) -> Lines:
    lines = Lines([Message.of(_BOARDS[board], period=Message.of(_PERIODS[period]))])
    if not ranked:
        lines.append(Message.of(N_("Nobody is on this board yet.")))
        return lines
    for rank, stats in enumerate(ranked, 1):
        badges = emoji(stats.badges)
        match board:
            case Board.SPEAKERS:
                value = Message.of(N_("{time} spoken"), time=Duration(stats.minutes_spoken * 60))
            case Board.LISTENERS:
                value = Message.of(N_("{time} in the room"), time=Duration(stats.minutes_present * 60))
            case _:
                value = Message.of(N_("{count} stages hosted"), count=stats.hosted)
        lines.append(Message.of(N_("#{rank} {member}{badges} — {value}"), rank=rank, member=Mention(stats.user_id),
                                badges=f" {badges}" if badges else "", value=value))
    return lines


def threshold_lines(limits: Thresholds) -> Lines:
    return Lines([Message.of(N_("Badges of this space and what each asks:")),
            Message.of(N_("{emoji} {badge}: first_stage={value} (times on stage)"), emoji=EMOJI[b.FIRST_STAGE],
                       badge=badge_name(b.FIRST_STAGE), value=limits.first_stage),
            Message.of(N_("{emoji} {badge}: attended={value} (stages)"), emoji=EMOJI[b.ATTENDED],
                       badge=badge_name(b.ATTENDED), value=limits.attended),
            Message.of(N_("{emoji} {badge}: minutes_spoken={value}"), emoji=EMOJI[b.MINUTES_SPOKEN],
                       badge=badge_name(b.MINUTES_SPOKEN), value=limits.minutes_spoken),
            Message.of(N_("{emoji} {badge}: hosted={value} (stages)"), emoji=EMOJI[b.HOSTED],
                       badge=badge_name(b.HOSTED), value=limits.hosted),
            Message.of(N_("{emoji} {badge}: the most minutes spoken in a calendar month"), emoji=EMOJI[b.TOP_SPEAKER],
                       badge=badge_name(b.TOP_SPEAKER)),
            Message.of(N_("Regulars: regular={value} stages attended in the last 30 days"), value=limits.regular)])


def suggestion_lines(ranked: Sequence[MemberStats], limits: Thresholds) -> Lines:
    lines = Lines([Message.of(N_("Regulars who spoke well without incident (the last 30 days):"))])
    if not ranked:
        lines.append(Message.of(N_("None yet: a regular attends {count} stages in 30 days, has spoken, and was never "
                                   "removed nor blocked."), count=limits.regular))
        return lines
    for stats in ranked:
        lines.append(Message.of(N_("{member}: {stages} stages, {time} spoken, {served} hands served"),
                                member=Mention(stats.user_id), stages=stats.stages,
                                time=Duration(stats.minutes_spoken * 60), served=stats.hands_served))
    lines.append(Message.of(N_("To hand one of them moderation of this stage: mod add and their name.")))
    return lines
