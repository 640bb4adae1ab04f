from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from academy.forms import apply_validation_error


class NameForm(forms.Form):
    name = forms.CharField()


def test_message_dicts_go_on_their_fields_and_the_rest_on_the_form():
    form = NameForm({"name": "Ada"})
    assert form.is_valid()
    apply_validation_error(
        form,
        ValidationError(
            {"name": ["Taken."], "slug": ["No such field here."], NON_FIELD_ERRORS: ["Refused."]}
        ),
    )
    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["No such field here.", "Refused."]


def test_plain_messages_go_on_the_form_or_the_field_given():
    form = NameForm({"name": "Ada"})
    form.is_valid()
    apply_validation_error(form, ValidationError(["One.", "Two."]))
    apply_validation_error(form, ValidationError("Three."), "name")
    assert form.non_field_errors() == ["One.", "Two."]
    assert form.errors["name"] == ["Three."]
