"""The one-page PDF summary: headline figures and the weekly trend (reportlab, no network).

reportlab writes no tagged PDF (no StructTreeRoot, PDF/UA): the document carries its title
and language, and the run's summary page (reports:run_summary) is its accessible equivalent,
linked next to the download (docs/architecture.md, "PDFs").
"""

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from academy.templatetags.academy_format import percent

from ..charts import week_label


def write_pdf(figures: dict, fileobj, *, title: str) -> int:
    """Draw the summary onto one A4 page; returns the number of figures written."""
    # reportlab is heavy to import (about 0.1 s): loaded only when a PDF is drawn.
    from reportlab.graphics import renderPDF
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    head = figures["headline"]
    page = canvas.Canvas(fileobj, pagesize=A4, lang=get_language() or "en")
    width, height = A4
    page.setTitle(title)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(50, height - 60, title)
    page.setFont("Helvetica", 10)
    page.drawString(50, height - 78, _("As of %(day)s") % {"day": date_format(figures["today"])})
    rate = head["required_rate"]
    lines = [
        (_("Members"), head["members"]),
        (_("Activated"), head["activated"]),
        (_("Enrolled"), head["enrolled"]),
        (_("In progress"), head["in_progress"]),
        (_("Completed"), head["completed"]),
        (_("Completion rate of required training"), "—" if rate is None else percent(rate)),
        (_("Overdue"), head["overdue"]),
        (_("Certificates issued"), head["certified"]),
    ]
    y = height - 110
    for label, value in lines:
        page.setFont("Helvetica", 11)
        page.drawString(50, y, str(label))
        page.setFont("Helvetica-Bold", 11)
        page.drawRightString(330, y, str(value))
        y -= 18
    weeks = figures["weeks"]
    drawing = Drawing(500, 240)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 40, 440, 160
    chart.data = [[w["completions"] for w in weeks] or [0]]
    chart.categoryAxis.categoryNames = [week_label(w["start"]) for w in weeks] or [""]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#005ea2")
    chart.barLabelFormat = "%d"
    chart.barLabels.nudge = 7
    drawing.add(chart)
    drawing.add(String(40, 220, _("Completions per week"), fontName="Helvetica-Bold", fontSize=11))
    renderPDF.draw(drawing, page, 50, y - 260)
    page.showPage()
    page.save()
    return len(lines)
