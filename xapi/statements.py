"""The xAPI statement profile of Academy: which learning events become which statements.

Pure functions of what the learning service had in hand (no query). Every statement has a
deterministic id (uuid5 of the agency configuration's salt, the learning event's id and the
statement's place among those the event gives), an actor, a verb, an activity object with a stable IRI built from the course slug
and the lesson, quiz or question key (a republish keeps them), a timestamp (when the event was
recorded) and a context whose registration is the enrollment (per period). See
docs/integrations.md for the profile with an example of each.
"""

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass

from django.conf import settings

from learning.content import outline

from .models import Activity, ActorFormat

# Namespace of Academy's statement ids (uuid5): fixed forever, or ids would change.
STATEMENT_NAMESPACE = uuid.UUID("6f1c2a4e-58f3-4c3e-9a57-1c1f3b7d9e20")

ADL = "http://adlnet.gov/expapi"
VERBS = {
    "registered": f"{ADL}/verbs/registered",
    "experienced": f"{ADL}/verbs/experienced",
    "attempted": f"{ADL}/verbs/attempted",
    "answered": f"{ADL}/verbs/answered",
    "passed": f"{ADL}/verbs/passed",
    "failed": f"{ADL}/verbs/failed",
    "completed": f"{ADL}/verbs/completed",
    "earned": "http://id.tincanapi.com/verb/earned",
    "attended": f"{ADL}/verbs/attended",
    # The xAPI registry's "submitted" (Activity Streams); ADL's vocabulary has none.
    "submitted": "http://activitystrea.ms/schema/1.0/submit",
}
ACTIVITY_TYPES = {
    "course": f"{ADL}/activities/course",
    "lesson": f"{ADL}/activities/lesson",
    "quiz": f"{ADL}/activities/assessment",
    "question": f"{ADL}/activities/cmi.interaction",
    "live_session": f"{ADL}/activities/meeting",
    # ADL: "an attempted task or series of tasks within a particular context".
    "practice_task": f"{ADL}/activities/performance",
}
# No registry term fits a course certificate or a quiz's attempt number: Academy's own IRIs.
CERTIFICATE_TYPE = "/activity-types/certificate"
EXT_ATTEMPT = "/extensions/attempt"
# A completion imported from the agency's former training system (learning.services.history).
EXT_IMPORTED = "/extensions/imported"
# Which agency choice (models.Activity) each verb belongs to.
VERB_ACTIVITY = {
    "registered": Activity.ENROLLED,
    "experienced": Activity.LESSONS,
    "attempted": Activity.QUIZ_ATTEMPTS,
    "answered": Activity.QUESTIONS,
    "passed": Activity.QUIZ_RESULTS,
    "failed": Activity.QUIZ_RESULTS,
    "completed": Activity.COMPLETIONS,
    "earned": Activity.CERTIFICATES,
    "attended": Activity.ATTENDANCE,
    "submitted": Activity.PRACTICE,
}
# Practice verbs: their own agency choice, though "passed" and "failed" are shared with quizzes.
PRACTICE_VERBS = {
    "practice_submitted": "submitted",
    "practice_passed": "passed",
    "practice_returned": "failed",
}


@dataclass(frozen=True)
class Profile:
    """What an agency's configuration says about the statements (read once per batch)."""

    actor_format: str
    actor_salt: str
    activities: frozenset

    @classmethod
    def of(cls, config) -> "Profile":
        return cls(
            actor_format=config.actor_format,
            actor_salt=config.actor_salt,
            activities=frozenset(config.activities),
        )


def iri_base() -> str:
    return settings.XAPI_IRI_BASE.rstrip("/")


def course_iri(slug: str) -> str:
    return f"{iri_base()}/courses/{slug}"


def step_iri(slug: str, kind: str, key: str) -> str:
    """kind: lessons, quizzes."""
    return f"{course_iri(slug)}/{kind}/{key}"


def practice_task_iri(slug: str, task_key: str) -> str:
    return step_iri(slug, "practice-tasks", task_key)


def live_session_iri(key: str) -> str:
    return f"{iri_base()}/live-sessions/{key}"


def question_iri(slug: str, quiz_key: str, question_key: str) -> str:
    return f"{step_iri(slug, 'quizzes', quiz_key)}/questions/{question_key}"


def actor_name(salt: str, user_id: int) -> str:
    """The stable opaque id of a person for one agency's LRS (no email, no database id)."""
    return hmac.new(salt.encode(), f"user/{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def actor(profile: Profile, user_id: int, email: str | None) -> dict:
    if profile.actor_format == ActorFormat.MBOX and email:
        return {"objectType": "Agent", "mbox": f"mailto:{email}"}
    return {
        "objectType": "Agent",
        "account": {
            "homePage": settings.XAPI_HOME_PAGE,
            "name": actor_name(profile.actor_salt, user_id),
        },
    }


def statement_id(salt: str, event_id: int, place: int) -> uuid.UUID:
    """Deterministic, and different for each agency configuration (its random salt), so two
    Academy installations (staging and production) pointed at one LRS never share an id."""
    return uuid.uuid5(STATEMENT_NAMESPACE, f"{salt}/learning-event/{event_id}/{place}")


def registration(enrollment_id: int, period: int) -> str:
    return str(uuid.uuid5(STATEMENT_NAMESPACE, f"enrollment/{enrollment_id}/{period}"))


def _lang(course) -> str:
    return getattr(course, "language", "") or "en"


def _activity(iri: str, kind: str, name: str, lang: str) -> dict:
    kind_iri = ACTIVITY_TYPES.get(kind) or f"{iri_base()}{CERTIFICATE_TYPE}"
    definition = {"type": kind_iri}
    if name:
        definition["name"] = {lang: name}
    return {"objectType": "Activity", "id": iri, "definition": definition}


def _verb(code: str) -> dict:
    return {"id": VERBS[code], "display": {"en-US": code}}


def _score(percent: int | None) -> dict:
    percent = max(0, min(100, int(percent or 0)))
    return {"scaled": round(percent / 100, 4), "raw": percent, "min": 0, "max": 100}


def _plan(enrollment):
    version = getattr(enrollment, "version", None)
    return outline(getattr(version, "snapshot", None) or {})


def _titles(enrollment) -> tuple[dict, dict]:
    plan = _plan(enrollment)
    return plan.lessons, plan.quizzes


def _practice(enrollment, event, slug, lang, context, parent) -> tuple:
    """A practice step's statement: submitted, or passed / failed on a review, the scaled score
    when the rubric has points (raw: the rubric points, max: its best score). Never who
    reviewed: the reviewer is in practice's own review row, not in the learning event."""
    result = event.result or {}
    task = _plan(enrollment).practice.get(event.object_key) or {}
    obj = _activity(
        practice_task_iri(slug, event.object_key), "practice_task", task.get("title", ""), lang
    )
    ctx = {
        **context,
        "contextActivities": parent,
        "extensions": {f"{iri_base()}{EXT_ATTEMPT}": result.get("attempt", 1)},
    }
    code = PRACTICE_VERBS[event.verb]
    if code == "submitted":
        return code, obj, None, ctx
    graded = {"success": code == "passed", "completion": True}
    best, points = result.get("max_points"), result.get("points")
    if best and points is not None:
        raw = max(0, min(int(points), int(best)))
        graded["score"] = {"scaled": round(raw / best, 4), "raw": raw, "min": 0, "max": best}
    return code, obj, graded, ctx


def build(record, profile: Profile, *, email: str | None = None) -> list[tuple[str, str, dict]]:
    """[(statement id, verb code, statement)] for one learning.events.Recorded, only the verbs
    the agency chose; [] for events that have no statement (reopened, certificate revoked)."""
    event, enrollment, detail = record.event, record.enrollment, record.detail or {}
    if enrollment is None:  # an event about no enrollment: attending a session, not enrolled
        return _finish(_without_enrollment(event), event, profile, email)
    course = enrollment.course
    slug, lang = course.slug, _lang(course)
    course_activity = _activity(course_iri(slug), "course", course.title, lang)
    context = {
        "registration": registration(enrollment.pk, getattr(enrollment, "period", 1) or 1),
        "platform": "Academy",
        "language": lang,
    }
    parent = {"parent": [{"objectType": "Activity", "id": course_iri(slug)}]}
    result = event.result or {}
    out: list[tuple[str, dict, dict | None, dict]] = []  # (verb, object, result, context)
    verb = event.verb
    if verb == "enrolled":
        out.append(("registered", course_activity, None, context))
    elif verb == "lesson_completed":
        lessons, _quizzes = _titles(enrollment)
        title = (lessons.get(event.object_key) or {}).get("title", "")
        obj = _activity(step_iri(slug, "lessons", event.object_key), "lesson", title, lang)
        out.append(("experienced", obj, None, {**context, "contextActivities": parent}))
    elif verb in ("attempt_started", "attempt_submitted"):
        _lessons, quizzes = _titles(enrollment)
        title = (quizzes.get(event.object_key) or {}).get("title", "")
        quiz = _activity(step_iri(slug, "quizzes", event.object_key), "quiz", title, lang)
        quiz_context = {
            **context,
            "contextActivities": parent,
            "extensions": {f"{iri_base()}{EXT_ATTEMPT}": result.get("attempt", 1)},
        }
        if verb == "attempt_started":
            out.append(("attempted", quiz, None, quiz_context))
        else:
            answered_context = {
                **quiz_context,
                "contextActivities": {
                    "parent": [{"objectType": "Activity", "id": quiz["id"]}],
                    "grouping": parent["parent"],
                },
            }
            for key, right in sorted((detail.get("questions") or {}).items()):
                obj = _activity(question_iri(slug, event.object_key, key), "question", "", lang)
                obj["definition"]["interactionType"] = "choice"
                out.append(("answered", obj, {"success": bool(right)}, answered_context))
            passed = bool(result.get("passed"))
            graded = {"score": _score(result.get("score")), "success": passed, "completion": True}
            out.append(("passed" if passed else "failed", quiz, graded, quiz_context))
    elif verb == "course_completed":
        done = {"completion": True}
        if result.get("score") is not None:
            done["score"] = _score(result["score"])
        if result.get("imported"):
            context = {**context, "extensions": {f"{iri_base()}{EXT_IMPORTED}": True}}
        out.append(("completed", course_activity, done, context))
    elif verb == "certificate_issued":
        obj = _activity(f"{course_iri(slug)}/certificate", "certificate", course.title, lang)
        out.append(("earned", obj, None, {**context, "contextActivities": parent}))
    elif verb in PRACTICE_VERBS:
        out.append(_practice(enrollment, event, slug, lang, context, parent))
    elif verb == "attended":
        obj = _live_session(event, lang)
        out.append(("attended", obj, None, {**context, "contextActivities": parent}))
    when = None
    if verb == "course_completed" and result.get("imported") and enrollment.completed_at:
        # An imported completion happened on its own date, long before Academy recorded it.
        when = enrollment.completed_at
    return _finish(out, event, profile, email, when)


def _live_session(event, lang: str) -> dict:
    title = (event.result or {}).get("title", "")
    return _activity(live_session_iri(event.object_key), "live_session", title, lang)


def _without_enrollment(event) -> list:
    """The statements of an event about no enrollment (a live session attended by someone not
    enrolled in its course, or a session with no course): no registration, no course parent."""
    if event.verb != "attended":
        return []
    context = {"platform": "Academy", "language": "en"}
    return [("attended", _live_session(event, "en"), None, context)]


def _finish(out: list, event, profile: Profile, email: str | None, when=None) -> list:
    """The statements of `out` the agency chose, stamped `when` (the event's time unless
    said otherwise)."""
    statements = []
    who = actor(profile, event.user_id, email)
    when = when or event.created_at
    for place, (code, obj, res, ctx) in enumerate(out):
        chosen = Activity.PRACTICE if event.verb in PRACTICE_VERBS else VERB_ACTIVITY[code]
        if chosen not in profile.activities:
            continue
        sid = str(statement_id(profile.actor_salt, event.pk, place))
        statement = {"id": sid, "actor": who, "verb": _verb(code), "object": obj}
        if res is not None:
            statement["result"] = res
        statement["context"] = ctx
        statement["timestamp"] = when.isoformat()
        statements.append((sid, code, statement))
    return statements


def freeze(statement: dict) -> str:
    """The statement's JSON as stored and sent, byte for byte the same on every retry."""
    return json.dumps(statement, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
