"""The certificate as a one-page PDF (reportlab).

reportlab writes no tagged PDF (PDF/UA): the PDF carries its title and language, and the
certificate's own page (learning:certificate, HTML) is its accessible equivalent.
"""

import io

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas


def _expiry_line(certificate) -> str:
    if certificate.expires_at is None:
        return ""
    date = formats.date_format(certificate.expires_at, "DATE_FORMAT")
    if certificate.has_expired:
        return _("Expired on %(date)s") % {"date": date}
    return _("Valid until %(date)s") % {"date": date}


def certificate_pdf(certificate, *, verify_url: str) -> bytes:
    """One landscape page: name, course, date, agency, expiry (if any), verification code and
    URL."""
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), lang=get_language() or "en")
    pdf.setTitle(_("Certificate of completion") + f" – {certificate.course_title}")
    pdf.setAuthor("Academy")
    pdf.setLineWidth(3)
    pdf.rect(1.5 * cm, 1.5 * cm, width - 3 * cm, height - 3 * cm)
    centre = width / 2
    lines = [
        ("Helvetica-Bold", 30, height - 5 * cm, _("Certificate of completion")),
        ("Helvetica", 14, height - 7 * cm, _("This certifies that")),
        ("Helvetica-Bold", 26, height - 8.5 * cm, certificate.learner_name),
        ("Helvetica", 14, height - 10 * cm, _("has completed the course")),
        ("Helvetica-Bold", 20, height - 11.5 * cm, certificate.course_title),
        (
            "Helvetica",
            14,
            height - 13 * cm,
            _("on %(date)s, as a member of %(agency)s")
            % {
                "date": formats.date_format(certificate.issued_at, "DATE_FORMAT"),
                "agency": certificate.agency_name,
            },
        ),
        ("Helvetica", 12, 4.4 * cm, _expiry_line(certificate)),
        ("Helvetica", 11, 3.5 * cm, _("Verification code: %(code)s") % {"code": certificate.code}),
        ("Helvetica", 11, 2.8 * cm, _("Check it at %(url)s") % {"url": verify_url}),
    ]
    for font, size, y, text in lines:
        if not text:
            continue
        pdf.setFont(font, size)
        pdf.drawCentredString(centre, y, str(text))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
