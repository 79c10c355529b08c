"""A loopback fake of Discord (REST v10 + gateway) for the real discord.py client.

Start and point discord.py at it::

    async with FakeDiscord(heartbeat_interval_ms=500) as fake:
        guild = fake.add_guild("Guild")
        stage = fake.add_stage_channel(guild, "town-hall")
        alice = fake.add_member(guild, "alice").user
        fake.member_join_voice(guild, alice, stage)
        with pointed_at(fake):                      # Route.BASE + DEFAULT_GATEWAY
            client = discord.Client(intents=..., guild_ready_timeout=0.05)
            async with running(client, fake):       # login, wait for on_ready, close
                ...
        fake.assert_no_spec_violations()

(tests/support/discord.py has the ``fake_discord`` fixture doing this, plus
a check that discord.py logged no ERROR.)

Hooks "as members would": ``member_join_voice``, ``member_leave_voice``,
``member_request_to_speak``, ``member_withdraw_request``, ``moderator_set_speaker`` (Discord's own stage
controls), ``member_send_message``,
``member_interested`` (a scheduled event's "Interested"),
``run_slash_command``, ``autocomplete``, ``press_button``, ``submit_modal``,
``wait_response``; world building: ``add_guild``, ``add_role``, ``add_member``,
``add_text_channel``, ``add_voice_channel``, ``add_stage_channel``,
``set_overwrite``, ``block_dms``, ``voice_endpoint``/``voice_token``.
Faults: ``limit``, ``fail_next``, ``drop_gateway``, ``gateway_outage``.
Observation: ``requests``/``calls``, ``spec_violations``, ``unimplemented``,
``interactions.records``, ``store`` (the world), ``hub`` (gateway sessions),
``wait_for(predicate)``.
"""

from .client import pointed_at, running
from .driver import ChannelFull
from .errors import DiscordError
from .interactions import InteractionRecord, Response
from .models import DM, STAGE, TEXT, VOICE
from .server import FakeDiscord, RecordedRequest
from .spec import Violation

__all__ = [
    "ChannelFull",
    "DM",
    "DiscordError",
    "FakeDiscord",
    "InteractionRecord",
    "RecordedRequest",
    "Response",
    "STAGE",
    "TEXT",
    "VOICE",
    "Violation",
    "pointed_at",
    "running",
]
