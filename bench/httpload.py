"""A lean HTTP/1.1 keep-alive load generator for 127.0.0.1 only.

A Python client on the same two cores competes with the servers for CPU; httpx costs several
hundred microseconds of CPU per request, this raw-socket client a few tens, so the servers (not
the client) are what the figures measure. Every request is pre-encoded; responses are read by
Content-Length (or chunked) and the status is checked by the caller.

Two shapes, both with a fixed number of requests (bounded load):
- `closed_loop`: `concurrency` connections, each sending its next request when the last answered
  (saturation throughput);
- `open_loop`: requests scheduled at a fixed rate; each latency is measured from the scheduled
  send time, so a stalled server cannot hide its queueing (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

ALLOWED_HOSTS = {"127.0.0.1", "localhost"}
IDLE_REOPEN_S = 4.0  # uvicorn closes keep-alive connections idle for 5 s


class LoadError(RuntimeError):
    pass


def encode_request(
    method: str, host: str, port: int, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> bytes:
    if host not in ALLOWED_HOSTS:
        raise LoadError(f"load goes to 127.0.0.1 only, not {host}")
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(body)}")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Connection:
    def __init__(self, host: str, port: int) -> None:
        if host not in ALLOWED_HOSTS:
            raise LoadError(f"load goes to 127.0.0.1 only, not {host}")
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last_used = time.monotonic()

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except Exception:
                pass
            self.writer = None

    async def send(self, raw: bytes) -> tuple[int, bytes, dict[bytes, bytes]]:
        if self.writer is not None and time.monotonic() - self.last_used > IDLE_REOPEN_S:
            await self.close()  # the server may be closing it right now: never race its keep-alive timeout
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        headers: dict[bytes, bytes] = {}
        for line in head.split(b"\r\n")[1:]:
            if b":" in line:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
        if b"content-length" in headers:
            body = await self.reader.readexactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                parts.append(chunk[:-2])
            body = b"".join(parts)
        else:
            body = b""
        self.last_used = time.monotonic()
        if headers.get(b"connection", b"").lower() == b"close":
            await self.close()
        return status, body, headers


@dataclass
class LoadResult:
    requests: int
    elapsed_s: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    # (send time, answer time, status, body) per request, when asked for (freshness)
    answers: list[tuple[float, float, int, bytes]] = field(default_factory=list)

    @property
    def ok(self) -> int:
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)

    @property
    def per_s(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def percentile(self, q: float) -> float | None:
        return percentile(self.latencies_ms, q)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


RequestFactory = Callable[[int], bytes]


async def closed_loop(
    host: str, port: int, make: RequestFactory, *, total: int, concurrency: int, keep_answers: bool = False
) -> LoadResult:
    """`total` requests over `concurrency` keep-alive connections, each waiting for its answer."""
    result = LoadResult(requests=total, elapsed_s=0.0)
    counter = iter(range(total))

    async def worker() -> None:
        conn = Connection(host, port)
        try:
            for i in counter:
                raw = make(i)
                started = time.perf_counter()
                try:
                    status, body, _ = await conn.send(raw)
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    result.errors[type(exc).__name__] += 1
                    await conn.close()
                    continue
                done = time.perf_counter()
                result.latencies_ms.append((done - started) * 1000)
                result.statuses[status] += 1
                if keep_answers:
                    result.answers.append((started, done, status, body))
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.elapsed_s = time.perf_counter() - started
    return result


async def open_loop(
    host: str,
    port: int,
    make: RequestFactory,
    *,
    total: int,
    rate: float,
    max_connections: int = 128,
    keep_answers: bool = False,
) -> LoadResult:
    """`total` requests sent at `rate` per second whatever the answers; latency from the scheduled time."""
    result = LoadResult(requests=total, elapsed_s=0.0)
    idle: list[Connection] = []
    opened = 0
    available = asyncio.Condition()

    async def take() -> Connection:
        nonlocal opened
        async with available:
            while not idle and opened >= max_connections:
                await available.wait()
            if idle:
                return idle.pop()
            opened += 1
        return Connection(host, port)

    async def give(conn: Connection) -> None:
        async with available:
            idle.append(conn)
            available.notify()

    async def one(i: int, scheduled: float) -> None:
        conn = await take()
        try:
            status, body, _ = await conn.send(make(i))
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            result.errors[type(exc).__name__] += 1
            await conn.close()
            await give(conn)
            return
        done = time.perf_counter()
        await give(conn)
        result.latencies_ms.append((done - scheduled) * 1000)
        result.statuses[status] += 1
        if keep_answers:
            result.answers.append((scheduled, done, status, body))

    interval = 1.0 / rate
    tasks = []
    started = time.perf_counter()
    for i in range(total):
        scheduled = started + i * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(i, scheduled)))
    await asyncio.gather(*tasks)
    result.elapsed_s = time.perf_counter() - started
    for conn in idle:
        await conn.close()
    return result
