"""Settings for the test suite: the real settings, with fast hashing and tasks run eagerly."""

import os

# The test run is an embedded run: DEBUG on and the per-install secret in var/, unless set.
os.environ.setdefault("ACADEMY_EMBEDDED", "1")

from .settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {**CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Off by default in the tests, whose exact query counts include the user's query; the tests of
# accounts/session_user.py (tests/accounts) turn it on.
ACADEMY_USER_CACHE = False
