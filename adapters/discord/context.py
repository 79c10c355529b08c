"""What every part of the Discord adapter shares: the core, the client and the adapter's small services.

Built once per `serve` (never at import): the client is created first, then this, then the platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import discord

from adapters.discord.boards import BoardPublisher, Content
from adapters.discord.direct import DirectMessages
from adapters.discord.directory import StageDirectory
from adapters.discord.expectations import Expectations
from adapters.discord.failures import Reporter
from adapters.pacing import Pacer
from adapters.discord.settings import DiscordSettings
from bot.bootstrap import App
from bot.services.dispatch import Dispatcher


@dataclass
class Pacing:
    """Rates chosen under Discord's published and observed limits (see pacing.py)."""

    # Voice-state edits and disconnects, per server: evenly spaced, so closing a stage with many speakers or
    # reconciling a large one stays under the hidden per-route limits (at most 5 in any second).
    voice: Pacer = field(default_factory=lambda: Pacer(rate=4.0, burst=1))
    members: Pacer = field(default_factory=lambda: Pacer(rate=4.0, burst=1))
    posts: Pacer = field(default_factory=lambda: Pacer(rate=1.0, burst=5))  # messages, per channel
    direct: Pacer = field(default_factory=lambda: Pacer(rate=2.0, burst=5))  # direct messages, overall
    # Direct messages to followers (DISCORD_DM_RATE a second), after the stages' own.
    followers: Pacer = field(default_factory=lambda: Pacer(rate=10.0, burst=10))


@dataclass
class Context:
    app: App
    settings: DiscordSettings
    client: discord.Client
    directory: StageDirectory
    lanes: Dispatcher  # per stage channel: voice events and reconciliation, in arrival order
    pacing: Pacing
    reporter: Reporter
    boards: BoardPublisher
    direct: DirectMessages
    expected: Expectations

    @classmethod
    def build(cls, app: App, settings: DiscordSettings, client: discord.Client, *, board_content: Content,
              board_interval: float = 1.0) -> Context:
        pacing = Pacing(followers=Pacer(rate=settings.dm_rate, burst=max(1, round(settings.dm_rate))))
        reporter = Reporter(client=client, app=app, pacer=pacing.posts)
        return cls(app=app, settings=settings, client=client, directory=StageDirectory(app.queries),
                   lanes=Dispatcher(), pacing=pacing, reporter=reporter,
                   boards=BoardPublisher(client=client, app=app, reporter=reporter, content=board_content,
                                         interval=board_interval),
                   direct=DirectMessages(client=client, pacer=pacing.direct, bulk_pacer=pacing.followers),
                   expected=Expectations())

    @property
    def moderator_roles(self) -> list[str]:
        return self.settings.moderator_roles


def context_of(interaction: discord.Interaction) -> Context:
    """The context of the client an interaction arrived on (set when the client was attached)."""
    return interaction.client.podium  # type: ignore[attr-defined, no-any-return]


def lane(guild_id: int | str, channel_id: int | str) -> str:
    return f"discord:{guild_id}:{channel_id}"
