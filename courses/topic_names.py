"""The names of the starter curriculum's topics (content/topics.yaml), marked for translation.

Topics are rows (a deployment may add and rename them), so their names are data; the catalog
and course pages show a topic's name through gettext, which translates the names listed here
and leaves any other name as it was written. Keep this list in step with content/topics.yaml
(a test checks it).
"""

from django.utils.translation import gettext_noop

STARTER_TOPIC_NAMES = [
    gettext_noop("Advanced features"),
    gettext_noop("Accountability"),
    gettext_noop("AI agents"),
    gettext_noop("AI basics"),
    gettext_noop("Automated decisions"),
    gettext_noop("Bias"),
    gettext_noop("Data protection"),
    gettext_noop("Freedom of information"),
    gettext_noop("Plain language"),
    gettext_noop("Privacy"),
    gettext_noop("Procurement"),
    gettext_noop("Productivity"),
    gettext_noop("Prompting"),
    gettext_noop("Public service"),
    gettext_noop("Quality assurance"),
    gettext_noop("Records management"),
    gettext_noop("Research"),
    gettext_noop("Risk management"),
    gettext_noop("Security"),
    gettext_noop("Transparency"),
    gettext_noop("Verification"),
    gettext_noop("Writing"),
]
