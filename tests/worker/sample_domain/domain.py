from atrium.core.domain import Domain

domain = Domain("tests.worker.sample_domain", tasks=".tasks")
