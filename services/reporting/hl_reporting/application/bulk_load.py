"""Loading a new generation straight from a stream: no acks, large transactions.

The live consumers fetch, apply and ack up to a thousand events at a time; a rebuild has the whole
stream to read and no one waiting on any one event. So it reads each stream from its first message
to the last sequence the stream had when the load began, through a consumer that takes no acks,
and applies the events in large chunks (one transaction each) through the very code the live
consumers use, `ConsumerRunner.apply_events`: the same projections, duplicates skipped and gaps
held the same way, each aggregate's progress written with its rows. A projection's set-wise batch
folds each chunk's hazards in memory and writes each table once, so a larger chunk writes far
fewer roll-up rows per event.

What the live consumer would park, the load parks too (in the new generation's `dead_letters`):
an unreadable or misrouted message, and an event its projection refuses — found by applying a
failed chunk again one event at a time. A database error stops the rebuild instead: the old
generation stays in use, and the rebuild can be run again.

Then the durable is created to start right after that last sequence: the live consumer resumes
exactly where the load stopped, so an event published meanwhile is applied once, by it.

The reading consumer bears the target generation's durable name, because the reporting user may
create and delete only its own durables (deploy/nats/auth.conf); it is deleted before the
durable proper takes the name.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy.exc import DBAPIError

from hl_contracts import CloudEvent
from hl_platform.consumer import ConsumerRunner, provenance_problem
from hl_platform.nats_io import ConsumerSpec

log = structlog.get_logger(__name__)
# progress(stream, stream sequence read, last sequence to read)
Progress = Callable[[str, int, int | None], None]
# Events per transaction. A chunk's envelopes, roll-up rows and change rows are held in memory
# until it is written: ≈ 20 MB per 1,000 events. Measured at 7,000 hazards: 5,000 events per chunk
# is as fast as 20,000 (the roll-up rows a chunk's hazards share stop growing) at a third of the
# memory (+100 MB against +280 MB).
CHUNK_EVENTS = 5_000
FETCH_BATCH = 5_000
STALL_S = 60.0  # no message for this long while some are due: the stream or the server is away


async def load_stream(
    runner: ConsumerRunner,
    js: JetStreamContext,
    progress: Progress,
    *,
    chunk_events: int = CHUNK_EVENTS,
) -> int:
    """Apply the stream's events up to its current last sequence, then create the durable after it.

    Returns that last sequence (0 when the stream does not exist: nothing was ever published).
    """
    spec = runner.spec
    try:
        last = (await js.stream_info(spec.stream)).state.last_seq
    except NotFoundError:
        log.info("bulk_load.no_stream", stream=spec.stream)
        return 0
    await _delete_consumer(js, spec)
    if last:
        await js.add_consumer(spec.stream, _reading_config(spec))
        try:
            await _read(runner, js, last, progress, chunk_events)
        finally:
            await _delete_consumer(js, spec)
    await js.add_consumer(spec.stream, resuming_config(spec, last + 1))
    log.info("bulk_load.done", stream=spec.stream, last_sequence=last)
    return last


def _reading_config(spec: ConsumerSpec) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=spec.durable,
        ack_policy=AckPolicy.NONE,
        deliver_policy=DeliverPolicy.ALL,
        filter_subjects=spec.filter_subjects or None,
        max_waiting=1,
    )


def resuming_config(spec: ConsumerSpec, start_sequence: int) -> ConsumerConfig:
    """The live durable, as `ensure_consumer` would create it, but starting at `start_sequence`."""
    config = spec.config()
    config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
    config.opt_start_seq = start_sequence
    return config


async def _read(runner: ConsumerRunner, js: JetStreamContext, last: int, progress: Progress, chunk: int) -> None:
    subscription = await js.pull_subscribe_bind(runner.spec.durable, runner.spec.stream)
    events: list[tuple[Msg, CloudEvent]] = []
    sequence, idle, drained = 0, 0.0, False
    try:
        while sequence < last and not drained:
            try:
                msgs = await subscription.fetch(min(FETCH_BATCH, chunk), timeout=2.0)
            except (TimeoutError, NatsTimeoutError):
                idle += 2.0
                if idle >= STALL_S:
                    raise TimeoutError(f"reading {runner.spec.stream} got nothing for {STALL_S:.0f} s") from None
                continue
            idle = 0.0
            for msg in msgs:
                sequence = msg.metadata.sequence.stream
                if sequence > last:  # published after the load began: the durable delivers it
                    break
                if (event := await _event_of(runner, msg)) is not None:
                    events.append((msg, event))
                drained = msg.metadata.num_pending == 0  # the last sequence may be one the filter skips
            if len(events) >= chunk or sequence >= last or drained:
                await _apply(runner, events)
                events = []
                progress(runner.spec.stream, min(sequence, last), last)
    finally:
        await subscription.unsubscribe()


async def _event_of(runner: ConsumerRunner, msg: Msg) -> CloudEvent | None:
    """The message's event, or None for one the live consumer would park (parked here too)."""
    try:
        event = CloudEvent.from_json(msg.data)
    except ValueError as exc:
        await runner.park(msg, None, f"unreadable envelope: {exc}")
        return None
    if (problem := provenance_problem(event, msg.subject, runner.spec.stream)) is not None:
        await runner.park(msg, event, f"refused: {problem}")
        return None
    return event


async def _apply(runner: ConsumerRunner, events: list[tuple[Msg, CloudEvent]]) -> None:
    if not events:
        return
    try:
        async with runner.db.write() as conn:
            await runner.apply_events(conn, [event for _, event in events])
    except DBAPIError:
        raise  # the database, not an event: the rebuild fails and can be run again
    except Exception as exc:  # an event the projection refuses: find it, as the live consumer does
        log.warning("bulk_load.chunk_failed", stream=runner.spec.stream, size=len(events), error=repr(exc))
        for msg, event in events:
            try:
                async with runner.db.write() as conn:
                    await runner.apply_events(conn, [event])
            except DBAPIError:
                raise
            except Exception as refused:
                await runner.park(msg, event, repr(refused))


async def _delete_consumer(js: JetStreamContext, spec: ConsumerSpec) -> None:
    try:
        await js.delete_consumer(spec.stream, spec.durable)
    except NotFoundError:
        pass
