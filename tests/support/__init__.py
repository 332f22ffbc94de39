"""Helpers shared by the whole suite: settings, users and logins, live servers and socket
clients, worker processes, S3 and form bodies.

Test modules and conftests import from here, never from a conftest (tests/test_support.py
checks it); conftests only declare fixtures, which call these helpers. Fixtures used in more
than one directory are registered once, in ``tests.support.fixtures`` (a plugin the root
conftest lists).
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
