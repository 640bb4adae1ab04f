"""The project's settings with one extra URL: a view that does nothing behind every middleware
of the project (bench/web.py measures what the middleware alone costs)."""

from academy.settings import *  # noqa: F403

ROOT_URLCONF = "bench.web_urls"
