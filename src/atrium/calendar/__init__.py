"""Calendar: events in a time zone (all-day or timed, recurring by RFC 5545 rules), attendees who
accept or decline, reminders delivered as notifications, and iCalendar feeds (SQL)."""
