"""A domain that only has tasks, for the worker and scheduler tests."""
