"""The feed's two files: XML (ehri/schema/training_feed.xsd) and pipe-delimited text, written
record by record as the feed streams (`FeedFiles`), so memory stays flat."""

import csv
import io
import shutil
import tempfile

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


def _element(name: str, children) -> bytes:
    """`<name>` with its children, serialised without a namespace: inside the root, which
    declares the feed's namespace as the default, they belong to it."""
    element = etree.Element(name)
    for child, value in children:
        etree.SubElement(element, child).text = value
    return etree.tostring(element, encoding="utf-8")


class FeedFiles:
    """Temporary files that take the feed's records one at a time: the XML records and the
    delimited lines. The XML's header, which counts the records, is written when the file is
    finished (`write_xml`), before the records. Use as a context manager."""

    def __init__(self, feed):
        self.feed = feed
        self.count = 0
        self._body = tempfile.TemporaryFile()
        self._delimited = tempfile.TemporaryFile()
        self._text = io.TextIOWrapper(self._delimited, encoding="utf-8", newline="")
        self._lines = csv.writer(self._text, delimiter="|", lineterminator="\r\n")
        self._lines.writerow(RECORD_COLUMNS)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._body.close()
        self._text.close()

    def add(self, record: dict) -> None:
        """One record; an empty optional field is left out of the XML."""
        self._body.write(
            _element(
                "TrainingRecord",
                (
                    (column, record[column])
                    for column in RECORD_COLUMNS[1:]
                    if not (record[column] == "" and column in OPTIONAL_EMPTY)
                ),
            )
        )
        self._lines.writerow([record[column] for column in RECORD_COLUMNS])
        self.count += 1

    def write_xml(self, fileobj) -> int:
        feed = self.feed
        header = _element(
            "Header",
            (
                ("AgencySubelementCode", feed.subelement_code),
                ("PeriodStartDate", feed.start.isoformat()),
                ("PeriodEndDate", feed.end.isoformat()),
                ("CreatedAt", timezone.now().replace(microsecond=0).isoformat()),
                ("RecordCount", str(self.count)),
            ),
        )
        fileobj.write(b"<?xml version='1.0' encoding='utf-8'?>\n")
        fileobj.write(etree.tostring(etree.Comment(f" {NOTICE} ")) + b"\n")
        fileobj.write(f'<TrainingDataFeed xmlns="{NAMESPACE}">'.encode())
        fileobj.write(header)
        self._body.flush()
        self._body.seek(0)
        shutil.copyfileobj(self._body, fileobj)
        fileobj.write(b"</TrainingDataFeed>")
        return self.count

    def write_delimited(self, fileobj) -> int:
        self._text.flush()
        self._delimited.seek(0)
        shutil.copyfileobj(self._delimited, fileobj)
        return self.count


def _files(feed) -> FeedFiles:
    files = FeedFiles(feed)
    for record in feed.records:
        files.add(record)
    return files


def write_xml(feed, fileobj) -> int:
    """A feed held in memory (feed_build) as XML."""
    with _files(feed) as files:
        return files.write_xml(fileobj)


def write_delimited(feed, fileobj) -> int:
    """The same records as pipe-delimited lines with a header line (CRLF)."""
    with _files(feed) as files:
        return files.write_delimited(fileobj)
