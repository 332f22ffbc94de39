"""scheduler: index next_run_at, for the next-due tasks the monitor shows

Revision ID: 3f7a9c2e5b18
Revises: 9c3e1f0a7d42
Create Date: 2026-12-07 23:45:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3f7a9c2e5b18"
down_revision: str | None = "9c3e1f0a7d42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The monitor asks for the enabled tasks due soonest (ORDER BY next_run_at LIMIT n) every few
    # seconds: with the index that is a short walk, not a sort of every periodic task.
    op.create_index(
        "ix_scheduler_periodic_task_next_run_at", "scheduler_periodic_task", ["next_run_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_scheduler_periodic_task_next_run_at", table_name="scheduler_periodic_task")
