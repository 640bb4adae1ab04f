"""The feed's two files: XML (ehri/schema/training_feed.xsd) and pipe-delimited text."""

import csv
import io

from django.utils import timezone
from lxml import etree

from .codes import NOTICE, RECORD_COLUMNS

NAMESPACE = "urn:academy:ehri:training-data-feed:1"
OPTIONAL_EMPTY = {
    "CourseNumberCode",
    "TrainingSubTypeCode",
    "TrainingDesignationTypeCode",
    "TrainingCredit",
    "TrainingCreditTypeCode",
}


def write_xml(feed, fileobj) -> int:
    """Stream the feed as XML, one record at a time; an empty optional field is left out."""
    q = f"{{{NAMESPACE}}}"
    with etree.xmlfile(fileobj, encoding="utf-8") as xf:
        xf.write_declaration()
        xf.write(etree.Comment(f" {NOTICE} "))
        with xf.element(q + "TrainingDataFeed", nsmap={None: NAMESPACE}):
            header = etree.Element(q + "Header")
            for name, value in (
                ("AgencySubelementCode", feed.subelement_code),
                ("PeriodStartDate", feed.start.isoformat()),
                ("PeriodEndDate", feed.end.isoformat()),
                ("CreatedAt", timezone.now().replace(microsecond=0).isoformat()),
                ("RecordCount", str(len(feed.records))),
            ):
                etree.SubElement(header, q + name).text = value
            xf.write(header)
            for record in feed.records:
                element = etree.Element(q + "TrainingRecord")
                for column in RECORD_COLUMNS[1:]:
                    value = record[column]
                    if value == "" and column in OPTIONAL_EMPTY:
                        continue
                    etree.SubElement(element, q + column).text = value
                xf.write(element)
    return len(feed.records)


def write_delimited(feed, fileobj) -> int:
    """The same records as pipe-delimited lines with a header line (CRLF)."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter="|", lineterminator="\r\n")
    writer.writerow(RECORD_COLUMNS)
    for record in feed.records:
        writer.writerow([record[column] for column in RECORD_COLUMNS])
    fileobj.write(text.getvalue().encode("utf-8"))
    return len(feed.records)
