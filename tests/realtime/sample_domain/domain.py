from atrium.core.domain import Domain

domain = Domain("tests.realtime.sample_domain", requires=("atrium.realtime",), events=".events")
