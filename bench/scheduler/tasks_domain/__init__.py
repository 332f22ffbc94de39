"""A tasks-only domain for the worker benchmark."""
