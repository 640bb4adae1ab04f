"""gunicorn's settings that are code, for the Procfile's `web` process (`--config
python:academy.gunicorn_conf`); the rest stays on the command line."""

import gc


def post_worker_init(worker):
    """Once the worker has loaded the application: every object it holds now (modules,
    settings, URL patterns, views, translations…) goes to the garbage collector's permanent
    generation, which no collection walks again. A full collection during a request then walks
    only that request's objects, not the whole application (docs/performance.md, "REST API
    cursor"). The objects stay alive, as they would anyway."""
    gc.freeze()
