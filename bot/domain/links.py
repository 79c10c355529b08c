"""Links and documents a stage's moderators attach to it: what a link may be, and the typed refusals."""

from __future__ import annotations

from dataclasses import dataclass
import re

from bot.domain.commands import StageCommand
from bot.domain.errors import StageError
from bot.i18n.markers import N_

MAX_URL = 500
MAX_LABEL = 80
MAX_LINKS = 10  # a stage's board shows them all
# http(s)://, a host (letters, digits, dots, dashes; or [an IPv6 address]), maybe a port, then anything.
_WEB = re.compile(r"https?://(?:[\w-]+(?:\.[\w-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?(?:[/?#].*)?", re.I)


@dataclass(frozen=True, slots=True)
class Link:
    number: int  # 1, 2, … in the order added; what /stage unlink N names
    url: str
    label: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AddLink(StageCommand):
    url: str
    label: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveLink(StageCommand):
    number: int


LINK_COMMANDS = (AddLink, RemoveLink)


class NotALink(StageError):
    message = N_("Only http:// and https:// links can be added; “{url}” is not one.")


class LinkTooLong(StageError):
    message = N_("A link is at most {max} characters long; that one has {length}.")


class LabelTooLong(StageError):
    message = N_("A link's label is at most {max} characters long; that one has {length}.")


class TooManyLinks(StageError):
    message = N_("A stage holds at most {max} links; remove one first with unlink.")


class NoSuchLink(StageError):
    message = N_("There is no link #{number} on this stage; it has {count}.")


def checked(url: str, label: str) -> tuple[str, str]:
    """The link and its label as stored (spaces around them dropped), or a refusal naming what is wrong."""
    url, label = url.strip(), " ".join(label.split())
    if url.startswith("<") and url.endswith(">"):  # as Slack escapes a link: <https://…> or <https://…|shown>
        url = url[1:-1].split("|", 1)[0]
    if len(url) > MAX_URL:
        raise LinkTooLong(max=MAX_URL, length=len(url))
    if len(label) > MAX_LABEL:
        raise LabelTooLong(max=MAX_LABEL, length=len(label))
    if not _WEB.fullmatch(url) or any(ch.isspace() or ord(ch) < 32 or ch in "<>|\"`" for ch in url):
        raise NotALink(url=url[:80])
    return url, label
