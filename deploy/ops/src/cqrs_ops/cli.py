"""cqrsctl: the operators' CLI. Endpoints come from the same CQRS_ variables the services read
(``eval "$(make env)"`` locally; the ConfigMap and Secret in a cluster)."""

from __future__ import annotations

import asyncio
import getpass
import json
import os
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from cqrs_ops import deadletters, history, rebuild, status

app = typer.Typer(help="Operate CQRS: status, dead letters, read-model rebuilds, reference data, history.")
dead = typer.Typer(help="Dead-letter topics (cqrs.deadletter.<group>): list, show, replay, discard.")
app.add_typer(dead, name="deadletter")
console = Console()
T = TypeVar("T")

Bootstrap = Annotated[str, typer.Option(envvar="CQRS_KAFKA_BOOTSTRAP", help="Kafka bootstrap servers")]
MongoUrl = Annotated[str, typer.Option(envvar="CQRS_MONGO_URL", help="MongoDB connection string")]
Operator = Annotated[str, typer.Option(help="who decides (recorded)", default_factory=getpass.getuser)]


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one async operation to its end."""
    return asyncio.run(coroutine)


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """A Rich progress bar driven by (done, total) calls."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=max(total, 1))

        yield update


@app.command("status")
def status_command(
    bootstrap: Bootstrap,
    url: Annotated[str, typer.Option(envvar="CQRS_GATEWAY_URL", help="gateway or service base URL")] = (
        "http://127.0.0.1:8080"
    ),
    group_prefix: Annotated[str, typer.Option(help="consumer groups to show")] = "cqrs-",
) -> None:
    """Every service: alive, ready, version; then consumer lag per group and partition."""
    services = run(status.statuses(url))
    table = Table("service", "alive", "ready", "version", "problem", title="services")
    for s in services:
        table.add_row(s.name, _yes(s.alive), _yes(s.ready), s.version, s.detail)
    console.print(table)
    lags = run(status.lags(bootstrap, group_prefix))
    lag_table = Table("group", "topic", "partition", "committed", "end", "lag", title="consumer lag")
    for lag in lags:
        style = "red" if lag.lag > 1000 else ("yellow" if lag.lag else "")
        lag_table.add_row(
            lag.group,
            lag.topic,
            str(lag.partition),
            str(lag.committed),
            str(lag.end),
            str(lag.lag),
            style=style,
        )
    console.print(lag_table)
    if not all(s.ready for s in services):
        raise typer.Exit(1)


def _yes(value: bool) -> str:
    return "[green]yes[/]" if value else "[red]no[/]"


@dead.command("list")
def dead_list(
    bootstrap: Bootstrap,
    empty: Annotated[bool, typer.Option("--empty", help="also topics that never held a message")] = False,
) -> None:
    """Every dead-letter topic: messages, resolved (replayed or discarded), pending."""
    table = Table("group", "topic", "messages", "resolved", "pending", title="dead letters")
    for s in run(deadletters.summaries(bootstrap)):
        if not (s.total or empty):
            continue
        table.add_row(
            s.group, s.topic, str(s.total), str(s.resolved), str(s.pending), style="red" if s.pending else ""
        )
    console.print(table)


@dead.command("show")
def dead_show(
    bootstrap: Bootstrap,
    group: Annotated[str, typer.Argument(help="consumer group (cqrs-claims) or dead-letter topic")],
    at: Annotated[
        str | None, typer.Argument(help="PARTITION/OFFSET of one message; all pending without")
    ] = None,
) -> None:
    """One message with its origin, error, headers and body; or the pending ones in short."""
    topic = deadletters.topic_of(group)
    if at is None:
        table = Table("at", "type", "origin", "error", title=f"pending on {topic}")
        for letter in run(deadletters.pending(bootstrap, topic)):
            table.add_row(
                f"{letter.partition}/{letter.offset}", letter.event_type, letter.origin, letter.error[:80]
            )
        console.print(table)
        return
    letter = _find(bootstrap, topic, at)
    console.print(f"[bold]{letter.ref}[/]  from {letter.origin}  ({letter.event_type})")
    console.print(f"[red]error:[/] {letter.error}")
    console.print_json(json.dumps(letter.headers))
    try:
        console.print_json(letter.value.decode())
    except (UnicodeDecodeError, json.JSONDecodeError):
        console.print(repr(letter.value[:500]))


def _find(bootstrap: str, topic: str, at: str) -> deadletters.DeadLetter:
    partition, _, offset = at.partition("/")
    if not (partition.isdigit() and offset.isdigit()):
        console.print("[red]give the message as PARTITION/OFFSET, e.g. 0/42[/]")
        raise typer.Exit(2)
    letter = run(deadletters.find(bootstrap, topic, int(partition), int(offset)))
    if letter is None:
        console.print(f"[red]no message at {topic}/{at}[/]")
        raise typer.Exit(1)
    return letter


@dead.command("replay")
def dead_replay(
    bootstrap: Bootstrap,
    operator: Operator,
    group: Annotated[str, typer.Argument(help="consumer group (cqrs-claims) or dead-letter topic")],
    at: Annotated[str | None, typer.Argument(help="PARTITION/OFFSET of one message")] = None,
    replay_all: Annotated[bool, typer.Option("--all", help="every pending message of the topic")] = False,
) -> None:
    """Publish dead letters again to their original topic (idempotent consumers apply them once)."""
    topic = deadletters.topic_of(group)
    if (at is None) == (not replay_all):
        console.print("[red]name one message (PARTITION/OFFSET) or --all[/]")
        raise typer.Exit(2)
    chosen = [_find(bootstrap, topic, at)] if at else run(deadletters.pending(bootstrap, topic))
    with progress_bar(f"replaying {len(chosen)} from {topic}") as update:
        count = run(deadletters.replay(bootstrap, chosen, operator=operator, progress=update))
    console.print(f"{count} replayed; recorded on {deadletters.RESOLUTIONS}")


@dead.command("discard")
def dead_discard(
    bootstrap: Bootstrap,
    operator: Operator,
    group: Annotated[str, typer.Argument(help="consumer group (cqrs-claims) or dead-letter topic")],
    at: Annotated[str, typer.Argument(help="PARTITION/OFFSET of the message")],
    reason: Annotated[str, typer.Option(help="why it will never be processed (recorded)")],
) -> None:
    """Decide a message will never be processed; the reason is recorded, the message stays."""
    letter = _find(bootstrap, deadletters.topic_of(group), at)
    run(deadletters.discard(bootstrap, letter, reason=reason, operator=operator))
    console.print(f"{letter.ref} discarded; recorded on {deadletters.RESOLUTIONS}")


@app.command("rebuild")
def rebuild_command(
    service: Annotated[str, typer.Argument(help="the service whose read models to rebuild")],
    into: Annotated[
        str | None, typer.Option(help="resume into this database (after stopping the service)")
    ] = None,
    group: Annotated[str | None, typer.Option(help="resume with this consumer group")] = None,
) -> None:
    """Replay the service's topics from the beginning into a fresh database, then tell how to switch."""
    current = rebuild.service_settings(service)
    with progress_bar("copying the source of truth") as copied, progress_bar("replaying topics") as replayed:
        done = run(
            rebuild.rebuild(service, current, into=into, group=group, progress=replayed, copy_progress=copied)
        )
    console.print(
        f"copied: {done.copied or 'nothing'}; read models {done.read_models} "
        f"rebuilt from {done.replayed} messages"
    )
    if done.dead_lettered:
        console.print(f"[yellow]{done.dead_lettered} dead-lettered on cqrs.deadletter.{done.group}[/]")
    console.print(
        "To switch: stop the service (scale to 0), run again with "
        f"[bold]--into {done.database} --group {done.group}[/] (copies what was written meanwhile and "
        f"catches up), then set [bold]{done.switch()}[/] and start it. "
        "The old database stays until you drop it."
    )


@app.command("load-reference")
def load_reference(
    organisations: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="organisations CSV")],
    relationships: Annotated[
        Path | None, typer.Argument(exists=True, dir_okay=False, help="PCN relationships CSV")
    ] = None,
) -> None:
    """Load organisations and PCN relationships into identity (its CSV importer's format)."""
    from cqrs_identity.organisations import importer  # noqa: PLC0415

    paths = [str(organisations), *([str(relationships)] if relationships else [])]
    with console.status("checking every row, then loading"):
        code = importer.main(paths)
    raise typer.Exit(code)


@app.command("history")
def history_command(  # noqa: PLR0917 - Typer arguments and options
    bootstrap: Bootstrap,
    mongo_url: MongoUrl,
    topic: Annotated[str, typer.Argument(help="the aggregate's topic, e.g. cqrs.claims.claim")],
    aggregate_id: Annotated[str, typer.Argument(help="the aggregate's id")],
    database: Annotated[str | None, typer.Option(help="read <collection>_events in this database")] = None,
    collection: Annotated[str | None, typer.Option(help="the aggregate collection (with --database)")] = None,
) -> None:
    """Every event of one aggregate, oldest first: from the service's event records, else its topic."""
    entries: list[history.HistoryEntry] = []
    if database and collection:
        entries = run(history.from_database(mongo_url, database, collection, aggregate_id))
    if not entries:
        with progress_bar(f"reading {topic}") as update:
            entries = run(history.from_topic(bootstrap, topic, aggregate_id, update))
    table = Table("#", "time", "type", "actor", "correlation id", "event", title=f"history of {aggregate_id}")
    for e in entries:
        table.add_row(str(e.sequence), e.time, e.type, e.actor, e.correlation_id, json.dumps(e.body)[:120])
    console.print(table)
    if not entries:
        raise typer.Exit(1)


def main() -> None:
    """Console script entry point."""
    os.environ.setdefault("CQRS_LOG_LEVEL", "WARNING")
    app()
