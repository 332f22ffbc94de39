from atrium.core.domain import Domain

domain = Domain("bench.scheduler.tasks_domain", tasks=".tasks")
