"""`/stage` subcommands: the words a member types after /stage, their usage and what they do."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from adapters.slack.text import unescape
from bot.domain.errors import MissingArgument, UnknownCommand
from bot.i18n.markers import N_


@dataclass(frozen=True)
class Spec:
    usage: str
    help: str


SPECS: dict[str, Spec] = {
    "open": Spec('/stage open "TITLE" [topic=TEXT] [visibility=public|members|invite-only] [capacity=N] '
                 "[follow=on|off]", N_("Open a stage in this channel; follow=on closes it when the huddle ends.")),
    "close": Spec("/stage close", N_("Close the stage and post its recap.")),
    "topic": Spec("/stage topic TEXT", N_("Set the topic.")),
    "rules": Spec("/stage rules [NAME=VALUE ...]", N_("Show the rules, or change them (moderators).")),
    "lock": Spec("/stage lock", N_("Stop new hands from being raised.")),
    "unlock": Spec("/stage unlock", N_("Allow hands again.")),
    "status": Spec("/stage status", N_("Show the board.")),
    "log": Spec("/stage log [COUNT]", N_("Show the audit log (moderators).")),
    "recap": Spec("/stage recap", N_("Show the recap of the last stage closed in this channel.")),
    "raise": Spec("/stage raise [NOTE]", N_("Raise your hand, with an optional note.")),
    "lower": Spec("/stage lower", N_("Lower your hand.")),
    "queue": Spec("/stage queue", N_("Show the whole queue and your place in it.")),
    "next": Spec("/stage next", N_("Give the floor to the next in line.")),
    "approve": Spec("/stage approve @MEMBER", N_("Give the floor to a member.")),
    "deny": Spec("/stage deny @MEMBER [REASON]", N_("Lower a member's hand.")),
    "audience": Spec("/stage audience [@MEMBER]", N_("Move a speaker (or yourself) back to the audience.")),
    "mod add": Spec("/stage mod add @MEMBER", N_("Make a member a moderator of this stage.")),
    "mod remove": Spec("/stage mod remove @MEMBER", N_("Take moderation of this stage back from a member.")),
    "invite": Spec("/stage invite @MEMBER", N_("Invite a member (invite-only stages, invited hands).")),
    "remove": Spec("/stage remove @MEMBER [REASON]", N_("Take a member off the stage.")),
    "block": Spec("/stage block @MEMBER [REASON]", N_("Take a member off the stage and keep them out.")),
    "unblock": Spec("/stage unblock @MEMBER", N_("Let a blocked member back.")),
    "schedule": Spec('/stage schedule "TITLE" start="YYYY-MM-DD HH:MM" [tz=ZONE] [duration=1h] '
                     '[repeat=once|daily|weekly:mon,thu|cron:"M H D M W"] [topic=TEXT]',
                     N_("Schedule a stage in this channel, once or repeating; the start is in your Slack time "
                        "zone unless tz= names another.")),
    "schedules": Spec("/stage schedules", N_("List the upcoming scheduled stages of the space.")),
    "edit": Spec("/stage edit [ID] [title=…] [start=…] [tz=…] [duration=…] [repeat=…] [topic=…]",
                 N_("Change a scheduled stage (its host or a moderator).")),
    "cancel": Spec('/stage cancel [ID] [occurrence="YYYY-MM-DD HH:MM"] [tz=ZONE]',
                   N_("Cancel one occurrence of a scheduled stage, or the whole series.")),
    "rsvp": Spec("/stage rsvp [ID] [off]", N_("Say you are going to the next occurrence (off: no longer); without "
                                             "an id, the next stage scheduled in this channel.")),
    "help": Spec("/stage help", N_("List every command.")),
}

_OPTION = re.compile(r"^[a-z_]+=")
# Slack clients type curly quotes; the words are the same.
_QUOTES = str.maketrans({"“": '"', "”": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})


@dataclass(frozen=True)
class Line:
    name: str  # the key in SPECS
    args: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    rest: str = ""  # the text after the subcommand, as typed (a topic, a note, a reason)

    def arg(self, index: int, *, optional: bool = False, default: str = "") -> str:
        if index < len(self.args):
            return self.args[index]
        if optional:
            return default
        raise MissingArgument(usage=SPECS[self.name].usage)

    def text_after(self, count: int) -> str:
        """The free text after the first `count` words, quotes around it dropped."""
        text = self.rest
        for _ in range(count):
            parts = text.split(None, 1)
            text = parts[1] if len(parts) > 1 else ""
        text = text.strip()
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1].strip()
        return text

    @property
    def usage(self) -> str:
        return SPECS[self.name].usage


def parse(text: str) -> Line:
    """The subcommand of `/stage TEXT`; an empty text asks for help."""
    text = unescape(text).translate(_QUOTES).strip()
    head, _, tail = text.partition(" ")
    head = head.lower() or "help"
    if head == "mod":
        verb, _, tail = tail.strip().partition(" ")
        head = f"mod {verb.lower()}"
    if head not in SPECS:
        raise UnknownCommand(command=f"/stage {head}")
    try:
        words = shlex.split(tail)
    except ValueError:  # an apostrophe in a note, say: plain words will do
        words = tail.split()
    args = [w for w in words if not _OPTION.match(w)]
    options = dict(w.split("=", 1) for w in words if _OPTION.match(w))
    return Line(head, args, options, tail.strip())
