"""The console's command lines: the words a member types, their usage and what they do."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from bot.domain.errors import MissingArgument, UnknownCommand
from bot.i18n.markers import N_


@dataclass(frozen=True)
class Spec:
    usage: str
    help: str


SPECS: dict[str, Spec] = {
    "/help": Spec("/help", N_("List every command.")),
    "/as": Spec("/as NAME", N_("Act as another member of the space.")),
    "/members": Spec("/members", N_("List the members of the space and who is in the room.")),
    "/channel": Spec("/channel NAME", N_("Move to another channel.")),
    "/join": Spec("/join", N_("Join the audio room of this channel.")),
    "/leave": Spec("/leave", N_("Leave the audio room of this channel.")),
    "/clock": Spec("/clock [+DURATION]", N_("Show the time, or move it forward (e.g. +90s, +5m).")),
    "/locale": Spec("/locale en|fr", N_("Choose your language.")),
    "/space locale": Spec("/space locale en|fr", N_("Choose the space's language (administrators).")),
    "/stage open": Spec('/stage open "TITLE" [topic=TEXT] [visibility=public|members|invite-only] [capacity=N]',
                        N_("Open a stage in this channel.")),
    "/stage close": Spec("/stage close", N_("Close the stage and post its recap.")),
    "/stage topic": Spec('/stage topic "TEXT"', N_("Set the topic.")),
    "/stage rules": Spec("/stage rules [NAME=VALUE ...]", N_("Show the rules, or change them (moderators).")),
    "/stage lock": Spec("/stage lock", N_("Stop new hands from being raised.")),
    "/stage unlock": Spec("/stage unlock", N_("Allow hands again.")),
    "/stage status": Spec("/stage status", N_("Show the board.")),
    "/stage log": Spec("/stage log [COUNT]", N_("Show the audit log (moderators).")),
    "/stage recap": Spec("/stage recap", N_("Show the recap of the last stage closed in this channel.")),
    "/stage invite": Spec("/stage invite NAME", N_("Invite a member (invite-only stages, invited hands).")),
    "/stage remove": Spec('/stage remove NAME ["REASON"]', N_("Take a member off the stage.")),
    "/stage block": Spec('/stage block NAME ["REASON"]', N_("Take a member off the stage and keep them out.")),
    "/stage unblock": Spec("/stage unblock NAME", N_("Let a blocked member back.")),
    "/stage schedule": Spec('/stage schedule "TITLE" start="YYYY-MM-DD HH:MM" [tz=ZONE] [duration=1h] '
                            '[repeat=once|daily|weekly:mon,thu|cron:"M H D M W"] [topic=TEXT]',
                            N_("Schedule a stage in this channel, once or repeating.")),
    "/stage schedules": Spec("/stage schedules", N_("List the upcoming scheduled stages of the space.")),
    "/stage edit": Spec('/stage edit [ID] [title=…] [start=…] [tz=…] [duration=…] [repeat=…] [topic=…]',
                        N_("Change a scheduled stage (its host or a moderator).")),
    "/stage cancel": Spec('/stage cancel [ID] [occurrence="YYYY-MM-DD HH:MM"]',
                          N_("Cancel one occurrence of a scheduled stage, or the whole series.")),
    "/rsvp": Spec("/rsvp [ID] [off]", N_("Say you are going to the next occurrence (off: no longer); without an "
                                        "id, the next stage scheduled in this channel.")),
    "/hand raise": Spec('/hand raise ["NOTE"]', N_("Raise your hand, with an optional note.")),
    "/hand lower": Spec("/hand lower", N_("Lower your hand.")),
    "/queue": Spec("/queue", N_("Show the whole queue and your place in it.")),
    "/speaker approve": Spec("/speaker approve NAME", N_("Give the floor to a member.")),
    "/speaker next": Spec("/speaker next", N_("Give the floor to the next in line.")),
    "/speaker deny": Spec('/speaker deny NAME ["REASON"]', N_("Lower a member's hand.")),
    "/speaker audience": Spec("/speaker audience [NAME]", N_("Move a speaker (or yourself) back to the audience.")),
    "/mod add": Spec("/mod add NAME", N_("Make a member a moderator of this stage.")),
    "/mod remove": Spec("/mod remove NAME", N_("Take moderation of this stage back from a member.")),
    "/restart": Spec("/restart", N_("Restart the bot, keeping the database.")),
    "/quit": Spec("/quit", N_("Leave the console.")),
}


@dataclass(frozen=True)
class Line:
    name: str  # the key in SPECS
    args: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)

    def arg(self, index: int, *, optional: bool = False, default: str = "") -> str:
        if index < len(self.args):
            return self.args[index]
        if optional:
            return default
        raise MissingArgument(usage=SPECS[self.name].usage)


def parse(text: str) -> Line:
    try:
        words = shlex.split(text)
    except ValueError:
        raise MissingArgument(usage=text.strip()) from None
    if not words:
        raise UnknownCommand(command="")
    head = words[0].lower()
    if len(words) > 1 and f"{head} {words[1].lower()}" in SPECS:
        name, rest = f"{head} {words[1].lower()}", words[2:]
    elif head in SPECS:
        name, rest = head, words[1:]
    else:
        raise UnknownCommand(command=" ".join(words[:2]))
    args = [w for w in rest if not _OPTION.match(w)]
    options = dict(w.split("=", 1) for w in rest if _OPTION.match(w))
    return Line(name, args, options)


_OPTION = re.compile(r"^[a-z_]+=")
