from atrium.core.domain import Domain

domain = Domain("tests.rbac.probe", requires=("atrium.rbac",), router=".router")
