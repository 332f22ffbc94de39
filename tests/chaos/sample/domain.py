"""A domain with one slow task, for the fault-injection suite's "worker killed mid-task"."""

from atrium.core.domain import Domain

domain = Domain("tests.chaos.sample", tasks=".tasks")
