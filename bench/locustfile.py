"""Simulated learners for bench/load.py (locust).

Each simulated learner is one account of the plan and walks like a person with a browser: the
sign-in page, the sign-in form, My learning, a course (an assigned one first, else one picked in
the catalog and started with the course page's button), its lessons one after the other ("Done,
next"), and its quiz (start, answer each question with the page saving a draft as the browser's
script does, review, submit; some answers right, some wrong; a new attempt only while the quiz
page offers one). Every link and form is taken from the page it is on: no ids are written here.
Now and then a learner double-clicks a button (two identical posts at once), as people do.

Run it through bench/load.py, which prepares the database, starts gunicorn and writes the plan
(LOAD_PLAN, JSON): the learners' addresses and password, the answer key of every quiz, how often
an answer is right, the think times between pages, the double-click rate. Each step the server
confirmed (the redirect that means success, the result page of a submission) is appended to
LOAD_JOURNAL (one JSON object per line) so that load.py can check the database against it.
When locust quits, LOAD_SUMMARY receives every response's status and time per request type.

Each request is timed on its own, redirects included (each hop is a request of its own type).
"""

import html
import http.cookiejar
import ipaddress
import json
import os
import random
import re
from collections import defaultdict
from functools import partial
from http.client import RemoteDisconnected
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import gevent
from _routes import route_name
from gevent import GreenletExit
from locust import HttpUser, between, events, task
from locust.clients import LocustHttpAdapter
from locust.exception import StopUser
from urllib3.exceptions import ProtocolError
from urllib3.util.retry import Retry

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
TIMEOUT = 120  # seconds; a slower answer is a failure, not a hang
_accounts = iter(enumerate(PLAN["learners"]))
_journal = open(os.environ["LOAD_JOURNAL"], "a", encoding="utf-8")  # noqa: SIM115 (whole run)

# --- the browser's side of the connection ----------------------------------------------------

_return_ok_secure = http.cookiejar.DefaultCookiePolicy.return_ok_secure


def _secure_cookies_on_loopback(self, cookie, request):
    """Browsers treat http://127.0.0.1 as a secure context and send it Secure cookies; the
    server believes it is behind a TLS proxy (X-Forwarded-Proto: https, as in production), so
    it marks its session and CSRF cookies Secure."""
    try:
        if ipaddress.ip_address(urlsplit(request.get_full_url()).hostname).is_loopback:
            return True
    except ValueError:
        pass
    return _return_ok_secure(self, cookie, request)


http.cookiejar.DefaultCookiePolicy.return_ok_secure = _secure_cookies_on_loopback


RETRIES = defaultdict(int)  # requests sent again after a reset of a kept-alive connection


class StaleConnectionRetry(Retry):
    """Send a request again, once, when its connection was reset or closed before any answer
    came: a kept-alive connection that the server (gunicorn's --keep-alive, 2 s by default)
    closed just as the request left. Browsers do the same. Counted (RETRIES); any other error
    is not retried."""

    def increment(self, method=None, url=None, response=None, error=None, **kwargs):
        cause = error.args[-1] if isinstance(error, ProtocolError) and error.args else None
        if response is None and isinstance(cause, (ConnectionResetError, RemoteDisconnected)):
            RETRIES[f"{method} {route_name(urlsplit(url or '').path)}"] += 1
            return super().increment(method, url, response, error, **kwargs)
        return Retry(0).increment(method, url, response, error, **kwargs)


class SourceAddressAdapter(LocustHttpAdapter):
    """Connections from one loopback address per learner (127.1.x.y), as 200 people come from
    200 machines: the server's per-IP sign-in rate limit sees each learner on its own."""

    def __init__(self, source_ip: str):
        self.source_ip = source_ip
        retry = StaleConnectionRetry(
            total=1, connect=0, read=1, status=0, other=0, redirect=0, allowed_methods=None
        )
        super().__init__(pool_manager=None, max_retries=retry)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source_ip, 0)
        super().init_poolmanager(*args, **kwargs)


# --- what a page says ------------------------------------------------------------------------

LESSON = re.compile(r"^/learn/(?P<slug>[^/]+)/lessons/(?P<key>[^/]+)/$")
QUIZ = re.compile(r"^/learn/(?P<slug>[^/]+)/quizzes/(?P<key>[^/]+)/$")
ATTEMPT = re.compile(r"^/learn/attempts/(?P<id>\d+)/(?P<page>|review/|result/)$")
CERTIFICATE = re.compile(r"^/learn/certificates/[^/]+/$")
COURSE_PAGE = re.compile(r"^/(?:courses|learn)/(?P<slug>[^/]+)/$")

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
INPUT = re.compile(r"<input\b([^>]*)>")
LABEL = re.compile(r'<label\b[^>]*\bfor="([^"]+)"[^>]*>(.*?)</label>', re.S)
LINK = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S)
ATTR = re.compile(r'([a-zA-Z_:][-\w:.]*)(?:="([^"]*)")?')
ASSET = re.compile(r'<(?:link rel="stylesheet"|script)\b[^>]*\b(?:href|src)="(/static/[^"]+)"')
TAG = re.compile(r"<[^>]+>")
SCORE = re.compile(r"You scored (\d+)\s*%")


def attrs(text: str) -> dict:
    return {k: html.unescape(v) if v is not None else "" for k, v in ATTR.findall(text)}


def forms(page: str) -> list[dict]:
    out = []
    for head, body in FORM.findall(page):
        form = attrs(head)
        form["inputs"] = [attrs(i) for i in INPUT.findall(body)]
        form["body"] = body
        out.append(form)
    return out


def form_to(page: str, action: re.Pattern) -> dict | None:
    return next(
        (
            f
            for f in forms(page)
            if f.get("method") == "post" and action.search(f.get("action", ""))
        ),
        None,
    )


def links(page: str) -> list[tuple[dict, str]]:
    return [(attrs(head), TAG.sub("", text)) for head, text in LINK.findall(page)]


def section(page: str, heading_id: str) -> str:
    start = page.find(f'aria-labelledby="{heading_id}"')
    if start < 0:
        return ""
    end = page.find("</section>", start)
    return page[start:end]


def hidden_fields(form: dict) -> dict:
    return {
        i["name"]: i.get("value", "")
        for i in form["inputs"]
        if i.get("type") == "hidden" and i.get("name")
    }


def journal(**record) -> None:
    if not _journal.closed:  # a greenlet may still finish as locust quits
        _journal.write(json.dumps(record) + "\n")
        _journal.flush()


# --- statistics of every response, for load.py -----------------------------------------------

STATS = defaultdict(lambda: {"status": defaultdict(int), "times": [], "errors": defaultdict(int)})
USER_ERRORS = defaultdict(int)  # exceptions raised in a learner's step (a page it could not read)


@events.request.add_listener
def _record(request_type, name, response_time, response, exception, **_kwargs):
    entry = STATS[name]
    entry["status"][str(getattr(response, "status_code", 0) or 0)] += 1
    entry["times"].append(round(response_time, 2))
    if exception is not None:
        entry["errors"][str(exception)[:200]] += 1


@events.user_error.add_listener
def _record_user_error(user_instance, exception, tb, **_kwargs):
    USER_ERRORS[f"{type(exception).__name__}: {exception}"[:300]] += 1


@events.quitting.add_listener
def _write_summary(**_kwargs):
    Path(os.environ["LOAD_SUMMARY"]).write_text(
        json.dumps({"requests": STATS, "user_errors": USER_ERRORS, "retries": RETRIES}),
        encoding="utf-8",
    )
    _journal.close()


# --- the learner -----------------------------------------------------------------------------


class Learner(HttpUser):
    wait_time = between(*PLAN["think"])

    def on_start(self):
        try:
            self.number, self.email = next(_accounts)
        except StopIteration:
            raise StopUser() from None  # more users than learners in the plan
        self.rng = random.Random(PLAN["seed"] * 100_003 + self.number)
        self.client.mount(
            "http://", SourceAddressAdapter(f"127.1.{self.number // 250}.{self.number % 250 + 1}")
        )
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.origin = "https://" + urlsplit(self.host).netloc
        self.signed_in = False
        self.assets_seen: set[str] = set()
        self.finished: set[str] = set()  # courses completed, or given up (no attempt left)
        self.plans: dict[int, dict] = {}  # attempt id: the answers given and their texts
        self.next = self.open_sign_in

    @task
    def step(self):
        """One thing a person does on a page (open a link, post a form); then they think."""
        self.next = self.next() or self.open_my_learning

    # one navigation: a request and its redirects, each timed on its own

    def navigate(self, method: str, url: str, data=None, headers=None, expect=(200, 302)):
        """Returns (final response or None, list of (status, path) hops).

        A form post whose navigation did not end (an error, no answer within TIMEOUT, or the
        learner stopped by locust at the end of the run while waiting) is journaled as
        `no_answer`: the server may have done it without the learner being told."""
        action = urlsplit(urljoin(self.host, url)).path
        try:
            response, hops = self._navigate(method, url, data, headers, expect)
        except GreenletExit:
            if method == "POST":
                journal(t="no_answer", user=self.email, action=action)
            raise
        if response is None and method == "POST":
            journal(t="no_answer", user=self.email, action=action)
        return response, hops

    def _navigate(self, method, url, data, headers, expect):
        url = urljoin(self.host, url)
        hops = []
        for _ in range(10):
            path = urlsplit(url).path
            extra = {"Origin": self.origin} if method == "POST" else {}
            with self.client.request(
                method,
                url,
                data=data,
                headers={**extra, **(headers or {})},
                name=f"{method} {route_name(path)}",
                allow_redirects=False,
                catch_response=True,
                timeout=TIMEOUT,
            ) as response:
                status = response.status_code
                hops.append((status, path))
                if status not in expect:
                    response.failure(response.error if status == 0 else f"HTTP {status}")
                    return None, hops
                if status != 302:
                    response.success()
                    break
                location = urljoin(url, response.headers.get("Location", ""))
                if self.signed_in and urlsplit(location).path == "/accounts/login/":
                    response.failure("signed out")
                    self.signed_in = False
                    return None, hops
                response.success()
            url, method, data, headers, expect = location, "GET", None, None, (200, 302)
        self.fetch_assets(response.text)
        return response, hops

    def fetch_assets(self, page: str) -> None:
        """Style sheets and scripts a browser loads once, then keeps in its cache."""
        for asset in ASSET.findall(page):
            if asset not in self.assets_seen:
                self.assets_seen.add(asset)
                self.client.get(asset, name="GET static", timeout=TIMEOUT)

    def post_form(self, form: dict, fields=None, **kwargs):
        return self.navigate(
            "POST", form["action"], data={**hidden_fields(form), **(fields or {})}, **kwargs
        )

    def post_form_maybe_twice(self, form: dict, kind: str, fields=None):
        """Post a form; now and then twice at once (a double click). Returns each post's
        (response, hops), the first one first."""
        if self.rng.random() >= PLAN["double_click"]:
            return [self.post_form(form, fields)]
        journal(t="double_click", user=self.email, kind=kind, action=form["action"])
        posts = [gevent.spawn(self.post_form, form, fields) for _ in range(2)]
        try:
            gevent.joinall(posts)
        except GreenletExit:
            gevent.killall(posts)  # each journals its post as unanswered
            raise
        return [p.value or (None, []) for p in posts]

    def open(self, url: str):
        response, _hops = self.navigate("GET", url)
        return self.on_page(response)

    # signing in

    def open_sign_in(self):
        response, _hops = self.navigate("GET", "/accounts/login/")
        form = response and form_to(response.text, re.compile(r"^/accounts/login/"))
        return form and partial(self.sign_in, form)

    def sign_in(self, form):
        fields = {"login": self.email, "password": PLAN["password"]}
        response, hops = self.post_form(form, fields, expect=(302,))
        if response is None:
            return self.open_sign_in
        self.signed_in = True
        journal(t="sign_in", user=self.email)
        return self.open_my_learning

    # choosing what to learn

    def open_my_learning(self):
        if not self.signed_in:
            return self.open_sign_in
        response, _hops = self.navigate("GET", "/learn/")
        return self.on_page(response)

    def on_my_learning(self, page: str):
        for slug in re.findall(
            r'href="/learn/([^/"]+)/continue/"', section(page, "completed-heading")
        ):
            self.finished.add(slug)
        for heading in ("assigned-heading", "progress-heading"):
            for href in re.findall(r'href="(/learn/[^/"]+/continue/)"', section(page, heading)):
                if href.split("/")[2] not in self.finished:
                    return partial(self.open, href)
        return self.open_catalog

    def open_catalog(self):
        response, _hops = self.navigate("GET", "/courses/")
        return self.on_page(response)

    def on_catalog(self, page: str):
        slugs = sorted(
            {m for m in re.findall(r'href="/courses/([^/"?#]+)/"', page) if m not in self.finished}
        )
        if not slugs:
            return None  # nothing left: back to My learning after a while
        return partial(self.open, f"/courses/{self.rng.choice(slugs)}/")

    def on_course_page(self, page: str, slug: str):
        form = form_to(page, re.compile(r"/enroll/$"))
        if form is not None:
            return partial(self.enroll, form, slug)
        for head, _text in links(page):
            if re.match(rf"^/learn/{re.escape(slug)}/continue/$", head.get("href", "")):
                return partial(self.open, head["href"])
        self.finished.add(slug)  # not offered to this learner
        return None

    def enroll(self, form, slug):
        results = self.post_form_maybe_twice(form, "enroll")
        continue_url = re.compile(rf"^/learn/{re.escape(slug)}/continue/$")
        for response, hops in results:
            # Enrolled: the post answers with the course's "continue" (else back to its page).
            if response is not None and len(hops) > 1 and continue_url.match(hops[1][1]):
                journal(t="enroll", user=self.email, course=slug)
        return self.on_page(results[0][0])

    # the course player

    def on_page(self, response):
        """Where a navigation landed decides what the learner does next."""
        if response is None:
            return None
        path = urlsplit(response.url).path
        page = response.text
        if m := LESSON.match(path):
            return self.on_lesson(page, m["slug"], m["key"])
        if m := QUIZ.match(path):
            return self.on_quiz(page, m["slug"], m["key"])
        if m := ATTEMPT.match(path):
            handler = {
                "": self.on_attempt,
                "review/": self.on_review,
                "result/": self.on_result,
            }[m["page"]]
            return handler(page, int(m["id"]))
        if path in ("/", "/learn/"):
            return self.on_my_learning(page)
        if path == "/courses/":
            return self.on_catalog(page)
        if m := COURSE_PAGE.match(path):
            return self.on_course_page(page, m["slug"])
        return None  # a certificate, say: back to My learning

    def on_lesson(self, page, slug, key):
        form = next((f for f in forms(page) if f.get("id") == "lesson-done-form"), None)
        if form is not None:
            return partial(self.mark_done, form, slug, key)
        for head, _text in links(page):
            if head.get("rel") == "next":
                return partial(self.open, head["href"])
        return None

    def mark_done(self, form, slug, key):
        if "data-complete-at-end" in form:
            # The lesson's script posts this (Accept: JSON) when the reader reaches the end;
            # the button below it is still there and the reader may press it as well.
            self.post_form(form, headers={"Accept": "application/json"}, expect=(200,))
        results = self.post_form_maybe_twice(form, "lesson done")
        for response, hops in results:
            if response is None or len(hops) < 2:
                continue
            journal(t="lesson", user=self.email, course=slug, lesson=key)
            # A completed course shows its certificate (or My learning, if none was issued).
            if CERTIFICATE.match(hops[-1][1]) or hops[-1][1] == "/learn/":
                journal(t="completed", user=self.email, course=slug)
                self.finished.add(slug)
        return self.on_page(results[0][0])

    def on_quiz(self, page, slug, key):
        if "You passed this quiz." in page:
            for head, _text in links(page):
                if head.get("rel") == "next":
                    return partial(self.open, head["href"])
            return None
        for head, _text in links(page):
            if re.match(r"^/learn/attempts/\d+/$", head.get("href", "")):
                return partial(self.open, head["href"])  # "Resume your attempt"
        form = form_to(page, re.compile(r"/start/$"))
        if form is not None:
            return partial(self.start_quiz, form, slug, key)
        self.finished.add(slug)  # every attempt used
        journal(t="attempts_used", user=self.email, course=slug, quiz=key)
        return None

    def start_quiz(self, form, slug, key):
        results = self.post_form_maybe_twice(form, "quiz start")
        for response, hops in results:
            if response is not None and (m := ATTEMPT.match(hops[-1][1])) and not m["page"]:
                journal(t="started", user=self.email, course=slug, quiz=key, attempt=int(m["id"]))
        return self.on_page(results[0][0])

    def on_attempt(self, page, attempt_id):
        form = next((f for f in forms(page) if f.get("id") == "attempt-form"), None)
        if form is None:
            return None
        course = re.search(r'href="/learn/([^/"]+)/continue/"', page)[1]
        labels = {k: html.unescape(TAG.sub("", v)).strip() for k, v in LABEL.findall(form["body"])}
        questions: dict[str, list[tuple[str, str, bool]]] = {}
        for i in form["inputs"]:
            if i.get("name", "").startswith("q-"):
                multiple = i.get("type") == "checkbox"
                questions.setdefault(i["name"], []).append((i["value"], labels[i["id"]], multiple))
        key = PLAN["answers"][course]
        answers, texts, right = {}, {}, 0
        for name, choices in questions.items():
            correct = set(key[name[2:]])
            if self.rng.random() < PLAN["right_rate"]:
                picked = [c for c in choices if c[1] in correct]
                right += 1
            else:
                wrong = [c for c in choices if c[1] not in correct]
                picked = [self.rng.choice(wrong)]
                if choices[0][2] and len(correct) > 1:
                    picked += [c for c in choices if c[1] in correct][1:]
            answers[name] = [c[0] for c in picked]
            texts[name[2:]] = sorted(c[1] for c in picked)
        expected = round(100 * right / len(questions)) if questions else 0
        plan = {"course": course, "answers": answers, "texts": texts, "expected": expected}
        return partial(self.answer, form, attempt_id, plan, 1)

    def answer(self, form, attempt_id, plan, count):
        """Choose the answer of one more question; the page saves the draft (one POST, as
        its script does on every change)."""
        names = list(plan["answers"])[:count]
        fields = {name: plan["answers"][name] for name in names}
        self.navigate(
            "POST",
            form["data-draft-url"],
            data={**hidden_fields(form), **fields},
            headers={"Accept": "application/json", "X-Requested-With": "fetch"},
            expect=(200,),
        )
        if count < len(plan["answers"]):
            return partial(self.answer, form, attempt_id, plan, count + 1)
        return partial(self.review, form, attempt_id, plan)

    def review(self, form, attempt_id, plan):
        self.plans[attempt_id] = plan
        response, _hops = self.post_form(form, plan["answers"])
        return self.on_page(response)

    def on_review(self, page, attempt_id):
        form = form_to(page, re.compile(rf"^/learn/attempts/{attempt_id}/submit/$"))
        return form and partial(self.submit, form, attempt_id)

    def submit(self, form, attempt_id):
        results = self.post_form_maybe_twice(form, "submit")
        for response, hops in results:
            if response is None or len(hops) < 2 or not hops[-1][1].endswith("/result/"):
                continue
            score = SCORE.search(response.text)
            plan = self.plans.get(attempt_id, {})
            journal(
                t="attempt",
                user=self.email,
                attempt=attempt_id,
                course=plan.get("course"),
                score=int(score[1]) if score else None,
                passed='<h2 class="usa-alert__heading">Passed</h2>' in response.text,
                answers=plan.get("texts"),
                expected=plan.get("expected"),
            )
        return self.on_page(results[0][0])

    def on_result(self, page, attempt_id):
        buttons = page[page.find('<ul class="usa-button-group') :]
        buttons = buttons[: buttons.find("</ul>")]
        course = re.search(r'href="/learn/([^/"]+)/continue/"', page)[1]
        certificate = re.search(r'href="(/learn/certificates/[^/"]+/)"', buttons)
        if certificate or "/continue/" not in buttons:
            journal(t="completed", user=self.email, course=course)
            self.finished.add(course)
            return certificate and partial(self.open, certificate[1])
        passed = '<h2 class="usa-alert__heading">Passed</h2>' in page
        for head, _text in links(buttons):
            href = head.get("href", "")
            if (passed and href.endswith("/continue/")) or (not passed and "/quizzes/" in href):
                return partial(self.open, href)
        return None
