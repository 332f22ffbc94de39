"""How soon a killed worker's unacknowledged task is delivered again (the Redis broker).

The whole path (a worker SIGKILLed mid-task, another one running the task again within the
visibility timeout plus one check) runs in tests/chaos; these check the parts it is made of.
"""

from __future__ import annotations

import pytest

from atrium.config import CelerySettings, Settings
from atrium.core.worker.app import celery_config, create_celery
from atrium.core.worker.redelivery import RestoreUnacked, restore_every


@pytest.mark.parametrize(("timeout", "every"), [(2.0, 1.0), (6.0, 1.5), (3600.0, 10.0)])
def test_workers_look_every_quarter_of_the_visibility_timeout_within_1_to_10_s(
    timeout: float, every: float
) -> None:
    assert restore_every(timeout) == every


def test_the_visibility_timeout_reaches_the_broker_only_when_set() -> None:
    assert "broker_transport_options" not in celery_config(Settings(_env_file=None))
    settings = Settings(_env_file=None, celery=CelerySettings(broker_visibility_timeout=6))
    assert celery_config(settings)["broker_transport_options"] == {"visibility_timeout": 6}


def test_every_worker_of_the_app_runs_the_restore_step() -> None:
    app = create_celery(Settings(_env_file=None))
    assert RestoreUnacked in app.steps["consumer"]
