"""create calendar tables

Revision ID: 5546ed1ee5ea
Revises:
Depends on: users
Create Date: 2026-12-07 15:35:19.648595+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import atrium.core.db

revision: str = "5546ed1ee5ea"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("calendar",)
# Events, attendees and feed tokens reference users.id: the users branch comes first.
depends_on: str | Sequence[str] | None = ("users",)


def upgrade() -> None:
    op.create_table(
        "calendar_events",
        sa.Column("created_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organiser_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("start_local", sa.DateTime(), nullable=False),
        sa.Column("end_local", sa.DateTime(), nullable=False),
        sa.Column("starts_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("series_ends_at", atrium.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rrule", sa.String(length=500), nullable=True),
        sa.Column("exdates", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["users.id"],
            name=op.f("fk_calendar_events_organiser_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_events")),
    )
    with op.batch_alter_table("calendar_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_events_organiser_id"), ["organiser_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_calendar_events_series_ends_at"), ["series_ends_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_calendar_events_starts_at"), ["starts_at"], unique=False
        )

    op.create_table(
        "calendar_feed_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_feed_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_tokens_token_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feed_tokens_user_id")),
    )
    op.create_table(
        "calendar_attendees",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "response",
            sa.Enum(
                "needs_action",
                "accepted",
                "declined",
                name="calendarresponse",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["calendar_events.id"],
            name=op.f("fk_calendar_attendees_event_id_calendar_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_attendees_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_attendees")),
        sa.UniqueConstraint(
            "event_id", "user_id", name=op.f("uq_calendar_attendees_event_id_user_id")
        ),
    )
    with op.batch_alter_table("calendar_attendees", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_attendees_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_calendar_attendees_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "calendar_reminders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("minutes_before", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["calendar_events.id"],
            name=op.f("fk_calendar_reminders_event_id_calendar_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_reminders")),
        sa.UniqueConstraint(
            "event_id", "minutes_before", name=op.f("uq_calendar_reminders_event_id_minutes_before")
        ),
    )
    with op.batch_alter_table("calendar_reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_reminders_event_id"), ["event_id"], unique=False
        )

    op.create_table(
        "calendar_reminder_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("reminder_id", sa.Uuid(), nullable=False),
        sa.Column("occurrence_start", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["calendar_events.id"],
            name=op.f("fk_calendar_reminder_deliveries_event_id_calendar_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reminder_id"],
            ["calendar_reminders.id"],
            name=op.f("fk_calendar_reminder_deliveries_reminder_id_calendar_reminders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_reminder_deliveries")),
        sa.UniqueConstraint(
            "event_id",
            "occurrence_start",
            "reminder_id",
            name="uq_calendar_reminder_deliveries_key",
        ),
    )
    with op.batch_alter_table("calendar_reminder_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_reminder_deliveries_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_calendar_reminder_deliveries_reminder_id"), ["reminder_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("calendar_reminder_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_reminder_deliveries_reminder_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_reminder_deliveries_event_id"))

    op.drop_table("calendar_reminder_deliveries")
    with op.batch_alter_table("calendar_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_reminders_event_id"))

    op.drop_table("calendar_reminders")
    with op.batch_alter_table("calendar_attendees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_attendees_user_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_attendees_event_id"))

    op.drop_table("calendar_attendees")
    op.drop_table("calendar_feed_tokens")
    with op.batch_alter_table("calendar_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_events_starts_at"))
        batch_op.drop_index(batch_op.f("ix_calendar_events_series_ends_at"))
        batch_op.drop_index(batch_op.f("ix_calendar_events_organiser_id"))

    op.drop_table("calendar_events")
