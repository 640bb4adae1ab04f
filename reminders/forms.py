from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agencies.access import actor_for, agency_today, members_visible_to, units_visible_to

from .models import ExceptionKind, RecurAnchor, ReminderPolicy, ReminderPreference, TargetKind
from .registries import assignable_kinds

MAX_PEOPLE = 500
DUE_KINDS = [
    ("date", _("On a date")),
    ("days", _("Due N days from the day each person is assigned")),
]
DUE_DAYS_HINT = _(
    "Each person is due this many days from the day they are assigned, people who join or "
    "move into the unit later included."
)


def due_fields(initial_kind=None):
    """The three fields that say when an assignment is due (`clean_due` reads them): a date, or
    a number of days from the day each person is assigned."""
    return (
        forms.ChoiceField(choices=DUE_KINDS, label=_("Due"), initial=initial_kind),
        forms.DateField(
            required=False,
            label=_("Due date"),
            widget=forms.DateInput(attrs={"type": "date"}),
            help_text=_("Today or later."),
        ),
        forms.IntegerField(
            required=False,
            min_value=1,
            max_value=3650,
            label=_("Days from the day each person is assigned"),
            help_text=DUE_DAYS_HINT,
        ),
    )


def clean_due(form, data) -> dict:
    """Keep the due date or the number of days, as `due_kind` says; a date before the
    agency's today is refused on its field (the service refuses it too)."""
    if data.get("due_kind") == "date":
        if not data.get("due_on"):
            form.add_error("due_on", _("Give the due date."))
        elif data["due_on"] < agency_today(form.user):
            form.add_error(
                "due_on",
                _(
                    "The due date cannot be before today. For people assigned later, choose "
                    "a number of days from the day each person is assigned."
                ),
            )
        data["due_days"] = None
    else:
        if not data.get("due_days"):
            form.add_error("due_days", _("Give the number of days."))
        data["due_on"] = None
    return data


class AssignmentForm(forms.Form):
    """What to assign (one choice per registered kind of assignable item), to whom, and when."""

    target = forms.ChoiceField(
        choices=TargetKind.choices, label=_("Assign to"), initial=TargetKind.UNIT
    )
    unit = forms.ModelChoiceField(
        queryset=None,
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
    due_kind, due_on, due_days = due_fields(initial_kind="date")
    required = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Required training"),
        help_text=_("Untick for recommended training."),
    )
    recur_months = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=120,
        label=_("Repeat every (months)"),
        help_text=_("Leave empty for a one-off assignment."),
    )
    recur_anchor = forms.ChoiceField(
        choices=[("", "—"), *RecurAnchor.choices], required=False, label=_("Repeat from")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        agency_id = actor_for(user).agency_id
        self.item_field_names = [kind.field for kind in assignable_kinds.values()]
        for kind in assignable_kinds.values():
            self.fields[kind.field] = forms.ModelChoiceField(
                queryset=kind.choices(agency_id), required=False, label=kind.label
            )
        self.order_fields(self.item_field_names)
        self.fields["unit"].queryset = units_visible_to(user)
        if not actor_for(user).is_agency_admin:
            self.fields["target"].choices = [
                c for c in TargetKind.choices if c[0] != TargetKind.AGENCY
            ]

    def clean_people(self):
        raw = self.cleaned_data["people"].replace(",", "\n").split()
        emails = sorted({e.strip().lower() for e in raw if e.strip()})
        if len(emails) > MAX_PEOPLE:
            raise forms.ValidationError(
                _("Choose at most %(n)d people; assign a unit instead.") % {"n": MAX_PEOPLE}
            )
        users = list(
            User.objects.filter(
                email__in=emails, pk__in=members_visible_to(self.user).values("user_id")
            )
        )
        unknown = set(emails) - {u.email.lower() for u in users}
        if unknown:
            raise forms.ValidationError(
                _("These people are not in your units: %(emails)s")
                % {"emails": ", ".join(sorted(unknown))}
            )
        return users

    @property
    def item_fields(self):
        """The bound fields that choose the item, in the order the kinds were registered."""
        return [self[name] for name in self.item_field_names]

    def items(self) -> dict:
        """{field: chosen item or None} for every kind of item, as `assignment_create` takes."""
        return {name: self.cleaned_data.get(name) for name in self.item_field_names}

    def clean(self):
        data = super().clean()
        if sum(bool(data.get(name)) for name in self.item_field_names) != 1:
            self.add_error(
                self.item_field_names[0], _("Choose a course or a learning path (one of them).")
            )
        target = data.get("target")
        if target == TargetKind.UNIT and not data.get("unit"):
            self.add_error("unit", _("Choose a unit."))
        if target == TargetKind.PEOPLE and not data.get("people"):
            self.add_error("people", _("Give at least one email address."))
        data = clean_due(self, data)
        if data.get("recur_months") and not data.get("recur_anchor"):
            self.add_error("recur_anchor", _("Choose what the repetition follows."))
        return data


class AssignmentDueForm(forms.Form):
    """A new due date for everyone of an assignment, and why."""

    due_kind, due_on, due_days = due_fields()
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit log and shown on the assignment."),
    )

    def __init__(self, *args, user, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not self.is_bound:
            self.initial.update(
                due_kind="date" if assignment.due_on else "days",
                due_on=assignment.due_on,
                due_days=assignment.due_days,
            )

    def clean(self):
        return clean_due(self, super().clean())


class AssigneeExceptionForm(forms.Form):
    """An extension (a later due date) or an exemption for one person, and why."""

    kind = forms.ChoiceField(
        choices=ExceptionKind.choices,
        label=_("Exception"),
        initial=ExceptionKind.EXTENSION,
    )
    due_on = forms.DateField(
        required=False,
        label=_("New due date (extension)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit log and shown on the assignment."),
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == ExceptionKind.EXTENSION and not data.get("due_on"):
            self.add_error("due_on", _("Give the new due date."))
        if data.get("kind") == ExceptionKind.EXEMPTION:
            data["due_on"] = None
        return data


def _days_list(text: str) -> list[int]:
    """ "14, 7, 1" as [14, 7, 1], or a ValidationError saying what is wrong."""
    try:
        days = [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise forms.ValidationError(_("Give whole numbers of days, separated by commas.")) from None
    if any(d < 1 or d > 365 for d in days):
        raise forms.ValidationError(_("Each number of days must be between 1 and 365."))
    return days


class PolicyForm(forms.ModelForm):
    before_days = forms.CharField(
        label=_("Days before the due date"),
        help_text=_("Separated by commas, for example 14, 7, 1."),
    )
    expiry_before_days = forms.CharField(
        label=_("Days before a certificate expires"),
        required=False,
        help_text=_(
            "For courses whose certificates expire. Separated by commas, for example 60, 30, 7: "
            "the learner is reminded on each, and the first one also assigns the course again "
            "(the refresher). Leave empty for no reminders and no refresher."
        ),
    )

    class Meta:
        model = ReminderPolicy
        fields = [
            "before_days",
            "on_due_date",
            "overdue_every_days",
            "escalate_after_days",
            "digest_weekday",
            "send_hour",
            "expiry_before_days",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("before_days", "expiry_before_days"):
            value = getattr(self.instance, name, None) if self.instance else None
            if isinstance(value, list):
                self.initial[name] = ", ".join(str(d) for d in value)

    def clean_before_days(self):
        return _days_list(self.cleaned_data["before_days"])

    def clean_expiry_before_days(self):
        return _days_list(self.cleaned_data["expiry_before_days"])

    def clean_send_hour(self):
        hour = self.cleaned_data["send_hour"]
        if hour > 23:
            raise forms.ValidationError(_("Give an hour between 0 and 23."))
        return hour


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = ReminderPreference
        fields = ["recommended_digest", "language"]
