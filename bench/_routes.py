"""Request types of the load test (bench/load.py, bench/locustfile.py): a path's page name, so
that the client's timings (locust) and the server's (gunicorn's access log) group the same way."""

import re

ROUTES = [
    (re.compile(pattern), label)
    for pattern, label in [
        (r"^/$", "home"),
        (r"^/accounts/login/$", "sign-in"),
        (r"^/learn/$", "my learning"),
        (r"^/courses/$", "catalog"),
        (r"^/courses/[^/]+/$", "course page"),
        (r"^/learn/[^/]+/$", "course home"),
        (r"^/learn/[^/]+/enroll/$", "enroll"),
        (r"^/learn/[^/]+/continue/$", "continue"),
        (r"^/learn/[^/]+/lessons/[^/]+/$", "lesson"),
        (r"^/learn/[^/]+/lessons/[^/]+/done/$", "lesson done"),
        (r"^/learn/[^/]+/quizzes/[^/]+/$", "quiz"),
        (r"^/learn/[^/]+/quizzes/[^/]+/start/$", "quiz start"),
        (r"^/learn/attempts/\d+/$", "attempt"),
        (r"^/learn/attempts/\d+/draft/$", "autosave"),
        (r"^/learn/attempts/\d+/review/$", "review"),
        (r"^/learn/attempts/\d+/submit/$", "submit"),
        (r"^/learn/attempts/\d+/result/$", "result"),
        (r"^/learn/certificates/[^/]+/$", "certificate"),
        (r"^/static/", "static"),
    ]
]


def route_name(path: str) -> str:
    for pattern, label in ROUTES:
        if pattern.match(path):
            return label
    return "other"
