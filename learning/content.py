"""Reading a version's frozen snapshot the way the player and the grader need it.

Pure functions over the snapshot dict (see courses/services/content.py for its shape).
"""

from dataclasses import dataclass, field


@dataclass
class Outline:
    """A snapshot indexed by key: ordered steps (lessons and quizzes) and lookups."""

    modules: list = field(default_factory=list)  # [{key, title, steps: [step]}]
    steps: list = field(default_factory=list)  # [{kind, key, title, module_title, ...}]
    lessons: dict = field(default_factory=dict)  # lesson key -> lesson dict
    quizzes: dict = field(default_factory=dict)  # quiz key -> quiz dict
    live: dict = field(default_factory=dict)  # live step key -> {key, title}
    practice: dict = field(default_factory=dict)  # practice task key -> task dict

    @property
    def lesson_keys(self):
        return list(self.lessons)

    @property
    def quiz_keys(self):
        return list(self.quizzes)

    @property
    def live_keys(self):
        return list(self.live)

    def step_index(self, kind, key):
        for i, step in enumerate(self.steps):
            if step["kind"] == kind and step["key"] == key:
                return i
        return None


def outline(snapshot: dict) -> Outline:
    """Steps in course order: each module's lessons, its live-session steps, its practice tasks,
    its quiz, then the final quiz. A practice task is done when a reviewer passes the learner's
    submission (practice app, through learning.services.practice_pass). A live-session step ({key, title} in a module's `live_sessions`) is done by
    attending a live session linked to the course (learning.services.attendance)."""
    out = Outline()

    def add_quiz(quiz, module):
        step = {
            "kind": "quiz",
            "key": quiz["key"],
            "title": quiz["title"],
            "module": module,
            "minutes": quiz.get("time_limit_minutes"),
        }
        out.quizzes[quiz["key"]] = quiz
        out.steps.append(step)
        return step

    for m in snapshot.get("modules") or []:
        entry = {"key": m["key"], "title": m["title"], "steps": []}
        for le in m.get("lessons") or []:
            step = {
                "kind": "lesson",
                "key": le["key"],
                "title": le["title"],
                "module": m["title"],
                "minutes": le.get("estimated_minutes") or 0,
            }
            out.lessons[le["key"]] = le
            out.steps.append(step)
            entry["steps"].append(step)
        for live in m.get("live_sessions") or []:
            step = {
                "kind": "live",
                "key": live["key"],
                "title": live["title"],
                "description": live.get("description") or "",
                "module": m["title"],
                "minutes": 0,
            }
            out.live[live["key"]] = live
            out.steps.append(step)
            entry["steps"].append(step)
        for task in m.get("practice") or []:
            step = {
                "kind": "practice",
                "key": task["key"],
                "title": task["title"],
                "module": m["title"],
                "minutes": 0,
            }
            out.practice[task["key"]] = task
            out.steps.append(step)
            entry["steps"].append(step)
        if m.get("quiz"):
            entry["steps"].append(add_quiz(m["quiz"], m["title"]))
        out.modules.append(entry)
    if snapshot.get("quiz"):
        final = {"key": "", "title": "", "steps": [add_quiz(snapshot["quiz"], "")]}
        out.modules.append(final)
    return out


def version_outline(version) -> Outline:
    """The outline of a CourseVersion's snapshot, made once per instance: the process's shared
    versions (learning.compiled.shared_version_instance) keep theirs, so it is to be read, never
    changed (course_player builds its own to mark steps)."""
    plan = version.__dict__.get("_academy_outline")
    if plan is None:
        plan = version.__dict__["_academy_outline"] = outline(version.snapshot)
    return plan


# A live-session step's credit is a LessonProgress row keyed with this prefix: step keys are
# slugs (no colon), so it never meets a lesson's key.
LIVE_CREDIT_PREFIX = "live:"


def live_credit_key(step_key: str) -> str:
    return f"{LIVE_CREDIT_PREFIX}{step_key}"


# A practice task's credit: a LessonProgress row keyed with this prefix (as live steps).
PRACTICE_CREDIT_PREFIX = "practice:"


def practice_credit_key(task_key: str) -> str:
    return f"{PRACTICE_CREDIT_PREFIX}{task_key}"


def step_is_done(step: dict, lessons_done: set, quizzes_passed: set) -> bool:
    """Is this outline step done, given the LessonProgress keys and the passed quiz keys?"""
    if step["kind"] == "lesson":
        return step["key"] in lessons_done
    if step["kind"] == "live":
        return live_credit_key(step["key"]) in lessons_done
    if step["kind"] == "practice":
        return practice_credit_key(step["key"]) in lessons_done
    return step["key"] in quizzes_passed


def questions_by_key(quiz: dict) -> dict:
    return {q["key"]: q for q in quiz.get("questions") or []}


def correct_keys(question: dict) -> set:
    return {c["key"] for c in question["choices"] if c.get("correct")}


def question_credit(question: dict, chosen) -> float:
    """The share of a question's point earned by the chosen keys, from 0 to 1.

    All or nothing, unless a multiple-choice question gives partial credit: then each right
    choice ticked earns 1/(number of right choices), each wrong choice ticked takes as much
    back, and the total never falls below zero (so ticking everything earns nothing).
    """
    right, chosen = correct_keys(question), set(chosen)
    if chosen == right:
        return 1.0
    if not question.get("partial_credit") or not right:
        return 0.0
    earned = len(chosen & right) - len(chosen - right)
    return max(0.0, earned / len(right))


def objective_cover(pool: list[dict], count: int, choose) -> list[int]:
    """Indexes of pool questions, at most `count`, so that every objective the pool's questions
    name is tested by at least one of them when `count` allows.

    Objectives are taken in a random order; for each one not yet tested, `choose` picks one of
    the questions naming it (a question naming several covers them all). The caller fills the
    rest of the draw from the remaining questions.
    """
    named = {o for q in pool for o in q.get("objectives") or []}
    order = choose.sample(sorted(named), len(named))
    picked: list[int] = []
    covered: set[str] = set()
    for objective in order:
        if len(picked) >= count:
            break
        if objective in covered:
            continue
        candidates = [
            i
            for i, q in enumerate(pool)
            if objective in (q.get("objectives") or []) and i not in picked
        ]
        index = choose.choice(candidates)
        picked.append(index)
        covered.update(pool[index].get("objectives") or [])
    return picked
