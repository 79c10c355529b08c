"""Follow bench (issue 15): 5,000 followers of one tag told of one stage opening, by direct message, through the
real adapters against the fakes.

Discord: the real adapter on discord.py against the fake Discord keeping Discord's global limit (50 requests a
second per bot); each direct message is two requests (the DM channel, the message), paced at DISCORD_DM_RATE.
Slack: the real bolt app and AsyncWebClient against the fake Slack holding chat.postMessage to one message a
second per conversation and, for the workspace-wide limit Slack does not publish a number for, to 600 a minute
over all conversations; conversations.open to its tier 3 (50 a minute). Direct messages paced at SLACK_DM_RATE.

Measured from the opening command to the last direct message the fake stored; every 429 the fake answered is
counted. `python -m bench.follow_bench [discord|slack] [--runs N] [--followers N] [--dm-rate R]`
(`make bench-follows`). Not a test: run on purpose; prints medians with the machine they ran on.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.machine import describe

FOLLOWERS = 5_000
SECRET = "bench-signing-secret"
DM_CHANNEL = "POST /users/@me/channels"
POST = "POST /channels/{channel_id}/messages"


@dataclass
class Result:
    platform: str
    followers: int
    told: int  # direct messages the fake stored
    seconds: float  # from the opening to the last of them
    rate_limited: int  # 429s the fake answered during the run
    busiest_second: int  # the most requests the bot made in any one second (Discord: against the global 50)
    dm_rate: float

    def summary(self) -> str:
        return (f"{self.platform}: {self.told:,} of {self.followers:,} followers told in {self.seconds:.1f} s "
                f"({self.told / self.seconds:.1f} DMs/s at DM_RATE {self.dm_rate:g}); {self.rate_limited} × 429; "
                f"busiest second {self.busiest_second} requests")


def _busiest(times: list[float]) -> int:
    times = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def _follow_all(app: Any, platform: str, space_id: str, users: list[str]) -> None:
    from bot.domain.follows import Follow, Followed
    from bot.domain.members import Actor

    for user in users:  # through the bus, as /follow tag pricing would
        await app.bus.handle(Follow(actor=Actor(user), platform=platform, space_id=space_id, kind=Followed.TAG,
                                    targets=("pricing",)))


async def discord_run(folder: Path, followers: int, dm_rate: float) -> Result:
    from adapters.discord.endpoints import pointed_at
    from adapters.discord.service import DiscordAdapter
    from adapters.discord.settings import DiscordSettings
    from bot.bootstrap import build
    from bot.config import Settings
    from tests.fakes.discord import FakeDiscord

    async with FakeDiscord(heartbeat_interval_ms=30_000) as fake:
        fake.limit_global(50, 1.0)
        guild = fake.add_guild("Follows")
        stage = fake.add_stage_channel(guild, "weekly-ama")
        host = fake.add_member(guild, "host").user
        members = [fake.add_member(guild, f"m{n:05d}").user for n in range(followers)]
        fake.member_join_voice(guild, host, stage)
        settings = Settings(_env_file=None, database_url=f"sqlite:///{folder / 'follows.db'}", log_level="WARNING")
        discord_settings = DiscordSettings(_env_file=None, token=fake.token, api_base=fake.api_base,
                                           gateway_url=fake.gateway_url, dm_rate=dm_rate)
        app = build(settings)
        await app.start()
        await _follow_all(app, "discord", str(guild.id), [str(m.id) for m in members])
        with pointed_at(discord_settings.api_base, discord_settings.gateway_url):
            adapter = DiscordAdapter(app, discord_settings, guild_ready_timeout=0.5)
            await adapter.start(wait_ready=60)
            try:
                await adapter.client.tree.sync()
                before = len(fake.requests)
                started = time.monotonic()
                opening = fake.run_slash_command(guild, stage, host, "stage", "open",
                                                 options={"title": "Weekly AMA", "tags": "pricing"})
                await fake.wait_response(opening, timeout=10)
                dm_channels = {c.id for c in fake.store.channels.values() if c.recipients}

                def told() -> list[Any]:
                    dm_channels.update(c.id for c in fake.store.channels.values() if c.recipients)
                    return [m for m in fake.store.messages.values() if m.channel_id in dm_channels]

                await fake.wait_for(lambda: len(told()) >= followers, timeout=followers / dm_rate * 3 + 60)
                sent = [r.at for r in fake.requests[before:] if r.route == POST and r.status == 200]
                last = max(sent)
                run = fake.requests[before:]
            finally:
                await adapter.close()
                await app.stop()
        return Result("Discord", followers, len(told()), last - started, sum(1 for r in run if r.status == 429),
                      _busiest([r.at for r in run if "/interactions/" not in r.path]), dm_rate)


async def slack_run(folder: Path, followers: int, dm_rate: float) -> Result:
    from adapters.slack.assembly import assemble
    from adapters.slack.service import start_http
    from adapters.slack.settings import SlackSettings
    from bot.bootstrap import build
    from bot.config import Settings
    from tests.fakes.slack import FakeSlack, SlackSender

    async with FakeSlack() as fake:
        fake.limit_rate("chat.postMessage", max_calls=1, per_seconds=1.0, key="channel")
        fake.limit_rate("chat.postMessage", max_calls=600, per_seconds=60.0, key=None)
        fake.limit_rate("conversations.open", max_calls=50, per_seconds=60.0, key=None)
        host = fake.add_user("host", is_admin=True)
        members = [fake.add_user(f"member{i:05d}") for i in range(followers)]
        room = fake.add_channel("weekly-ama", members=[host.id, *(m.id for m in members)])
        settings = Settings(_env_file=None, log_level="WARNING", rules={"must_be_present": False})
        slack_settings = SlackSettings(_env_file=None, bot_token=fake.token, signing_secret=SECRET,
                                       api_url=fake.api_url, dm_rate=dm_rate)
        app = build(settings, database_url=f"sqlite:///{folder / 'follows.db'}", scheduler="memory")
        await app.start()
        await _follow_all(app, "slack", fake.team.id, [m.id for m in members])
        adapter = assemble(app, slack_settings)
        await adapter.start()
        runner, port = await start_http(adapter, host="127.0.0.1", port=0, path="/slack/events")
        try:
            async with SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET, fake) as slack:
                before = len(fake.calls)
                started = fake.state.now()
                await slack.slash_command("/stage", "open Weekly AMA tags=pricing", user=host, channel=room)
                wanted = {m.id for m in members}

                def told() -> int:
                    return sum(1 for user, messages in fake.dms.items() if user in wanted and messages)

                deadline = time.monotonic() + followers / dm_rate * 3 + 60
                while told() < followers and time.monotonic() < deadline:
                    await asyncio.sleep(0.2)
                run = fake.calls[before:]
                sent = [c.time for c in run if c.method == "chat.postMessage" and c.ok
                        and str(c.args.get("channel", "")) in wanted]
        finally:
            await runner.cleanup()
            await adapter.stop()
            await app.stop()
        return Result("Slack", followers, told(), max(sent) - started, sum(1 for c in run if c.status == 429),
                      _busiest([c.time for c in run]), dm_rate)


def run_once(platform: str, followers: int, dm_rate: float) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        work = discord_run if platform == "discord" else slack_run
        return asyncio.run(work(Path(folder), followers, dm_rate))


def _default_rate(platform: str) -> float:
    from adapters.discord.settings import DiscordSettings
    from adapters.slack.settings import SlackSettings

    chosen = DiscordSettings if platform == "discord" else SlackSettings
    return float(chosen.model_fields["dm_rate"].default)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("platforms", nargs="*", default=["discord", "slack"], choices=["discord", "slack"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--followers", type=int, default=FOLLOWERS)
    parser.add_argument("--dm-rate", type=float, default=None, help="DMs a second (default: the setting's)")
    args = parser.parse_args()
    print(describe())
    for platform in args.platforms:
        rate = args.dm_rate or _default_rate(platform)
        results = []
        for n in range(args.runs):
            result = run_once(platform, args.followers, rate)
            print(f"  run {n + 1}: {result.summary()}", flush=True)
            results.append(result)
        print(f"{platform}: median time to the last DM {statistics.median(r.seconds for r in results):.1f} s over "
              f"{len(results)} runs; 429s in all runs: {sum(r.rate_limited for r in results)}; load average "
              f"{open('/proc/loadavg').read().split()[:3]}", flush=True)


if __name__ == "__main__":
    main()
