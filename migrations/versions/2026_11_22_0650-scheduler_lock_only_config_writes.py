"""scheduler: take the change-log lock only for writes that log a change

Revision ID: 9c3e1f0a7d42
Revises: 5b5d23b20189
Create Date: 2026-11-22 06:50:00+00:00

On PostgreSQL the statement-level trigger that takes the change log's advisory lock fired for
every UPDATE of ``scheduler_periodic_task``, beat's run-state writes (``last_run_at``,
``next_run_at``, ``total_run_count``) included: one open transaction that edited any task held
beat's writes for as long as it stayed open. The lock only orders ``scheduler_change`` rows, so
it is now taken by INSERT, DELETE and ``UPDATE OF`` the configuration columns only (the statements
that can log a change). SQLite is unchanged (its writers are serialised anyway).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "9c3e1f0a7d42"
down_revision: str | None = "5b5d23b20189"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "scheduler_periodic_task"
TRIGGER = f"trg_{TABLE}_lock"
# Frozen copy of atrium.scheduler.models.CONFIG_COLUMNS at this revision.
CONFIG_COLUMNS = [
    "name",
    "task",
    "args",
    "kwargs",
    "kind",
    "interval_seconds",
    "crontab_minute",
    "crontab_hour",
    "crontab_day_of_week",
    "crontab_day_of_month",
    "crontab_month_of_year",
    "timezone",
    "clocked_at",
    "solar_event",
    "solar_latitude",
    "solar_longitude",
    "enabled",
    "one_off",
    "start_at",
    "expires_at",
    "queue",
    "routing_key",
    "priority",
    "headers",
    "description",
]


def _create_lock_trigger(events: str) -> None:
    op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}")
    op.execute(
        f"CREATE TRIGGER {TRIGGER} BEFORE {events} ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION scheduler_lock_changes()"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _create_lock_trigger(f"INSERT OR DELETE OR UPDATE OF {', '.join(CONFIG_COLUMNS)}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _create_lock_trigger("INSERT OR UPDATE OR DELETE")
