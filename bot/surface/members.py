"""Naming a member as people do: a mention, an id, a display name or an unambiguous start of one."""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.errors import UnknownMember
from bot.surface.errors import AmbiguousMember


def pick(typed: str, members: Iterable[tuple[str, str]]) -> str:
    """The user id for what was typed, among (user id, display name) pairs; refused when none or several fit."""
    key = typed.strip().lstrip("@").casefold()
    known = list(members)
    for user_id, name in known:
        if key in (user_id.casefold(), name.casefold()):
            return user_id
    found = {user_id: name for user_id, name in known if key and name.casefold().startswith(key)}
    if len(found) > 1:
        raise AmbiguousMember(name=typed, candidates=", ".join(sorted(found.values())[:5]))
    if not found:
        raise UnknownMember(name=typed)
    return next(iter(found))
