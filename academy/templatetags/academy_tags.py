from django import forms, template

register = template.Library()

WIDGET_CLASSES = {
    forms.Select: "usa-select",
    forms.SelectMultiple: "usa-select",
    forms.Textarea: "usa-textarea",
    forms.FileInput: "usa-file-input",
}


@register.filter
def usa_widget(field):
    """Render a bound field's widget with USWDS classes and accessible error/hint links."""
    widget = field.field.widget
    css = next((c for cls, c in WIDGET_CLASSES.items() if isinstance(widget, cls)), "usa-input")
    if field.errors:
        css += " usa-input--error"
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
