"""``atrium worker``: a Celery worker for every configured domain's tasks."""

from __future__ import annotations

from typing import Annotated

import typer

CONTEXT = {"allow_extra_args": True, "ignore_unknown_options": True}


def register(cli: typer.Typer) -> None:
    cli.command("worker", context_settings=CONTEXT)(worker)


def worker(
    ctx: typer.Context,
    pool: Annotated[str, typer.Option(help="prefork, threads or solo.")] = "prefork",
    concurrency: Annotated[int | None, typer.Option(help="Processes or threads.")] = None,
    queues: Annotated[str | None, typer.Option("--queues", "-Q", help="Comma-separated.")] = None,
    loglevel: Annotated[str, typer.Option(help="Celery log level.")] = "INFO",
) -> None:
    """Run a Celery worker (extra options go to `celery worker`)."""
    from atrium.worker.app import celery_app

    argv = ["worker", f"--pool={pool}", f"--loglevel={loglevel}"]
    if concurrency is not None:
        argv.append(f"--concurrency={concurrency}")
    if queues:
        argv.append(f"--queues={queues}")
    celery_app.worker_main([*argv, *ctx.args])
