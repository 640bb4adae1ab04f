from django import forms
from django.utils.translation import gettext_lazy as _

from .access import actor_for, agencies_visible_to, units_visible_to
from .audit import action_choices
from .models import TIME_ZONE_CHOICES, Role, Unit


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return "— " * unit.depth + unit.name


def _unit_field(user, *, required=False, label=_("Unit"), empty_label=_("No unit")):  # noqa: B008
    return UnitChoiceField(
        queryset=units_visible_to(user).order_by("path"),
        required=required,
        label=label,
        empty_label=empty_label,
    )


def _role_choices(user, *, keep=Role.LEARNER):
    """Admins choose any role; managers cannot change roles, so they get only `keep`."""
    actor = actor_for(user)
    if actor.administers_agency(actor.agency_id):
        return Role.choices
    return [(keep, Role(keep).label)]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"))
    unit = None

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(user)
        actor = actor_for(user)
        self.fields["unit"] = _unit_field(
            user, required=not actor.administers_agency(actor.agency_id)
        )


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, user, current_role=Role.LEARNER, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(user, keep=current_role)
        actor = actor_for(user)
        self.fields["unit"] = _unit_field(
            user, required=not actor.administers_agency(actor.agency_id)
        )


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(
        label=_("Code (optional)"),
        help_text=_(
            "Your agency's own code for the unit, e.g. an HR organization code. Unique in the "
            "agency. Identity providers can send it as the department to place people here."
        ),
        max_length=50,
        required=False,
    )

    def __init__(self, *args, user, exclude_subtree_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = _unit_field(user, label=_("Inside"), empty_label=_("Top level (no parent)"))
        if exclude_subtree_of is not None:
            unit = exclude_subtree_of
            field.queryset = field.queryset.exclude(path__startswith=unit.path)
            if unit.parent_id is not None:
                # A manager's own unit hangs below a unit they do not manage: offer that
                # parent too, so they can rename in place (the service refuses real moves).
                field.queryset = (field.queryset | Unit.objects.filter(pk=unit.parent_id)).order_by(
                    "path"
                )
        self.fields["parent"] = field


def _domains_field():
    return forms.CharField(
        label=_("Email domains"),
        help_text=_("One or more domains, separated by commas, e.g. agency.gov, staff.agency.gov"),
        max_length=1000,
    )


class AgencySettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    acronym = forms.CharField(label=_("Acronym"), max_length=20)
    domains = _domains_field()
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES, initial="UTC")
    default_language = forms.ChoiceField(
        label=_("Default language"), choices=[("en", _("English")), ("fr", _("French"))]
    )
    mfa_required = forms.BooleanField(
        label=_("Require multi-factor authentication for every member"), required=False
    )

    def domain_list(self):
        return [d for d in self.cleaned_data["domains"].split(",") if d.strip()]


class AgencyCreateForm(AgencySettingsForm):
    slug = forms.SlugField(
        label=_("Slug"), max_length=60, help_text=_("Short name used in addresses.")
    )

    field_order = [
        "name",
        "acronym",
        "slug",
        "domains",
        "time_zone",
        "default_language",
        "mfa_required",
    ]


class AuditFilterForm(forms.Form):
    """The audit log's filters (GET): who, what, when, target and, for platform admins, which
    agency. Invalid values are ignored rather than refused, like any search box."""

    who = forms.CharField(label=_("Who (email contains)"), max_length=254, required=False)
    action = forms.ChoiceField(label=_("What"), required=False)
    date_from = forms.DateField(
        label=_("From (date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=_("To (date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    target = forms.CharField(label=_("Target contains"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any action")), *action_choices()]
        if actor_for(user).is_platform_admin:
            self.fields["agency"] = forms.ModelChoiceField(
                queryset=agencies_visible_to(user).order_by("name"),
                required=False,
                label=_("Agency"),
                empty_label=_("All agencies"),
            )

    def filters(self) -> dict:
        """Keyword arguments for `selectors.audit_log`, from the valid fields only."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            name: data[name]
            for name in ("who", "action", "date_from", "date_to", "target", "agency")
            if data.get(name) not in (None, "")
        }
