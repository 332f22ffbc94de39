from atrium.core.domain import Domain

domain = Domain("tests.rbac.plain", requires=("atrium.users", "atrium.rbac"), router=".router")
