"""Form helpers shared by every app's views."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def apply_validation_error(form, error: ValidationError, field: str | None = None) -> None:
    """Put a service's refusal on the bound form, so the page shows it beside the user's input.

    A message dict ({field: [messages]}) puts each message on its field when the form has one,
    else among the form-wide errors; a plain message or list goes on `field` (None: form-wide).
    """
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            target = name if name in form.fields and name != NON_FIELD_ERRORS else None
            for message in messages:
                form.add_error(target, message)
        return
    for message in error.messages:
        form.add_error(field, message)
