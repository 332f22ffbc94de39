"""The system monitor: API nodes, Celery workers and queues, beat, stores and Redis, live."""
