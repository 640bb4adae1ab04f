"""Course content: the editable draft tables, and the frozen versions learners see.

The draft (Course metadata, Module, Lesson, Quiz, Question, Choice, Attachment) is what trainers
edit. Publishing freezes the draft into a numbered CourseVersion whose `snapshot` holds the whole
content with its rendered HTML; learners only ever read versions. Lessons, questions and choices
carry a stable `key` so learner progress keyed on them survives a republish.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

KEY_MAX = 80


class Level(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class Language(models.TextChoices):
    EN = "en", _("English")
    FR = "fr", _("French")


class Visibility(models.TextChoices):
    ALL = "all", _("Every agency")
    CHOSEN = "chosen", _("Chosen agencies")
    OWNER = "owner", _("Owner agency only")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")


class ShowAnswers(models.TextChoices):
    NEVER = "never", _("Never")
    AFTER_ATTEMPT = "after_attempt", _("After each attempt")
    AFTER_PASS = "after_pass", _("After passing")


class Topic(models.Model):
    """A catalog tag. A table (not a JSON list) so filtering by topic is an indexed join."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name


class Course(models.Model):
    """A course: draft metadata plus a pointer to the published version learners see."""

    owner = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("owner agency"),
        help_text=_("Empty for a platform course."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    summary = models.TextField(_("summary"), blank=True)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    level = models.CharField(
        _("level"), max_length=20, choices=Level.choices, default=Level.BEGINNER
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.EN
    )
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"), default=0)
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="courses", verbose_name=_("topics")
    )
    outcomes = models.JSONField(_("learning outcomes"), default=list, blank=True)
    complete_lessons_at_end = models.BooleanField(
        _("count a lesson as done when the learner reaches its end"),
        default=False,
        help_text=_("Otherwise the learner marks each lesson as done."),
    )
    # Frozen into each published version's snapshot (like the fields above): a certificate
    # takes its expiry from the version it was earned on, and stores it (Certificate.expires_at).
    validity_months = models.PositiveSmallIntegerField(
        _("certificate validity (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: certificates never expire."),
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.OWNER
    )
    shared_with = models.ManyToManyField(
        Agency, blank=True, related_name="shared_courses", verbose_name=_("shared with agencies")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    current_version = models.ForeignKey(
        "CourseVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published version"),
    )
    draft_revision = models.PositiveIntegerField(default=1, editable=False)
    draft_updated_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        indexes = [
            models.Index(fields=["status", "visibility"]),
            models.Index(fields=["owner", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="course_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="course_visibility_valid"
            ),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="course_level_valid"),
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(current_version__isnull=False),
                name="published_course_has_version",
            ),
        ]

    def __str__(self):
        return self.title


class VisibilityRequest(models.Model):
    """A request to show an agency's course to every agency, which a platform admin approves
    or rejects. Until approved the course keeps the visibility it had."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="visibility_requests")
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("request to share with every agency")
        verbose_name_plural = _("requests to share with every agency")
        constraints = [
            models.UniqueConstraint(
                fields=["course"],
                condition=Q(state="pending"),
                name="one_pending_visibility_request",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "approved", "rejected", "withdrawn"]),
                name="visibility_request_state_valid",
            ),
        ]
        indexes = [models.Index(fields=["state", "requested_at"])]

    def __str__(self):
        return f"{self.course_id}: {self.state}"


class CourseVersion(models.Model):
    """A frozen, numbered publication of a course. Never updated once written.

    The catalog columns (title ... estimated_minutes, topics) are copied from the draft at
    publication so the catalog shows what learners will get, not unpublished edits.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"))
    topics = models.ManyToManyField(Topic, blank=True, related_name="+")
    snapshot = models.JSONField(_("content"))
    content_hash = models.CharField(max_length=64, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        ordering = ["course", "-number"]
        verbose_name = _("course version")
        verbose_name_plural = _("course versions")
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="course_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="course_version_number_gte_1"),
        ]
        indexes = [models.Index(fields=["level", "language", "estimated_minutes"])]

    def __str__(self):
        return f"{self.title} v{self.number}"


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    key = models.SlugField(_("key"), max_length=KEY_MAX)
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "key"], name="module_key_unique_in_course"),
        ]

    def __str__(self):
        return self.title


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    key = models.SlugField(_("key"), max_length=KEY_MAX)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"), blank=True)
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"), default=0)
    video_url = models.URLField(_("video link"), blank=True)
    transcript = models.TextField(_("video transcript"), blank=True)
    # What the learner will be able to do, one short sentence each, shown atop the lesson.
    objectives = models.JSONField(_("objectives"), default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "key"], name="lesson_key_unique_in_course"),
            models.CheckConstraint(
                condition=Q(video_url="") | ~Q(transcript=""), name="lesson_video_needs_transcript"
            ),
        ]

    def __str__(self):
        return self.title


class LiveStep(models.Model):
    """A live-session step of a module (after its lessons, before its quiz): done by attending
    a live session linked to the course (the `live` app links sessions to the course and this
    key; courses knows nothing of sessions). Frozen into a version's snapshot as a module's
    `live_sessions` entry {key, title, description}."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="live_steps")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="live_steps")
    key = models.SlugField(_("key"), max_length=KEY_MAX)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "key"], name="livestep_key_unique_in_course"),
        ]

    def __str__(self):
        return self.title


def attachment_path(instance, filename):
    """A private storage name nobody can guess: a random folder per upload (the file is served
    only through views that check access; its name for the user comes from `Attachment.name`)."""
    return f"course-files/{instance.lesson.course_id}/{secrets.token_urlsafe(16)}/{filename}"


class Attachment(models.Model):
    """A file (image, PDF...) attached to a lesson, checked for type and size on upload."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    position = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "name"], name="attachment_name_unique"),
        ]

    def __str__(self):
        return self.name


class Quiz(models.Model):
    """A quiz at the end of a module, or (module empty) at the end of the course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="quizzes")
    module = models.OneToOneField(
        Module, on_delete=models.CASCADE, null=True, blank=True, related_name="quiz"
    )
    key = models.SlugField(_("key"), max_length=KEY_MAX)
    title = models.CharField(_("title"), max_length=200)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=0, help_text=_("0 means unlimited.")
    )
    questions_per_attempt = models.PositiveSmallIntegerField(
        _("questions per attempt"), default=5, validators=[MinValueValidator(1)]
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_choices = models.BooleanField(_("shuffle choices"), default=True)
    show_answers = models.CharField(
        _("show correct answers"),
        max_length=20,
        choices=ShowAnswers.choices,
        default=ShowAnswers.AFTER_ATTEMPT,
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), null=True, blank=True
    )

    class Meta:
        verbose_name_plural = _("quizzes")
        constraints = [
            models.UniqueConstraint(fields=["course", "key"], name="quiz_key_unique_in_course"),
            models.UniqueConstraint(
                fields=["course"],
                condition=Q(module__isnull=True),
                name="one_final_quiz_per_course",
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=1, pass_mark__lte=100), name="quiz_pass_mark_1_100"
            ),
            models.CheckConstraint(
                condition=Q(questions_per_attempt__gte=1), name="quiz_draw_gte_1"
            ),
            models.CheckConstraint(
                condition=Q(time_limit_minutes__isnull=True) | Q(time_limit_minutes__gte=1),
                name="quiz_time_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(show_answers__in=ShowAnswers.values), name="quiz_show_answers_valid"
            ),
        ]

    def __str__(self):
        return self.title


class Question(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("key"), max_length=KEY_MAX)
    type = models.CharField(
        _("type"), max_length=12, choices=QuestionType.choices, default=QuestionType.SINGLE
    )
    prompt = models.TextField(_("prompt (Markdown)"))
    explanation = models.TextField(_("explanation (Markdown)"), blank=True)
    # Multiple-choice only: each right choice ticked earns its share, each wrong one ticked
    # takes a share back (never below zero); otherwise a question is all or nothing.
    partial_credit = models.BooleanField(_("partial credit"), default=False)
    # The lesson objectives (their text, as the lessons state them) this question tests.
    objectives = models.JSONField(_("objectives tested"), default=list, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "key"], name="question_key_unique_in_course"),
            models.CheckConstraint(
                condition=Q(type__in=QuestionType.values), name="question_type_valid"
            ),
        ]

    def __str__(self):
        return self.key


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    key = models.SlugField(_("key"), max_length=KEY_MAX)
    text = models.CharField(_("text"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    feedback = models.TextField(_("feedback"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "key"], name="choice_key_unique_in_question"
            ),
        ]

    def __str__(self):
        return self.text


class LearningPath(models.Model):
    """An ordered list of courses with its own title and summary."""

    owner = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="learning_paths"
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.EN
    )
    is_published = models.BooleanField(_("published"), default=False)
    courses = models.ManyToManyField(Course, through="LearningPathCourse", related_name="paths")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("learning path")
        verbose_name_plural = _("learning paths")

    def __str__(self):
        return self.title


class LearningPathCourse(models.Model):
    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="steps")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["path", "course"], name="path_course_unique"),
        ]

    def __str__(self):
        return f"{self.path_id}:{self.position}"


class HandIn(models.TextChoices):
    TEXT = "text", _("Text")
    FILES = "files", _("Files")
    BOTH = "both", _("Text and files")


class PracticeTask(models.Model):
    """A practice task at the end of a module (after its lessons, before its quiz): a brief, what
    to hand in, a rubric that reviewers score, a pass mark in rubric points and how many times
    the learner may resubmit after a return. The rubric is a list of criteria, each
    {key, title, levels: [{points, descriptor}]}; `content_problems` checks its shape."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="practice_tasks")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="practice_tasks")
    key = models.SlugField(_("key"), max_length=KEY_MAX)
    title = models.CharField(_("title"), max_length=200)
    brief = models.TextField(_("brief (Markdown)"), blank=True)
    hand_in = models.CharField(
        _("what to hand in"), max_length=8, choices=HandIn.choices, default=HandIn.TEXT
    )
    file_types = models.JSONField(_("allowed file types"), default=list, blank=True)
    max_file_mb = models.PositiveSmallIntegerField(_("largest file (MB)"), default=5)
    rubric = models.JSONField(_("rubric"), default=list, blank=True)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (points)"), default=1)
    resubmissions = models.PositiveSmallIntegerField(_("resubmissions allowed"), default=2)
    anonymous_review = models.BooleanField(_("anonymous review"), default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("practice task")
        verbose_name_plural = _("practice tasks")
        constraints = [
            models.UniqueConstraint(fields=["course", "key"], name="practice_key_unique_in_course"),
            models.CheckConstraint(
                condition=Q(hand_in__in=HandIn.values), name="practice_hand_in_valid"
            ),
            models.CheckConstraint(
                condition=Q(max_file_mb__gte=1, max_file_mb__lte=50),
                name="practice_max_file_mb_1_50",
            ),
        ]

    def __str__(self):
        return self.title
