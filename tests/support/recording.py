"""The Discord harness's bot with what recording needs: a replay folder, replay links, the voice certificate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.discord.service import DiscordAdapter
from bot.bootstrap import build
from bot.config import Settings
from tests.support.discord import Bot


class RecordingBot(Bot):
    connector_factory: Any = None
    replay_dir: Path | None = None
    replay_settings: dict[str, Any] = {}

    @property
    def settings(self) -> Settings:
        base = super().settings
        return base.model_copy(update={"replay_dir": self.replay_dir, **self.replay_settings})

    async def start(self) -> Bot:
        self.app = build(self.settings, clock=self.clock)
        await self.app.start()
        self.adapter = DiscordAdapter(self.app, self.discord_settings, identify_delay=0.05, guild_ready_timeout=0.05,
                                      board_interval=self.board_interval)
        if self.connector_factory is not None:
            self.adapter.client.http.connector = self.connector_factory()  # type: ignore[misc]
        self.adapter.platform.cues.connect_timeout = 5.0  # type: ignore[union-attr]
        await self.adapter.start(wait_ready=5.0)
        await self.adapter.client.tree.sync()
        await self.settle()
        return self
