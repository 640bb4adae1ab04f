"""Published versions re-rendered with today's renderer and sanitiser.

A version keeps the HTML it was published with. When the Markdown rules tighten (callout kinds,
class names, image hosts), versions published before then still hold HTML the new rules would
refuse; `manage.py rerender_versions` (run once after such an upgrade, see docs/security.md)
renders them again from their own Markdown. Their content, and so their content hash and every
learner's progress, is unchanged: only the derived HTML is.
"""

from django.db import transaction

from ..models import CourseVersion
from .content import render_snapshot, snapshot_content


def course_versions_rerender(*, chunk_size: int = 100) -> int:
    """Re-render every version's HTML from its Markdown; the number of versions that changed."""
    changed = 0
    for version in CourseVersion.objects.only("pk", "snapshot").iterator(chunk_size=chunk_size):
        fresh = render_snapshot(snapshot_content(version.snapshot))
        if fresh != version.snapshot:
            with transaction.atomic():
                CourseVersion.objects.filter(pk=version.pk).update(snapshot=fresh)
            changed += 1
    return changed
