"""The app for Celery's own command line: ``celery -A atrium.core.worker.celery worker|beat``.

Importing this module builds the app from the process's settings (environment and ``.env``);
nothing else imports it. ``atrium worker`` and ``atrium beat`` build theirs the same way.
"""

from atrium.config import get_settings
from atrium.core.worker.app import create_celery

app = create_celery(get_settings())
