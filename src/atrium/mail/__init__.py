"""Outgoing mail: templates, SMTP delivery through a Celery task, a per-message log."""
