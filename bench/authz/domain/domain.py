"""The benchmark's routes as a domain (it requires nothing: it is mounted first or last)."""

from atrium.core.domain import Domain

domain = Domain("bench.authz.domain", router=".router")
