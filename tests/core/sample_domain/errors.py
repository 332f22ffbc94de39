"""The sample domain's one error: a domain outside ``atrium`` declares its codes the same way."""

from __future__ import annotations

from atrium.core.errors import Conflict


class SampleTaken(Conflict):
    """The sample route that always conflicts."""

    code = "SAMPLE_TAKEN"
    message = "That name is taken."
