"""Checks a bundle for what import accepts but a good course avoids (`manage.py lint_bundles`).

Import (manifest.py) refuses what cannot work; this module flags what works but teaches badly:
quizzes that can be passed by pattern (the right answer's position, its length, true/false
imbalance), explanations that are missing or contradict the answer, time estimates far from the
words, doubtful links, and French typography. See docs/course-bundles.md, "Checking a bundle".

Every finding names its file and, where it can, its line. The bias checks count over every
bundle linted together (the starter curriculum as a whole by default), in the authored order of
the choices: that order is what learners see when shuffling is off, and what exports carry.

The messages are for authors at a terminal or in CI, in English, like the other management
commands' output.
"""

import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from .lesson_checks import (
    WORD,
    estimate_problem,
    exercise_problem,
    french_spacing_problems,
    link_problems,
)
from .manifest import load_yaml, parse_course_bundle
from .source import MANIFEST, BundleSource

# Quiz patterns, over every single-choice question linted together.
MAX_POSITION_SHARE = 0.35  # no choice position holds more than this share of right answers
MAX_LONGEST_SHARE = 0.50  # the right answer is strictly the longest in at most this share
MAX_TRUE_FALSE_SHARE = 0.65  # neither "true" nor "false" is the answer more often than this
# Fewer questions than this say nothing about a pattern (one question is always "100% first").
MIN_QUESTIONS_FOR_BIAS = 10

TRUE_WORDS = {"true", "vrai"}
FALSE_WORDS = {"false", "faux"}

# "All three are correct": the number of right answers an explanation announces.
_ALL_COUNT = re.compile(
    r"\b(?:all|toutes les|tous les)\s+(two|three|four|five|six|deux|trois|quatre|cinq)\b",
    re.IGNORECASE,
)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_NUMBERS |= {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5}
_OPTION_NAME = re.compile(r"\b(?i:option|choice|answer|réponse)\s+\(?([A-H]|\d)\)?(?![\w'])")


@dataclass(frozen=True)
class Finding:
    file: str
    line: int | None
    check: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: [{self.check}] {self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Question:
    file: str
    line: int | None
    key: str
    type: str
    choices: list[dict]


def default_bundles(root: Path) -> list[Path]:
    """Every course bundle (a folder holding course.yaml) directly under `root`."""
    return sorted(p for p in root.iterdir() if (p / MANIFEST).is_file())


def expand_paths(paths: list[Path]) -> list[Path]:
    """A bundle folder or zip stays itself; a folder of bundles becomes its bundles."""
    bundles = []
    for path in paths:
        if path.is_dir() and not (path / MANIFEST).is_file():
            bundles.extend(default_bundles(path))
        else:
            bundles.append(path)
    return bundles


def lint_bundles(paths: list[Path]) -> list[Finding]:
    """Every finding for these bundles: each bundle's own, then the patterns across them all."""
    findings: list[Finding] = []
    questions: list[_Question] = []
    for path in paths:
        bundle_findings, bundle_questions = lint_bundle(path)
        findings += bundle_findings
        questions += bundle_questions
    findings += quiz_pattern_findings(questions, label=_label(paths))
    return findings


def _label(paths: list[Path]) -> str:
    if len(paths) == 1:
        return str(paths[0])
    parents = {str(p.parent) for p in paths}
    return parents.pop() if len(parents) == 1 else "(all bundles)"


def _manifest(path: Path) -> tuple[dict, dict[str, int]]:
    """The manifest as plain YAML, and the line of each field path."""
    source = BundleSource(path)
    if source.problems or not source.exists(MANIFEST):
        return {}, {}
    value, lines, _problems = load_yaml(source.read(MANIFEST), MANIFEST)
    return (value if isinstance(value, dict) else {}), lines


def lint_bundle(path: Path) -> tuple[list[Finding], list[_Question]]:
    """(findings, questions) for one bundle; the questions feed the cross-bundle checks."""
    content, problems = parse_course_bundle(BundleSource(path))
    manifest = f"{path}/{MANIFEST}" if path.is_dir() else f"{path}:{MANIFEST}"
    findings = [Finding(str(path), None, "import", problem) for problem in problems]
    if content is None:
        return findings, []
    raw, lines = _manifest(path)

    def line(field: str) -> int | None:
        probe = field
        while probe and probe not in lines:
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return lines.get(probe)

    files = {
        lesson.get("key"): lesson["file"]
        for module in (raw.get("modules") or [])
        if isinstance(module, dict)
        for lesson in (module.get("lessons") or [])
        if isinstance(lesson, dict) and isinstance(lesson.get("file"), str)
    }
    questions: list[_Question] = []
    french = content.get("language") == "fr"
    for field, quiz in _quizzes(content):
        for index, question in enumerate(quiz["questions"]):
            q_field = f"{field}.questions[{index}]"
            questions.append(
                _Question(
                    manifest, line(q_field), question["key"], question["type"], question["choices"]
                )
            )
            for check, message, sub in _question_problems(question):
                findings.append(Finding(manifest, line(f"{q_field}{sub}"), check, message))
        for message in objective_coverage_problems(quiz, _assessed_lessons(content, field)):
            findings.append(Finding(manifest, line(field), "coverage", message))
    for m_index, module in enumerate(content["modules"]):
        for l_index, lesson in enumerate(module["lessons"]):
            l_field = f"modules[{m_index}].lessons[{l_index}]"
            lesson_file = f"{path}/{files.get(lesson['key'], lesson['key'])}"
            if not lesson.get("objectives"):
                findings.append(
                    Finding(
                        manifest,
                        line(l_field),
                        "objectives",
                        f"lesson {lesson['key']!r} states no objectives (add an `objectives` "
                        "list: what the learner will be able to do)",
                    )
                )
            message = exercise_problem(lesson["body"])
            if message:
                findings.append(Finding(lesson_file, None, "exercise", message))
            message = estimate_problem(lesson["body"], lesson["estimated_minutes"])
            if message:
                findings.append(
                    Finding(manifest, line(f"{l_field}.estimated_minutes"), "minutes", message)
                )
            for line_number, message in link_problems(lesson["body"]):
                findings.append(Finding(lesson_file, line_number, "link", message))
            if french:
                for line_number, message in french_spacing_problems(lesson["body"]):
                    findings.append(Finding(lesson_file, line_number, "typography", message))
    if french:
        for field, text in _manifest_texts(content):
            for _line, message in french_spacing_problems(text, markdown=False):
                findings.append(Finding(manifest, line(field), "typography", f"{field}: {message}"))
    return findings, questions


def _quizzes(content: dict):
    for m_index, module in enumerate(content["modules"]):
        if module["quiz"]:
            yield f"modules[{m_index}].quiz", module["quiz"]
    if content["quiz"]:
        yield "quiz", content["quiz"]


def _assessed_lessons(content: dict, quiz_field: str) -> list[dict]:
    """The lessons a quiz assesses: its module's, or every lesson for the course-end quiz."""
    if quiz_field == "quiz":
        return [lesson for module in content["modules"] for lesson in module["lessons"]]
    index = int(quiz_field.split("[")[1].split("]")[0])
    return content["modules"][index]["lessons"]


def objective_coverage_problems(quiz: dict, lessons: list[dict]) -> list[str]:
    """What keeps a quiz's pool from testing each objective of the lessons it assesses.

    Judged for every quiz whose lessons state objectives: each question names the objectives it
    tests, every objective of those lessons is named by some question, and an attempt can draw
    one question per named objective, so there are no more named objectives than
    `questions_per_attempt` (the draw, `learning.content.objective_cover`, then always covers
    them all). A quiz over lessons that state no objectives is not judged.
    """
    stated = [o for lesson in lessons for o in lesson.get("objectives") or []]
    named = [o for q in quiz["questions"] for o in q.get("objectives") or []]
    if not stated and not named:
        return []
    problems = [
        f"{quiz['key']}: question {question['key']!r} names no objective it tests (add an "
        "`objectives` list with the lesson objectives it assesses)"
        for question in quiz["questions"]
        if not question.get("objectives")
    ]
    for lesson in lessons:
        for objective in lesson.get("objectives") or []:
            if objective not in named:
                problems.append(
                    f"{quiz['key']}: no question tests the objective {objective!r} "
                    f"of lesson {lesson['key']!r}"
                )
    distinct, draw = len(set(named)), quiz["questions_per_attempt"]
    if distinct > draw:
        problems.append(
            f"{quiz['key']}: its questions test {distinct} objectives but an attempt draws "
            f"{draw} questions, so an attempt cannot test each objective"
        )
    return problems


def _manifest_texts(content: dict):
    """(field path, text) of every learner-visible text of the manifest."""
    for key in ("title", "summary", "audience"):
        yield key, content[key]
    for index, outcome in enumerate(content["outcomes"]):
        yield f"outcomes[{index}]", outcome
    for m_index, module in enumerate(content["modules"]):
        yield f"modules[{m_index}].title", module["title"]
        for l_index, lesson in enumerate(module["lessons"]):
            yield f"modules[{m_index}].lessons[{l_index}].title", lesson["title"]
    for field, quiz in _quizzes(content):
        yield f"{field}.title", quiz["title"]
        for q_index, question in enumerate(quiz["questions"]):
            q_field = f"{field}.questions[{q_index}]"
            yield f"{q_field}.prompt", question["prompt"]
            yield f"{q_field}.explanation", question["explanation"]
            for c_index, choice in enumerate(question["choices"]):
                yield f"{q_field}.choices[{c_index}].text", choice["text"]
                yield f"{q_field}.choices[{c_index}].feedback", choice["feedback"]


def _question_problems(question: dict):
    """(check, message, field suffix) for one question's explanation."""
    key, explanation = question["key"], question["explanation"].strip()
    if not explanation:
        yield "explanation", f"{key}: the question has no explanation", ""
        return
    for match in _OPTION_NAME.finditer(explanation):
        name = match.group(1)
        index = int(name) - 1 if name.isdigit() else ord(name.upper()) - ord("A")
        if not 0 <= index < len(question["choices"]):
            yield (
                "explanation",
                f"{key}: the explanation names option {name}, which does not exist "
                f"({len(question['choices'])} choices)",
                ".explanation",
            )
    if question["type"] == "multiple":
        right = sum(1 for c in question["choices"] if c["correct"])
        for match in _ALL_COUNT.finditer(explanation):
            said = _NUMBERS[match.group(1).lower()]
            if said != right:
                yield (
                    "explanation",
                    f"{key}: the explanation says “{match.group(0)}” but {right} choices are right",
                    ".explanation",
                )
    if question["type"] == "true_false":
        correct = [c["text"].strip().lower() for c in question["choices"] if c["correct"]]
        first = WORD.match(explanation)
        said = first.group(0).lower() if first else ""
        if correct and said in TRUE_WORDS | FALSE_WORDS:
            if (said in TRUE_WORDS) != (correct[0] in TRUE_WORDS):
                yield (
                    "explanation",
                    f"{key}: the explanation opens with “{first.group(0)}” but the answer is "
                    f"“{correct[0]}”",
                    ".explanation",
                )


def quiz_pattern_findings(questions: list[_Question], *, label: str) -> list[Finding]:
    """Position bias, length bias and true/false balance over all the questions given."""
    findings = []
    single = [
        q
        for q in questions
        if q.type == "single" and [c["correct"] for c in q.choices].count(True) == 1
    ]
    if len(single) >= MIN_QUESTIONS_FOR_BIAS:
        positions = Counter()
        longest = []
        for q in single:
            flags = [c["correct"] for c in q.choices]
            positions[flags.index(True)] += 1
            lengths = [len(c["text"]) for c in q.choices]
            right = lengths[flags.index(True)]
            if all(right > length for i, length in enumerate(lengths) if not flags[i]):
                longest.append(q)
        for position, count in sorted(positions.items()):
            if count / len(single) > MAX_POSITION_SHARE:
                counts = ", ".join(f"{p + 1}: {positions[p]}" for p in range(max(positions) + 1))
                findings.append(
                    Finding(
                        label,
                        None,
                        "position",
                        f"choice {position + 1} is the right answer of {count} of "
                        f"{len(single)} single-choice questions ({count / len(single):.0%}; "
                        f"at most {MAX_POSITION_SHARE:.0%}). Right answers by position: {counts}",
                    )
                )
        if len(longest) / len(single) > MAX_LONGEST_SHARE:
            keys = ", ".join(q.key for q in longest)
            findings.append(
                Finding(
                    label,
                    None,
                    "length",
                    f"the right answer is the longest choice in {len(longest)} of {len(single)} "
                    f"single-choice questions ({len(longest) / len(single):.0%}; at most "
                    f"{MAX_LONGEST_SHARE:.0%}): {keys}",
                )
            )
    true_false = [q for q in questions if q.type == "true_false"]
    if true_false:
        answers = Counter(
            "true" if c["text"].strip().lower() in TRUE_WORDS else "false"
            for q in true_false
            for c in q.choices
            if c["correct"]
        )
        for answer, count in answers.items():
            share = count / len(true_false)
            if len(true_false) > 1 and share > MAX_TRUE_FALSE_SHARE:
                findings.append(
                    Finding(
                        label,
                        None,
                        "true-false",
                        f"“{answer}” is the answer of {count} of {len(true_false)} true/false "
                        f"questions ({share:.0%}; at most {MAX_TRUE_FALSE_SHARE:.0%})",
                    )
                )
    return findings
