"""Celery workers: the app, the per-process event loop, typed tasks."""
