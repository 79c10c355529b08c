"""What members ask of the community features: plain data, handled by bot.services.community."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.commands import Command


@dataclass(frozen=True, slots=True, kw_only=True)
class HideStats(Command):
    """Opt out of (hidden=True) or back into the statistics of a space."""

    platform: str
    space_id: str
    hidden: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class SetThresholds(Command):
    """A space's own badge and regular thresholds (its moderators)."""

    platform: str
    space_id: str
    changes: dict[str, str]


COMMUNITY_COMMANDS = (HideStats, SetThresholds)
