"""The email a subscriber gets when a scheduled report run finishes (or fails).

Its own module so that runs (which sends it) and schedules (which queues runs) do not import
each other.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from ..models import ReportRun


def report_schedule_notify(*, run: ReportRun) -> None:
    """Email the subscriber a link to the finished (or failed) report."""
    user = run.schedule.user if run.schedule_id else None
    if user is None or not user.email:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("reports:run_detail", args=[run.pk])
    if run.status == ReportRun.Status.DONE:
        subject = _("Your %(kind)s report is ready") % {"kind": run.get_kind_display()}
        body = _(
            "Your scheduled report is ready to download (sign-in required):\n\n%(link)s\n\n"
            "It will be deleted after %(days)s days."
        ) % {"link": link, "days": settings.REPORT_RETENTION_DAYS}
    else:
        subject = _("Your %(kind)s report could not be produced") % {"kind": run.get_kind_display()}
        body = _("Your scheduled report failed: %(reason)s\n\n%(link)s") % {
            "reason": run.error,
            "link": link,
        }
    send_mail(subject, body, None, [user.email])
