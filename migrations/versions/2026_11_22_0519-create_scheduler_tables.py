"""create scheduler tables, with the triggers that feed beat's change log

Revision ID: 5b5d23b20189
Revises:
Create Date: 2026-11-22 05:19:30.494722+00:00

Server defaults let ops insert a periodic task with plain SQL (``id`` included). Triggers, on
SQLite and PostgreSQL alike:

- every INSERT and DELETE, and every UPDATE that changes a configuration column, adds a
  ``scheduler_change`` row (beat follows them in ``seq`` order and re-reads only those tasks);
- an UPDATE that changes the schedule, ``enabled`` or ``start_at`` stamps ``schedule_changed_at``
  (the schedule restarts from there: no phantom run on save or re-enable).

On PostgreSQL a statement-level trigger takes a transaction-scoped advisory lock before any row
is touched, so change ``seq`` values are allocated in commit order: beat's cursor can never skip
a change committed late by a concurrent transaction. (Revision 9c3e1f0a7d42 narrows it to the
statements that can log a change, so beat's run-state writes never wait for it.)
"""

# ruff: noqa: S608 - DDL built from constants in this file, no input
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import atrium.core.db

revision: str = "5b5d23b20189"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("scheduler",)
depends_on: str | Sequence[str] | None = None

TABLE = "scheduler_periodic_task"
# Frozen copies of atrium.scheduler.models.CONFIG_COLUMNS / SCHEDULE_COLUMNS at this revision.
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
SCHEDULE_COLUMNS = [
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
    "start_at",
]
JSON_COLUMNS = {"args", "kwargs", "headers"}
SQLITE_NOW = "(strftime('%Y-%m-%d %H:%M:%f', 'now') || '000')"
ADVISORY_KEY = 7_482_113_001  # scheduler change log


def _defaults(dialect: str) -> dict[str, sa.TextClause]:
    sqlite = dialect == "sqlite"
    now = sa.text(SQLITE_NOW if sqlite else "now()")
    return {
        "id": sa.text("(lower(hex(randomblob(16))))" if sqlite else "gen_random_uuid()"),
        "now": now,
        "list": sa.text("'[]'"),
        "dict": sa.text("'{}'"),
        "true": sa.text("1" if sqlite else "true"),
        "false": sa.text("0" if sqlite else "false"),
    }


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    d = _defaults(dialect)
    op.create_table(
        "scheduler_change",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column(
            "changed_at",
            atrium.core.db.UTCDateTime(timezone=True),
            nullable=False,
            server_default=d["now"],
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_scheduler_change")),
    )
    op.create_index(
        op.f("ix_scheduler_change_changed_at"), "scheduler_change", ["changed_at"], unique=False
    )
    _create_task_table(d)
    op.create_index(op.f("ix_scheduler_periodic_task_enabled"), TABLE, ["enabled"], unique=False)
    op.create_index(op.f("ix_scheduler_periodic_task_task"), TABLE, ["task"], unique=False)
    if dialect == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _create_task_table(d: dict[str, sa.TextClause]) -> None:
    string = sqlmodel.sql.sqltypes.AutoString
    when = atrium.core.db.UTCDateTime(timezone=True)
    op.create_table(
        TABLE,
        sa.Column("created_at", when, nullable=False, server_default=d["now"]),
        sa.Column("updated_at", when, nullable=False, server_default=d["now"]),
        sa.Column("id", sa.Uuid(), nullable=False, server_default=d["id"]),
        sa.Column("name", string(length=200), nullable=False),
        sa.Column("task", string(length=200), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False, server_default=d["list"]),
        sa.Column("kwargs", sa.JSON(), nullable=False, server_default=d["dict"]),
        sa.Column("kind", string(length=16), nullable=False),
        sa.Column("interval_seconds", sa.Float(), nullable=True),
        sa.Column("crontab_minute", string(length=200), nullable=True),
        sa.Column("crontab_hour", string(length=200), nullable=True),
        sa.Column("crontab_day_of_week", string(length=200), nullable=True),
        sa.Column("crontab_day_of_month", string(length=200), nullable=True),
        sa.Column("crontab_month_of_year", string(length=200), nullable=True),
        sa.Column("timezone", string(length=64), nullable=False, server_default=sa.text("'UTC'")),
        sa.Column("clocked_at", when, nullable=True),
        sa.Column("solar_event", string(length=32), nullable=True),
        sa.Column("solar_latitude", sa.Float(), nullable=True),
        sa.Column("solar_longitude", sa.Float(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=d["true"]),
        sa.Column("one_off", sa.Boolean(), nullable=False, server_default=d["false"]),
        sa.Column("start_at", when, nullable=True),
        sa.Column("expires_at", when, nullable=True),
        sa.Column("queue", string(length=200), nullable=True),
        sa.Column("routing_key", string(length=200), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False, server_default=d["dict"]),
        sa.Column("description", sa.Text(), nullable=False, server_default=sa.text("''")),
        sa.Column("last_run_at", when, nullable=True),
        sa.Column("total_run_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("next_run_at", when, nullable=True),
        sa.Column("schedule_changed_at", when, nullable=False, server_default=d["now"]),
        *_checks(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_periodic_task")),
        sa.UniqueConstraint("name", name=op.f("uq_scheduler_periodic_task_name")),
    )


def _checks() -> list[sa.CheckConstraint]:
    checks = {
        "kind": "kind IN ('interval', 'crontab', 'clocked', 'solar')",
        "interval": "kind <> 'interval' OR (interval_seconds IS NOT NULL"
        " AND interval_seconds >= 1)",
        "crontab": "kind <> 'crontab' OR (crontab_minute IS NOT NULL AND crontab_hour IS NOT NULL"
        " AND crontab_day_of_week IS NOT NULL AND crontab_day_of_month IS NOT NULL"
        " AND crontab_month_of_year IS NOT NULL)",
        "clocked": "kind <> 'clocked' OR clocked_at IS NOT NULL",
        "solar": "kind <> 'solar' OR (solar_event IS NOT NULL"
        " AND solar_latitude BETWEEN -90 AND 90 AND solar_longitude BETWEEN -180 AND 180)",
        "priority": "priority IS NULL OR (priority >= 0 AND priority <= 255)",
        "total_run_count": "total_run_count >= 0",
    }
    return [
        sa.CheckConstraint(sql, name=op.f(f"ck_{TABLE}_{name}")) for name, sql in checks.items()
    ]


def _changed(columns: Sequence[str], cast: bool) -> str:
    def col(prefix: str, name: str) -> str:
        return f"{prefix}.{name}::jsonb" if cast and name in JSON_COLUMNS else f"{prefix}.{name}"

    if cast:
        old = ", ".join(col("OLD", c) for c in columns)
        new = ", ".join(col("NEW", c) for c in columns)
        return f"ROW({old}) IS DISTINCT FROM ROW({new})"
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


def _sqlite_triggers() -> None:
    log = f"INSERT INTO scheduler_change (task_id, changed_at) VALUES ({{row}}.id, {SQLITE_NOW});"
    op.execute(
        f"CREATE TRIGGER trg_{TABLE}_inserted AFTER INSERT ON {TABLE} FOR EACH ROW "
        f"BEGIN {log.format(row='NEW')} END"
    )
    op.execute(
        f"CREATE TRIGGER trg_{TABLE}_deleted AFTER DELETE ON {TABLE} FOR EACH ROW "
        f"BEGIN {log.format(row='OLD')} END"
    )
    op.execute(
        f"CREATE TRIGGER trg_{TABLE}_updated AFTER UPDATE OF {', '.join(CONFIG_COLUMNS)} "
        f"ON {TABLE} FOR EACH ROW WHEN {_changed(CONFIG_COLUMNS, cast=False)} "
        f"BEGIN {log.format(row='NEW')} END"
    )
    op.execute(
        f"CREATE TRIGGER trg_{TABLE}_rescheduled AFTER UPDATE OF {', '.join(SCHEDULE_COLUMNS)} "
        f"ON {TABLE} FOR EACH ROW WHEN {_changed(SCHEDULE_COLUMNS, cast=False)} "
        f"BEGIN UPDATE {TABLE} SET schedule_changed_at = {SQLITE_NOW} WHERE id = NEW.id; END"
    )


def _postgresql_triggers() -> None:
    op.execute(
        "CREATE FUNCTION scheduler_lock_changes() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_advisory_xact_lock({ADVISORY_KEY}); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE FUNCTION scheduler_log_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'DELETE' THEN INSERT INTO scheduler_change (task_id, changed_at) "
        "VALUES (OLD.id, clock_timestamp()); RETURN OLD; END IF; "
        "INSERT INTO scheduler_change (task_id, changed_at) VALUES (NEW.id, clock_timestamp()); "
        "RETURN NEW; END $$"
    )
    op.execute(
        "CREATE FUNCTION scheduler_stamp_schedule() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF {_changed(SCHEDULE_COLUMNS, cast=True)} THEN "
        "NEW.schedule_changed_at := clock_timestamp(); END IF; RETURN NEW; END $$"
    )
    op.execute(
        f"CREATE TRIGGER trg_{TABLE}_lock BEFORE INSERT OR UPDATE OR DELETE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION scheduler_lock_changes()"
    )
    op.execute(
        f"CREATE TRIGGER trg_{TABLE}_rescheduled BEFORE UPDATE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION scheduler_stamp_schedule()"
    )
    op.execute(
        f"CREATE TRIGGER trg_{TABLE}_inserted_deleted AFTER INSERT OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION scheduler_log_change()"
    )
    op.execute(
        f"CREATE TRIGGER trg_{TABLE}_updated AFTER UPDATE ON {TABLE} FOR EACH ROW "
        f"WHEN ({_changed(CONFIG_COLUMNS, cast=True)}) EXECUTE FUNCTION scheduler_log_change()"
    )


def downgrade() -> None:
    op.drop_table(TABLE)
    op.drop_table("scheduler_change")
    if op.get_bind().dialect.name == "postgresql":
        for name in ("scheduler_lock_changes", "scheduler_log_change", "scheduler_stamp_schedule"):
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
