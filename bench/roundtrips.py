"""Round trips to PostgreSQL, counted on the wire: a loopback proxy between the bot and the server that counts
what the client sends and then waits for (a simple Query, or a Sync closing an extended-protocol exchange).

Counting on the wire sees everything: the driver's own statements (BEGIN, a pool's pre-ping, SQLAlchemy's first
`select version()`), not only those SQLAlchemy reports through its events.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass, field


@dataclass
class Counter:
    round_trips: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    statements: dict[str, int] = field(default_factory=dict)  # the start of each statement sent, counted
    # Each transaction a connection began and committed (BEGIN ... COMMIT): its round trips, and the start of
    # each statement whose text went out in it (a statement the driver prepared earlier goes by name only).
    transactions: list[tuple[int, list[str]]] = field(default_factory=list)


class WireProxy:
    """Listens on 127.0.0.1:port and forwards each connection to ``upstream``; counts client Query/Sync."""

    def __init__(self, upstream: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.upstream = upstream
        self.counter = Counter()
        self.port = 0
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self) -> WireProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in self._connections:  # connections a pool still holds: cut, as the server would
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def reset(self) -> None:
        self.counter = Counter()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        me = asyncio.current_task()
        assert me is not None
        self._connections.add(me)
        try:
            await self._relay(reader, writer)
        except (asyncio.CancelledError, ConnectionError):
            writer.close()
        finally:
            self._connections.discard(me)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        back = asyncio.create_task(_pipe(up_reader, writer))
        try:
            await self._client(reader, up_writer)
        finally:
            up_writer.close()
            back.cancel()
            writer.close()

    async def _client(self, reader: asyncio.StreamReader, up: asyncio.StreamWriter) -> None:
        # The startup packet (and an SSLRequest before it) has no type byte: a length, then the body.
        while True:
            head = await reader.readexactly(4)
            (length,) = struct.unpack("!I", head)
            body = await reader.readexactly(length - 4)
            up.write(head + body)
            await up.drain()
            if body[:4] not in (b"\x04\xd2\x16\x2f", b"\x04\xd2\x16\x30"):  # not SSL/GSS: startup done
                break
        began: tuple[int, list[str]] | None = None  # this connection's open transaction, so far
        committing = False
        while True:
            try:
                kind = await reader.readexactly(1)
                head = await reader.readexactly(4)
            except asyncio.IncompleteReadError:
                return
            (length,) = struct.unpack("!I", head)
            body = await reader.readexactly(length - 4)
            if kind in (b"Q", b"P"):
                text = body[body.index(b"\0") + 1:] if kind == b"P" else body
                start = " ".join(text[:70].decode(errors="replace").split()).rstrip("\0")
                self.counter.statements[start] = self.counter.statements.get(start, 0) + 1
                word = start.split(" ", 1)[0].upper()
                if word == "BEGIN":
                    began = (0, [])
                elif began is not None:
                    began[1].append(start)
                    committing = committing or word == "COMMIT"
                    began = None if word == "ROLLBACK" else began
            if kind in (b"Q", b"S"):
                self.counter.round_trips += 1
                if began is not None:
                    began = (began[0] + 1, began[1])
                    if committing:  # answered with the commit: done
                        self.counter.transactions.append(began)
                        began, committing = None, False
                label = body[:40].decode(errors="replace").split()[0].upper() if kind == b"Q" and body else "SYNC"
                self.counter.by_kind[label] = self.counter.by_kind.get(label, 0) + 1
            up.write(kind + head + body)
            await up.drain()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionResetError, BrokenPipeError):
        pass
    finally:
        writer.close()
