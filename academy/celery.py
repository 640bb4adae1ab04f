"""Celery application: configuration comes from Django settings prefixed CELERY_."""

import os
from pathlib import Path

from celery import Celery
from celery.signals import before_task_publish, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")

app = Celery("academy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_filesystem_broker_folders(**_kwargs):
    """kombu's filesystem transport needs its folders before anything is sent or consumed
    (its control folder holds the exchange tables, which kombu would otherwise write to
    `control/` in the current directory)."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


before_task_publish.connect(ensure_filesystem_broker_folders, weak=False)
worker_init.connect(ensure_filesystem_broker_folders, weak=False)
