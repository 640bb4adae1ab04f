import json

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Role, Unit

from .models import IdentityProvider


class EmailStepForm(forms.Form):
    """The sign-in page's first step: the email address decides how the person signs in. The
    field is named like allauth's (`login`) so the second step keeps what was typed."""

    login = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


# Login.gov's service levels and assurance levels (developers.login.gov, "Authorization"): what
# an agency picks decides what Login.gov asks of its people and which attributes it releases.
LOGIN_GOV_AAL2 = "http://idmanagement.gov/ns/assurance/aal/2"
LOGIN_GOV_PRESETS = {
    "auth-only": (
        _("Login.gov: authentication only, AAL2"),
        f"urn:acr.login.gov:auth-only {LOGIN_GOV_AAL2}",
        "openid email",
    ),
    "auth-only-phishing-resistant": (
        _("Login.gov: authentication only, phishing-resistant (WebAuthn or PIV/CAC)"),
        f"urn:acr.login.gov:auth-only {LOGIN_GOV_AAL2}?phishing_resistant=true",
        "openid email",
    ),
    "auth-only-piv": (
        _("Login.gov: authentication only, PIV/CAC required"),
        f"urn:acr.login.gov:auth-only {LOGIN_GOV_AAL2}?hspd12=true",
        "openid email",
    ),
    "verified": (
        _("Login.gov: identity verified, AAL2"),
        f"urn:acr.login.gov:verified {LOGIN_GOV_AAL2}",
        "openid email profile:name",
    ),
    "verified-facial-match": (
        _("Login.gov: identity verified with facial match (IAL2), AAL2"),
        f"urn:acr.login.gov:verified-facial-match-required {LOGIN_GOV_AAL2}",
        "openid email profile:name",
    ),
}


class ProviderForm(forms.ModelForm):
    preset = forms.ChoiceField(
        label=_("Login.gov preset"),
        required=False,
        choices=[("", _("None: use the scopes and acr_values below"))]
        + [(key, label) for key, (label, _acr, _scopes) in LOGIN_GOV_PRESETS.items()],
        help_text=_(
            "Sets the scopes and acr_values Login.gov expects for the assurance you choose."
        ),
    )
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Only for client secret authentication. Leave empty to keep the one saved."),
    )
    metadata_file = forms.FileField(
        label=_("Metadata file"),
        required=False,
        help_text=_("The identity provider's SAML metadata (XML), if it has no URL."),
    )
    issuer = forms.URLField(
        label=_("Issuer"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_("For example https://idp.int.identitysandbox.gov/ for Login.gov's sandbox."),
    )
    metadata_url = forms.URLField(
        label=_("Metadata URL"), max_length=500, required=False, assume_scheme="https"
    )
    group_roles_text = forms.CharField(
        label=_("Roles from groups"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: a group value, an equals sign, then learner, trainer, manager "
            "or agency_admin. People in no listed group are learners."
        ),
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "name",
            "enabled",
            "sso_only",
            "issuer",
            "client_id",
            "client_auth",
            "scopes",
            "acr_values",
            "metadata_url",
            "entity_id",
            "email_attribute",
            "given_name_attribute",
            "family_name_attribute",
            "unit_attribute",
            "groups_attribute",
            "default_unit",
        ]
        help_texts = {
            "sso_only": _("Members cannot sign in with a password; platform admins keep theirs."),
            "issuer": _(
                "For example https://idp.int.identitysandbox.gov/ for Login.gov's sandbox."
            ),
            "acr_values": _(
                "The assurance to ask for, for example "
                "urn:acr.login.gov:auth-only or http://idmanagement.gov/ns/assurance/ial/2."
            ),
            "unit_attribute": _("The claim or attribute that carries the person's unit code."),
            "default_unit": _("Where people whose unit code names no unit are placed."),
        }

    def __init__(self, *args, agency, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["default_unit"].queryset = Unit.objects.filter(agency=agency).order_by("path")
        oidc_only = [
            "issuer",
            "client_id",
            "client_auth",
            "scopes",
            "acr_values",
            "client_secret",
            "preset",
        ]
        saml_only = ["metadata_url", "entity_id", "metadata_file"]
        for name in saml_only if kind == IdentityProvider.Kind.OIDC else oidc_only:
            del self.fields[name]
        if self.instance.pk:
            self.fields["group_roles_text"].initial = "\n".join(
                f"{group} = {role}" for group, role in self.instance.group_roles.items()
            )

    def clean_group_roles_text(self):
        mapping = {}
        for number, line in enumerate(self.cleaned_data["group_roles_text"].splitlines(), 1):
            if not line.strip():
                continue
            group, sep, role = line.rpartition("=")
            if not sep or not group.strip() or role.strip() not in Role.values:
                raise forms.ValidationError(
                    _("Line %(number)s: write a group, =, and one of %(roles)s.")
                    % {"number": number, "roles": ", ".join(Role.values)}
                )
            mapping[group.strip()] = role.strip()
        return mapping

    def clean_metadata_file(self):
        upload = self.cleaned_data.get("metadata_file")
        if not upload:
            return ""
        if upload.size > 1_000_000:
            raise forms.ValidationError(_("The metadata file is larger than 1 MB."))
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("The metadata file is not UTF-8 XML.")) from error

    def values(self) -> dict:
        values = {
            name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data
        }
        values["group_roles"] = self.cleaned_data.get("group_roles_text") or {}
        if self.cleaned_data.get("preset"):
            _label, values["acr_values"], values["scopes"] = LOGIN_GOV_PRESETS[
                self.cleaned_data["preset"]
            ]
        if self.cleaned_data.get("metadata_file"):
            values["metadata_xml"] = self.cleaned_data["metadata_file"]
        return values


def dumps(value) -> str:
    return json.dumps(value, indent=2, sort_keys=True)
