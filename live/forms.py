"""Forms of live sessions: parse input only; the services decide what is allowed."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Membership, Role, Unit
from courses.access import course_available_to_agency_q
from courses.models import Course, Language, LearningPath, Topic

from .models import Accommodation, AssignTarget, Format

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class SessionForm(forms.Form):
    """A session's settings; times are read in the agency's time zone (the view activates it)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown, as in lessons."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=LocalDateTimeInput(), input_formats=[DATETIME_FORMAT]
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=LocalDateTimeInput(), input_formats=[DATETIME_FORMAT]
    )
    capacity = forms.IntegerField(label=_("Capacity (seats)"), min_value=1, max_value=100000)
    location = forms.CharField(
        label=_("Location"),
        required=False,
        max_length=300,
        help_text=_("For in-person and hybrid sessions: building and room."),
    )
    join_url = forms.URLField(
        label=_("Join link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "For online and hybrid sessions. Shown to registrants shortly before the start."
        ),
    )
    host = forms.ModelChoiceField(label=_("Host"), queryset=None)
    units = forms.ModelMultipleChoiceField(
        label=_("Open to these units only"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to open the session to the whole agency."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The catalog's topics: people find the session by them."),
    )
    every_agency = forms.BooleanField(
        label=_("Open to every agency"),
        required=False,
        help_text=_(
            "People of every agency may then register. A platform admin approves it first; "
            "until then the session keeps the audience above."
        ),
    )
    course = forms.ModelChoiceField(
        label=_("Linked course"),
        queryset=None,
        required=False,
        help_text=_("Optional: the course this session belongs to."),
    )
    path = forms.ModelChoiceField(
        label=_("Linked learning path"),
        queryset=None,
        required=False,
        help_text=_(
            "Optional, instead of a course: attending counts for a live-session step of the "
            "path's courses."
        ),
    )

    credits_step = forms.ChoiceField(
        label=_("Live-session step it credits"),
        required=False,
        help_text=_(
            "For a session linked to a course: the live-session step of the course that "
            "attending completes. By default, the first one the person has not done yet."
        ),
    )

    def __init__(self, *args, agency_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        trainers = Membership.objects.filter(
            agency_id=agency_id, is_active=True, role__in=[Role.TRAINER, Role.AGENCY_ADMIN]
        ).values("user_id")
        self.fields["host"].queryset = (
            get_user_model().objects.filter(pk__in=trainers).order_by("email")
        )
        self.fields["host"].label_from_instance = lambda u: str(u)
        self.fields["topics"].label_from_instance = lambda topic: gettext(topic.name)
        self.fields["units"].queryset = Unit.objects.filter(agency_id=agency_id).order_by("path")
        self.fields["course"].queryset = Course.objects.filter(
            course_available_to_agency_q(agency_id)
        ).order_by("title")
        self.fields["path"].queryset = LearningPath.objects.filter(
            Q(owner__isnull=True) | Q(owner_id=agency_id), is_published=True
        ).order_by("title")
        self.fields["credits_step"].choices = self._step_choices(agency_id)
        self.removed_step = self._keep_removed_step()

    def _keep_removed_step(self) -> str:
        """The key of the step the session names when its course's published version no
        longer has it (a republish removed it), else "". The value stays a choice, selected,
        so that saving the form does not silently switch the session to "the first step not
        done yet": the page says so (`removed_step_notice`) and saving it unchanged is refused
        with the same words, until the trainer chooses."""
        value = self.initial.get("credits_step") or ""
        offered = {
            choice
            for _group, options in self.fields["credits_step"].choices
            if not isinstance(options, str)
            for choice, _label in options
        }
        if not value or value in offered:
            return ""
        key = value.partition(":")[2]
        self.fields["credits_step"].choices = [
            *self.fields["credits_step"].choices,
            (value, gettext("%(step)s (no longer in the course)") % {"step": key}),
        ]
        return key

    @property
    def removed_step_notice(self) -> str:
        if not self.removed_step:
            return ""
        return gettext(
            "This session credits the live-session step “%(step)s”, which the course's "
            "published version no longer has. Choose another step of the course, or the first "
            "live-session step not done yet."
        ) % {"step": self.removed_step}

    @staticmethod
    def _step_choices(agency_id: int) -> list:
        """The live-session steps of the published courses the session may link to, grouped by
        course; each value is "<course id>:<step key>" (keys are unique within a course only).
        Two queries: the courses whose draft has live-session steps, with their versions."""
        from .services.sessions import course_live_steps

        courses = (
            Course.objects.filter(course_available_to_agency_q(agency_id), live_steps__isnull=False)
            .select_related("current_version")
            .distinct()
            .order_by("title", "pk")
        )
        choices: list = [("", gettext("The first live-session step not done yet"))]
        for course in courses:
            steps = course_live_steps(course)
            if steps:
                choices.append(
                    (course.title, [(f"{course.pk}:{s['key']}", s["title"]) for s in steps])
                )
        return choices

    def clean_credits_step(self) -> str:
        """The step's key, once it is known to be one of the linked course's."""
        value = self.cleaned_data.get("credits_step") or ""
        if not value:
            return ""
        course_id, _sep, key = value.partition(":")
        if self.removed_step and value == self.initial.get("credits_step"):
            raise forms.ValidationError(self.removed_step_notice)
        course = self.cleaned_data.get("course")
        if course is None or str(course.pk) != course_id:
            raise forms.ValidationError(
                _("Choose a live-session step of the linked course, or link its course.")
            )
        return key

    @staticmethod
    def credits_step_initial(session) -> str:
        return f"{session.course_id}:{session.credits_step}" if session.credits_step else ""


class SeriesDatesForm(forms.Form):
    repeat_dates = forms.CharField(
        label=_("Repeat on these dates too"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Optional: one date per line (YYYY-MM-DD), at the same time of day. Each date is a "
            "session of its own with its own registrations."
        ),
    )

    def clean_repeat_dates(self):
        dates = []
        for line in self.cleaned_data["repeat_dates"].split():
            try:
                dates.append(datetime.date.fromisoformat(line.strip().strip(",")))
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a date written as YYYY-MM-DD."), params={"value": line}
                ) from None
        return dates


class RegistrationForm(forms.Form):
    accommodations = forms.MultipleChoiceField(
        label=_("Accommodations you need"),
        choices=Accommodation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only the host sees these."),
    )
    accommodation_other = forms.CharField(
        label=_("Other needs (optional)"), required=False, max_length=300
    )


class RegisterPersonForm(forms.Form):
    """A manager registers someone they manage."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=None)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda u: (
            f"{u.full_name} ({u.email})" if u.full_name else u.email
        )


class FilterForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("Any format")), *Format.choices]
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Any language")), *Language.choices]
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [
            ("", _("Any topic")),
            *((topic.slug, gettext(topic.name)) for topic in topics),
        ]


class AttendanceCsvForm(forms.Form):
    """The meeting tool's attendance export, and which of its columns say what."""

    file = forms.FileField(label=_("Attendance file (CSV)"))
    email_column = forms.CharField(
        label=_("Column with the email address"), initial="Email", max_length=100
    )
    minutes_column = forms.CharField(
        label=_("Column with the minutes attended (optional)"), required=False, max_length=100
    )
    min_minutes = forms.IntegerField(
        label=_("Minimum minutes to count as attended"), min_value=0, initial=0, required=False
    )


class CheckinForm(forms.Form):
    code = forms.CharField(label=_("Check-in code"), max_length=12)


class FollowupForm(forms.Form):
    recording_url = forms.URLField(
        label=_("Recording link"), required=False, max_length=500, assume_scheme="https"
    )
    materials = forms.CharField(
        label=_("Materials"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown: links to slides, handouts, notes."),
    )


class SessionAssignForm(forms.Form):
    """To whom a manager assigns a session: their agency (admins), a unit, or people by email.
    Scope is the service's to check; this only parses."""

    MAX_PEOPLE = 500

    target = forms.ChoiceField(
        choices=AssignTarget.choices,
        label=_("Assign to"),
        initial=AssignTarget.UNIT,
    )
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("Unit"),
        help_text=_("Everyone in this unit and in the units below it."),
    )
    people = forms.CharField(
        required=False,
        label=_("People (email addresses)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or more email addresses, separated by commas or new lines."),
    )

    def __init__(self, *args, units, admin: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if not admin:
            self.fields["target"].choices = [
                c for c in AssignTarget.choices if c[0] != AssignTarget.AGENCY
            ]

    def clean_people(self):
        raw = self.cleaned_data["people"].replace(",", "\n").split()
        emails = sorted({e.strip().lower() for e in raw if e.strip()})
        if len(emails) > self.MAX_PEOPLE:
            raise forms.ValidationError(
                _("Choose at most %(n)d people; assign a unit instead.") % {"n": self.MAX_PEOPLE}
            )
        users = list(get_user_model().objects.filter(email__in=emails))
        unknown = set(emails) - {u.email.lower() for u in users}
        if unknown:
            raise forms.ValidationError(
                _("These people are not in your units: %(emails)s")
                % {"emails": ", ".join(sorted(unknown))}
            )
        return users

    def clean(self):
        data = super().clean()
        target = data.get("target")
        if target == AssignTarget.UNIT and not data.get("unit"):
            self.add_error("unit", _("Choose a unit."))
        if target == AssignTarget.PEOPLE and not data.get("people") and "people" not in self.errors:
            self.add_error("people", _("Give at least one email address."))
        return data
