"""Slack HTTP replicas behind a load balancer: two `podium run` processes on one PostgreSQL, each request
going to either; every command is answered once, none refused, the one board shows them all, edited by one
replica at a time; a replica killed while holding a stage leaves it to the other."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, text

from tests.fakes.slack import FakeSlack, SlackSender
from tests.support.databases import pg_url  # noqa: F401 - fixture
from tests.support.processes import free_port, start_slack_podium, stop_podium
from tests.support.slack import PATH, SECRET, eventually, populate

pytestmark = pytest.mark.postgres


@dataclass
class Replicas:
    fake: FakeSlack
    people: dict[str, Any]
    room: Any
    members: list[Any]
    processes: list[asyncio.subprocess.Process]
    senders: list[SlackSender]

    def balanced(self) -> itertools.cycle[SlackSender]:
        """Requests alternating between the replicas, as a round-robin load balancer sends them."""
        return itertools.cycle(self.senders)


@asynccontextmanager
async def two_replicas(tmp_path: Path, pg_url: str, *, members: int = 0) -> AsyncIterator[Replicas]:
    """Two replicas on one PostgreSQL (each with its INSTANCE_NAME), `members` more people in the channel;
    those still running at the end are stopped with SIGTERM and must have logged no traceback or refusal."""
    async with FakeSlack() as fake:
        people, room = populate(fake)
        crowd = [fake.add_user(f"member{n:02}") for n in range(members)]
        fake.state.channels[room.id].members.extend(m.id for m in crowd)
        ports = [free_port(), free_port()]
        # The first migrates; the second starts once it listens (both would wait on the migration lock anyway).
        processes = [await start_slack_podium(fake, tmp_path, ports[0], database_url=pg_url, name="replica-a")]
        processes.append(await start_slack_podium(fake, tmp_path, ports[1], database_url=pg_url, name="replica-b"))
        senders = [SlackSender(f"http://127.0.0.1:{port}{PATH}", SECRET, fake) for port in ports]
        stderrs: list[str] = []
        try:
            yield Replicas(fake, people, room, crowd, processes, senders)
        finally:
            for sender in senders:
                await sender.__aexit__(None, None, None)
            for process in processes:
                if process.returncode is None:
                    stderrs.append(await stop_podium(process))
        assert not any("Traceback" in err or "Something went wrong" in err for err in stderrs)
        fake.assert_no_spec_violations()


async def opened(replicas: Replicas, title: str) -> None:
    answer = await replicas.senders[0].slash_command("/stage", f"open {title}", user=replicas.people["alice"],
                                                     channel=replicas.room)
    assert answer.status == 200
    await replicas.fake.wait_for("chat.postMessage", channel=replicas.room.id, timeout=15)


async def test_two_replicas_on_one_postgresql_take_any_request(tmp_path: Path, pg_url: str) -> None:
    async with two_replicas(tmp_path, pg_url, members=24) as r:
        fake, room, members, balanced = r.fake, r.room, r.members, r.balanced()
        await opened(r, "Replicas")
        answered = await asyncio.gather(*(next(balanced).slash_command("/stage", "raise", user=m, channel=room)
                                          for m in members))
        assert all(a.status == 200 and a.in_time for a in answered)
        await eventually(lambda: sum("Hand raised" in str(p) for p in fake.response_posts) == len(members),
                         timeout=20, what="every member answered")
        positions = sorted(int(str(p).split("#")[1].split(".")[0]) for p in fake.response_posts
                           if "Hand raised" in str(p))
        assert positions == list(range(1, len(members) + 1))  # once each, none refused
        await eventually(lambda: f"*Queue ({len(members)})*" in str(fake.messages(room.id)[0].blocks),
                         timeout=20, what="the board counting every hand")
        assert len([m for m in fake.messages(room.id) if "Replicas" in str(m.blocks)]) == 1  # one board


async def test_two_replicas_edit_a_stage_s_board_one_at_a_time_a_second_apart(tmp_path: Path, pg_url: str) -> None:
    # Slack allows about one edit a second per channel. Replicas behind a load balancer each commit changes
    # to the stage; its board is edited by one of them at a time, a second apart, and shows the last change.
    async with two_replicas(tmp_path, pg_url, members=30) as r:
        fake, room, members, balanced = r.fake, r.room, r.members, r.balanced()
        await opened(r, "Paced")
        for wave in range(0, len(members), 5):  # raises arriving at both replicas for about three seconds
            await asyncio.gather(*(next(balanced).slash_command("/stage", "raise", user=m, channel=room)
                                   for m in members[wave:wave + 5]))
            await asyncio.sleep(0.5)
        for member in members[:7]:  # and a few lowered, the last change on either replica
            await next(balanced).slash_command("/stage", "lower", user=member, channel=room)
        await eventually(lambda: f"*Queue ({len(members) - 7})*" in str(fake.messages(room.id)[0].blocks),
                         timeout=20, what="the board counting the hands still up")
        await asyncio.sleep(2.5)  # any edit still coming would come within this
        board = fake.messages(room.id)[0]
        assert f"*Queue ({len(members) - 7})*" in str(board.blocks)  # still current: nothing older drawn over it
        edits = [c.time for c in fake.calls_to("chat.update", channel=room.id, ts=board.ts)]
        assert len(edits) >= 3
        gaps = [later - earlier for earlier, later in zip(edits, edits[1:])]
        assert min(gaps) >= 1.0, gaps


async def test_a_replica_killed_while_its_raise_waits_in_the_server_leaves_the_stage_to_the_other(
        tmp_path: Path, pg_url: str) -> None:
    # Replica A's raise waits in the server on the outbox table's lock, holding the stage's row, and A is SIGKILLed
    # meanwhile. Its transaction went to the server whole, BEGIN to COMMIT in one round trip: the server either
    # ends it with the connection or completes it once the lock is free, as if A had died right after its commit.
    # Either way nothing is half done (the hand, its audit entry and the effects telling the member, in the
    # outbox for whoever takes A's over, are all kept or none), A acknowledged nothing, and replica B, whose raise
    # waited on the stage's row instead of failing, serves the stage next and tells its member the place after.
    schema = pg_url.split("search_path%3D")[1].split("&")[0]
    user = pg_url.split("://")[1].split("@")[0]
    engine = create_engine(pg_url)
    try:
        async with two_replicas(tmp_path, pg_url) as r:
            fake, room, people, (held_replica, _) = r.fake, r.room, r.people, r.processes
            await opened(r, "Held")
            with psycopg.connect(host="127.0.0.1", dbname="test", user=user) as blocker:
                blocker.execute(f"LOCK TABLE {schema}.outbox IN EXCLUSIVE MODE")  # held until the rollback below
                held = asyncio.create_task(r.senders[0].slash_command("/stage", "raise", user=people["carol"],
                                                                      channel=room))
                await eventually(lambda: _waiting_on_outbox(engine), timeout=10, what="replica A held in its raise")
                held_replica.kill()
                await held_replica.wait()
                blocker.rollback()
            try:
                answer = await held
            except Exception:  # the connection reset: Slack shows the member a failure
                answer = None
            assert answer is None or answer.status != 200  # A acknowledged nothing
            served = await r.senders[1].slash_command("/stage", "raise", user=people["bob"], channel=room)
            assert served.status == 200 and served.in_time
            await eventually(lambda: any("Hand raised, you are #" in str(p) for p in fake.response_posts),
                             what="replica B answering")
            with engine.connect() as conn:
                hands = [r[0] for r in conn.execute(text(
                    "SELECT user_id FROM participant WHERE hand_seq IS NOT NULL ORDER BY hand_seq"))]
                raised = conn.execute(text("SELECT count(*) FROM audit_log WHERE kind = 'HandRaised'")).scalar_one()
                told = conn.execute(text("SELECT count(*) FROM outbox WHERE payload::text LIKE :who"),
                                    {"who": f"%{people['carol'].id}%"}).scalar_one()
            kept = hands[:1] == [people["carol"].id]
            assert hands == ([people["carol"].id] if kept else []) + [people["bob"].id]
            assert raised == len(hands) and (told > 0) == kept
            place = len(hands)
            assert any(f"Hand raised, you are #{place}." in str(p) for p in fake.response_posts)
    finally:
        engine.dispose()


def _waiting_on_outbox(engine: Engine) -> bool:
    """Whether a session waits for the outbox table's lock (replica A's raise, holding the stage's row)."""
    with engine.connect() as conn:
        return bool(conn.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = "
                                      "'outbox'::regclass")).scalar_one())
