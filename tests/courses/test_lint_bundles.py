"""manage.py lint_bundles: each check on a small bundle built here, and the starter curriculum."""

import json
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from courses.bundles.lint import Finding, lint_bundles

CONTENT = Path(__file__).resolve().parents[2] / "content"
NBSP = "\u00a0"

# A practice exercise in the house convention: a task and its worked example.
EXERCISE = (
    '\n!!! exercise "Practice"\n    Check one answer.\n\n'
    '    !!! solution "Worked example"\n        Checked.\n'
)
# About 400 words: two minutes of reading, plus two for the exercise.
BODY = (
    "## A heading\n\n"
    + ("Public servants check every answer against the source. " * 50)
    + "\n"
    + EXERCISE
)


def _single(index: int, right: int, *, long_right: bool = False) -> dict:
    texts = ["Ask a colleague first", "Check the source text", "Use the approved tool", "Report it"]
    if long_right:
        texts[right] = "Check the figures against the published report before sending"
    return {
        "key": f"q-single-{index}",
        "type": "single",
        "prompt": f"Question {index}?",
        "explanation": "Because the record says so.",
        "choices": [
            {"text": text, "correct": position == right} for position, text in enumerate(texts)
        ],
    }


def _true_false(index: int, answer: bool) -> dict:
    return {
        "key": f"q-tf-{index}",
        "type": "true_false",
        "prompt": f"Statement {index}.",
        "explanation": f"{answer}. The lesson says so.",
        "choices": [
            {"text": "True", "correct": answer},
            {"text": "False", "correct": not answer},
        ],
    }


def _balanced_questions() -> list[dict]:
    """Twelve single-choice questions, three right answers at each position, the right answer
    the longest in none, and four true/false items, two of each."""
    questions = [_single(i, i % 4) for i in range(12)]
    questions += [_true_false(i, i % 2 == 0) for i in range(4)]
    return questions


def make_bundle(
    root: Path,
    *,
    slug: str = "lint-course",
    questions: list[dict] | None = None,
    body: str = BODY,
    minutes: int = 4,
    language: str = "en",
    title: str = "A course",
    objectives: list[str] | None = None,
    draw: int = 1,
    tag: bool = True,
) -> Path:
    """A one-lesson bundle whose quiz assesses that lesson. With `tag`, each question that names
    no objectives is said to test every objective of the lesson (what `coverage` asks for)."""
    folder = root / slug
    (folder / "lessons").mkdir(parents=True)
    (folder / "lessons" / "01-first.md").write_text(body, encoding="utf-8")
    questions = _balanced_questions() if questions is None else questions
    objectives = ["Check an answer against its source"] if objectives is None else objectives
    if tag and objectives:
        questions = [
            question if "objectives" in question else {**question, "objectives": list(objectives)}
            for question in questions
        ]
    manifest = {
        "format": "academy-course/1",
        "slug": slug,
        "title": title,
        "language": language,
        "modules": [
            {
                "key": "first-module",
                "title": "First module",
                "lessons": [
                    {
                        "key": "first",
                        "title": "First lesson",
                        "file": "lessons/01-first.md",
                        "estimated_minutes": minutes,
                        "objectives": objectives,
                    }
                ],
                "quiz": {
                    "key": "first-check",
                    "title": "Check",
                    "questions_per_attempt": draw,
                    "questions": questions,
                },
            }
        ],
    }
    (folder / "course.yaml").write_text(
        yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return folder


def _checks(findings: list[Finding]) -> list[str]:
    return [finding.check for finding in findings]


def test_a_clean_bundle_has_no_findings(tmp_path, capsys):
    bundle = make_bundle(tmp_path)
    assert lint_bundles([bundle]) == []
    call_command("lint_bundles", str(bundle))
    assert "no findings" in capsys.readouterr().out


def test_right_answers_piled_on_one_position_are_found(tmp_path):
    questions = [_single(i, 0 if i < 6 else i % 4) for i in range(12)]
    questions += [_true_false(i, i % 2 == 0) for i in range(4)]
    findings = lint_bundles([make_bundle(tmp_path, questions=questions)])
    assert _checks(findings) == ["position"]
    assert "choice 1 is the right answer of 7 of 12" in findings[0].message


def test_the_position_check_waits_for_enough_questions(tmp_path):
    questions = [_single(i, 0) for i in range(3)]
    assert lint_bundles([make_bundle(tmp_path, questions=questions)]) == []


def test_the_position_check_counts_across_bundles(tmp_path):
    """Each bundle alone is too small to judge; together they put every answer first."""
    bundles = [
        make_bundle(
            tmp_path, slug=f"part-{n}", questions=[_single(n * 10 + i, 0) for i in range(5)]
        )
        for n in range(2)
    ]
    assert lint_bundles(bundles[:1]) == []
    assert _checks(lint_bundles(bundles)) == ["position"]


def test_the_right_answer_always_longest_is_found(tmp_path):
    questions = [_single(i, i % 4, long_right=i < 7) for i in range(12)]
    findings = lint_bundles([make_bundle(tmp_path, questions=questions)])
    assert _checks(findings) == ["length"]
    assert "7 of 12" in findings[0].message
    assert "q-single-0" in findings[0].message


def test_unbalanced_true_false_is_found(tmp_path):
    questions = [_single(i, i % 4) for i in range(12)]
    questions += [_true_false(i, i == 0) for i in range(4)]
    findings = lint_bundles([make_bundle(tmp_path, questions=questions)])
    assert _checks(findings) == ["true-false"]
    assert "“false” is the answer of 3 of 4" in findings[0].message


def test_a_question_without_explanation_is_found_at_its_line(tmp_path):
    questions = _balanced_questions()
    questions[2]["explanation"] = ""
    bundle = make_bundle(tmp_path, questions=questions)
    findings = lint_bundles([bundle])
    assert _checks(findings) == ["explanation"]
    assert "q-single-2: the question has no explanation" in findings[0].message
    lines = (bundle / "course.yaml").read_text().splitlines()
    assert "key: q-single-2" in lines[findings[0].line - 1]


def test_an_explanation_naming_a_missing_option_is_found(tmp_path):
    questions = _balanced_questions()
    questions[0]["explanation"] = "Option E is right: check the source."
    findings = lint_bundles([make_bundle(tmp_path, questions=questions)])
    assert _checks(findings) == ["explanation"]
    assert "names option E, which does not exist (4 choices)" in findings[0].message


def test_an_explanation_counting_the_wrong_number_of_right_answers_is_found(tmp_path):
    multiple = {
        "key": "q-multi",
        "type": "multiple",
        "prompt": "Which concerns are valid?",
        "explanation": "All three concerns are valid: approval, consent and records.",
        "choices": [
            {"text": "The tool may not be approved", "correct": True},
            {"text": "Participants may not have consented", "correct": True},
            {"text": "The notes may be less polished", "correct": False},
            {"text": "The notes would sit outside agency systems", "correct": True},
            {"text": "The meeting would be public", "correct": True},
        ],
    }
    findings = lint_bundles([make_bundle(tmp_path, questions=[*_balanced_questions(), multiple])])
    assert _checks(findings) == ["explanation"]
    assert "says “All three” but 4 choices are right" in findings[0].message


def test_a_true_false_explanation_contradicting_the_answer_is_found(tmp_path):
    questions = _balanced_questions()
    questions[-1]["explanation"] = "True. The lesson says so."  # the answer is False
    findings = lint_bundles([make_bundle(tmp_path, questions=questions)])
    assert _checks(findings) == ["explanation"]
    assert "opens with “True” but the answer is “false”" in findings[0].message


def test_a_lesson_without_objectives_is_found_at_its_line(tmp_path):
    findings = lint_bundles([make_bundle(tmp_path, objectives=[])])
    assert _checks(findings) == ["objectives"]
    assert "'first' states no objectives" in findings[0].message
    assert findings[0].line == 9  # the lesson's "- key: first" line in course.yaml


def test_a_lesson_without_a_worked_exercise_is_found(tmp_path):
    no_exercise = BODY.replace(EXERCISE, "")
    findings = lint_bundles([make_bundle(tmp_path, body=no_exercise, minutes=2)])
    assert _checks(findings) == ["exercise"]
    assert findings[0].file.endswith("lessons/01-first.md")
    no_solution = BODY.replace('    !!! solution "Worked example"\n        Checked.\n', "")
    findings = lint_bundles([make_bundle(tmp_path / "b", body=no_solution)])
    assert [f.message for f in findings] == [
        "the exercise has no worked example (a `!!! solution` block inside it)"
    ]
    in_code = "```\n" + EXERCISE + "```\n" + no_exercise
    assert _checks(lint_bundles([make_bundle(tmp_path / "c", body=in_code, minutes=2)])) == [
        "exercise"
    ]


def test_estimated_minutes_far_from_the_words_are_found(tmp_path):
    findings = lint_bundles([make_bundle(tmp_path, minutes=10)])
    assert _checks(findings) == ["minutes"]
    assert "estimated_minutes is 10, but 411 words" in findings[0].message


def test_an_exercise_adds_two_minutes(tmp_path):
    body = (
        BODY
        + "\n## Practice\n\nRewrite it.\n\n<details><summary>Worked example</summary>\n\nDone.\n\n</details>\n"
    )
    assert lint_bundles([make_bundle(tmp_path, body=body, minutes=4)]) == []
    assert _checks(lint_bundles([make_bundle(tmp_path / "b", body=body, minutes=2)])) == ["minutes"]


def test_doubtful_links_are_found(tmp_path):
    body = BODY + (
        "\nSee [the memo](http://www.whitehouse.gov/memo.pdf) and [this](https://exa mple).\n"
        "Code `http://localhost` is not a link.\n"
        "\n## Sources\n\n"
        "- [OMB M-25-21](https://www.whitehouse.gov/wp-content/uploads/2025/02/M-25-21.pdf)\n"
        "- [A blog](https://blog.example.com/ai)\n"
    )
    bundle = make_bundle(tmp_path, body=body)
    findings = lint_bundles([bundle])
    assert _checks(findings) == ["link", "link", "link"]
    messages = [f.message for f in findings]
    assert "is not https" in messages[0]
    assert "malformed link" in messages[1]
    assert "'https://blog.example.com/ai' is not on a government host" in messages[2]
    assert findings[2].file == f"{bundle}/lessons/01-first.md"
    assert (
        findings[2].line == body.splitlines().index("- [A blog](https://blog.example.com/ai)") + 1
    )


def test_links_outside_a_sources_section_may_go_anywhere_over_https(tmp_path):
    body = BODY + "\nRead [the announcement](https://openai.com/global-affairs/).\n"
    assert lint_bundles([make_bundle(tmp_path, body=body)]) == []


def test_plain_spaces_before_french_punctuation_are_found(tmp_path):
    body = (
        BODY
        + f"\nVoici la règle{NBSP}: vérifiez{NBSP}; «{NBSP}bien{NBSP}»{NBSP}!\n"
        + "Une question ?\nIl dit « non ».\nDu code `a : b` passe.\n"
    )
    bundle = make_bundle(tmp_path, body=body, language="fr", title="Un cours : le titre")
    findings = lint_bundles([bundle])
    assert _checks(findings) == ["typography"] * 4
    lesson_lines = [f.line for f in findings if f.file.endswith(".md")]
    first = body.splitlines().index("Une question ?") + 1
    assert lesson_lines == [first, first + 1, first + 1]
    assert findings[-1].file.endswith("course.yaml")
    assert findings[-1].message.startswith("title: plain space in “Un cours :”")


def test_english_bundles_are_not_held_to_french_typography(tmp_path):
    body = BODY + "\nA question ?\n"
    assert lint_bundles([make_bundle(tmp_path, body=body)]) == []


def test_an_invalid_bundle_reports_its_import_problems(tmp_path):
    bundle = make_bundle(tmp_path)
    (bundle / "lessons" / "01-first.md").unlink()
    findings = lint_bundles([bundle])
    assert "import" in _checks(findings)


def test_a_question_without_a_right_answer_is_an_import_problem_not_a_crash(tmp_path):
    questions = [_single(i, i % 4) for i in range(12)]
    for choice in questions[0]["choices"]:
        choice["correct"] = False
    findings = lint_bundles([make_bundle(tmp_path, questions=questions)])
    assert _checks(findings) == ["import"]


def test_a_zipped_bundle_is_linted_like_its_folder(tmp_path):
    import shutil

    bundle = make_bundle(tmp_path / "src", minutes=10)
    archive = Path(shutil.make_archive(str(tmp_path / "lint-course"), "zip", bundle))
    findings = lint_bundles([archive])
    assert _checks(findings) == ["minutes"]
    assert findings[0].file == f"{archive}:course.yaml"


def test_the_command_exits_1_and_can_speak_json(tmp_path, capsys):
    bundle = make_bundle(tmp_path, minutes=10)
    with pytest.raises(CommandError) as raised:
        call_command("lint_bundles", str(bundle), "--format", "json")
    assert raised.value.returncode == 1
    findings = json.loads(capsys.readouterr().out)
    assert [f["check"] for f in findings] == ["minutes"]
    assert findings[0]["file"] == f"{bundle}/course.yaml"


def test_a_folder_of_bundles_is_linted_bundle_by_bundle(tmp_path):
    make_bundle(tmp_path, slug="one", minutes=10)
    make_bundle(tmp_path, slug="two", minutes=10)
    with pytest.raises(CommandError, match="2 finding"):
        call_command("lint_bundles", str(tmp_path))


def _starter_findings() -> list[Finding]:
    return lint_bundles(sorted(p for p in CONTENT.iterdir() if (p / "course.yaml").is_file()))


def test_the_starter_quizzes_and_manifests_pass():
    """Quiz patterns, explanations, time estimates and the manifests' own text: everything that
    lives in course.yaml or spans the curriculum."""
    findings = [f for f in _starter_findings() if not f.file.endswith(".md")]
    assert [str(f) for f in findings] == []


def test_the_starter_curriculum_passes():
    assert [str(f) for f in _starter_findings()] == []
    call_command("lint_bundles")


# --- objective coverage (questions name the objectives they test) --------------------------


def _testing(question: dict, *objectives: str) -> dict:
    return {**question, "objectives": list(objectives)}


def test_a_question_naming_no_objective_is_found(tmp_path):
    questions = [_testing(q, "Check an answer") for q in _balanced_questions()]
    del questions[3]["objectives"]
    bundle = make_bundle(tmp_path, questions=questions, objectives=["Check an answer"], tag=False)
    findings = [f for f in lint_bundles([bundle]) if f.check == "coverage"]
    assert [f.message for f in findings] == [
        "first-check: question 'q-single-3' names no objective it tests (add an `objectives` "
        "list with the lesson objectives it assesses)"
    ]


def test_coverage_is_judged_by_default_even_when_no_question_names_an_objective(tmp_path):
    bundle = make_bundle(tmp_path, objectives=["Check an answer"], tag=False)
    messages = [f.message for f in lint_bundles([bundle]) if f.check == "coverage"]
    assert len(messages) == 17  # each of the 16 questions, and the untested objective
    assert messages[-1] == (
        "first-check: no question tests the objective 'Check an answer' of lesson 'first'"
    )


def test_a_quiz_over_lessons_without_objectives_is_not_judged_for_coverage(tmp_path):
    bundle = make_bundle(tmp_path, objectives=[], tag=False)
    checks = _checks(lint_bundles([bundle]))
    assert "objectives" in checks and "coverage" not in checks


def test_an_objective_no_question_tests_is_found(tmp_path):
    questions = [_testing(q, "Check an answer") for q in _balanced_questions()]
    bundle = make_bundle(
        tmp_path, questions=questions, objectives=["Check an answer", "Cite a source"], draw=2
    )
    findings = [f for f in lint_bundles([bundle]) if f.check == "coverage"]
    assert [f.message for f in findings] == [
        "first-check: no question tests the objective 'Cite a source' of lesson 'first'"
    ]
    assert findings[0].line is not None


def test_more_objectives_than_an_attempt_draws_is_found(tmp_path):
    questions = [_testing(q, "Check an answer") for q in _balanced_questions()]
    questions[1] = _testing(questions[1], "Cite a source")
    bundle = make_bundle(
        tmp_path, questions=questions, objectives=["Check an answer", "Cite a source"]
    )
    findings = [f for f in lint_bundles([bundle]) if f.check == "coverage"]
    assert [f.message for f in findings] == [
        "first-check: its questions test 2 objectives but an attempt draws 1 questions, "
        "so an attempt cannot test each objective"
    ]


def test_a_pool_covering_every_objective_within_the_draw_is_clean(tmp_path):
    questions = [_testing(q, "Check an answer") for q in _balanced_questions()]
    questions[0] = _testing(questions[0], "Check an answer", "Cite a source")
    questions[5] = _testing(questions[5], "Cite a source")
    bundle = make_bundle(
        tmp_path, questions=questions, objectives=["Check an answer", "Cite a source"], draw=2
    )
    assert lint_bundles([bundle]) == []
