"""The WSGI application gunicorn serves (Procfile): Django's handler with URL matches kept per
process (academy/handlers.py)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")
django.setup(set_prefix=False)

from academy.handlers import WSGIHandler  # noqa: E402 - after setup, as get_wsgi_application

application = WSGIHandler()
