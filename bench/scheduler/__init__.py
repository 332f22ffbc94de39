"""Benchmarks of the scheduler (beat) and of async tasks on a worker."""
