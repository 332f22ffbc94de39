from atrium.core.domain import Domain

domain = Domain("tests.core.sample_domain", router=".router", errors=".errors")
