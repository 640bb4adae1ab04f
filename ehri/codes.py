"""The EHRI Training Data Feed's fields and OPM's value lists, as far as Academy could confirm
them (docs/ehri.md has the table: field, data element number, values, source).

Sources followed: OPM, The Guide to Data Standards, Part C: Training (through Update 02,
April 1st, 2010) and The Guide to Human Resources Reporting, Chapter 5: Training Data Feed
(Update 4.2, July 31st, 2013), of which the search tool's copies give only the first pages;
OPM's SF-182 (Section B carries the same data elements); an agency LMS's "Appendix B -
Enterprise Human Resources Integration (EHRI) fields" (1library.net), which gives the
indicators' data element numbers and values; and three agency/vendor implementations of the
SF-182 and of the feed (public source code) that carry the value names of the type lists.

Confirmed, and therefore choices: the Yes/No/Not applicable indicators (1102, 1231) and the
VALUE NAMES of the purpose, type, delivery, designation, credit type and source lists (as the
SF-182 prints them). NOT confirmed: OPM's numeric codes for those values (so the feed carries
the value names, which the implementations we found also send), the sub type list (kept as
free text the agency's HR office enters), and the Guide's rounding rule for hours.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# Data elements 1102 (Training Accreditation Indicator) and 1231 (Continued Service Agreement
# Required Indicator): Y, N, NA.
INDICATOR_CHOICES = [("Y", _("Yes")), ("N", _("No")), ("NA", _("Not applicable"))]
INDICATOR_VALUES = {code for code, _label in INDICATOR_CHOICES}


# Stored values and the feed carry the value names in English, as the SF-182 prints them; the
# forms show them translated.
# Training Purpose Type (SF-182 Section B; the Guide's Training Purpose Type).
PURPOSE_CHOICES = [
    ("Program/Mission Change", _("Program/Mission Change")),
    ("New Work Assignment", _("New Work Assignment")),
    ("Improve/Maintain Present Performance", _("Improve/Maintain Present Performance")),
    ("Future Staffing Needs", _("Future Staffing Needs")),
    ("Develop Unavailable Skills", _("Develop Unavailable Skills")),
    ("Retention", _("Retention")),
]
# Training Type Code.
TYPE_CHOICES = [
    ("Training Program Area", _("Training Program Area")),
    ("Developmental Training", _("Developmental Training")),
    ("Basic Training Area", _("Basic Training Area")),
]
# Training Delivery Type Code.
DELIVERY_CHOICES = [
    ("Traditional Classroom (no technology)", _("Traditional Classroom (no technology)")),
    ("On the Job", _("On the Job")),
    ("Technology Based", _("Technology Based")),
    ("Conference/Workshop", _("Conference/Workshop")),
    ("Blended", _("Blended")),
    ("Correspondence", _("Correspondence")),
]
# Training Designation Type Code (only when the training earns credit).
DESIGNATION_CHOICES = [
    ("Undergraduate Credit", _("Undergraduate Credit")),
    ("Graduate Credit", _("Graduate Credit")),
    ("Continuing Education Unit", _("Continuing Education Unit")),
    ("Post Graduate Credit", _("Post Graduate Credit")),
]
# Training Credit Type Code (only when Training Credit is above zero).
CREDIT_TYPE_CHOICES = [
    ("Semester Hours", _("Semester Hours")),
    ("Quarter Hours", _("Quarter Hours")),
    ("Continuing Education Unit", _("Continuing Education Unit")),
    ("Professional Development Unit", _("Professional Development Unit")),
    ("Continuing Professional Education", _("Continuing Professional Education")),
    ("Continuous Learning Points", _("Continuous Learning Points")),
    ("Other", _("Other")),
]
# Training Source Type Code.
SOURCE_CHOICES = [
    ("Government Internal", _("Government Internal")),
    ("Government External", _("Government External")),
    ("Non-government", _("Non-government")),
    ("Government State/Local", _("Government State/Local")),
    ("Foreign Governments and Organizations", _("Foreign Governments and Organizations")),
]

# {field name: its value list}: the fields whose values Academy checks against OPM's list.
VALUE_LISTS = {
    "training_purpose_type": PURPOSE_CHOICES,
    "training_type_code": TYPE_CHOICES,
    "training_delivery_type_code": DELIVERY_CHOICES,
    "training_designation_type_code": DESIGNATION_CHOICES,
    "training_credit_type_code": CREDIT_TYPE_CHOICES,
    "training_source_type_code": SOURCE_CHOICES,
    "training_accreditation_indicator": INDICATOR_CHOICES,
    "continued_service_agreement_required_indicator": INDICATOR_CHOICES,
}
VALUE_MAX_LENGTH = 60

# The defaults of an online self-paced course: delivered by technology, made in-house.
ONLINE_SELF_PACED = {
    "training_delivery_type_code": "Technology Based",
    "training_source_type_code": "Government Internal",
    "training_accreditation_indicator": "N",
    "continued_service_agreement_required_indicator": "N",
}


@dataclass(frozen=True)
class CodedField:
    """One course-level field of the feed."""

    name: str  # the attribute on CourseCoding
    element: str  # the XML element and delimited column: the Guide's data element name
    label: str
    required: bool  # Academy's edits reject a record without it


COURSE_FIELDS = (
    CodedField("course_number_code", "CourseNumberCode", _("course number code"), False),
    CodedField("training_purpose_type", "TrainingPurposeType", _("training purpose type"), True),
    CodedField("training_type_code", "TrainingTypeCode", _("training type code"), True),
    CodedField("training_sub_type_code", "TrainingSubTypeCode", _("training sub type code"), False),
    CodedField(
        "training_delivery_type_code",
        "TrainingDeliveryTypeCode",
        _("training delivery type code"),
        True,
    ),
    CodedField(
        "training_designation_type_code",
        "TrainingDesignationTypeCode",
        _("training designation type code"),
        False,
    ),
    CodedField(
        "training_source_type_code", "TrainingSourceTypeCode", _("training source type code"), True
    ),
    CodedField(
        "training_credit_type_code", "TrainingCreditTypeCode", _("training credit type code"), False
    ),
    CodedField(
        "training_accreditation_indicator",
        "TrainingAccreditationIndicator",
        _("training accreditation indicator"),
        True,
    ),
    CodedField(
        "continued_service_agreement_required_indicator",
        "ContinuedServiceAgreementRequiredIndicator",
        _("continued service agreement required indicator"),
        True,
    ),
)

# The columns of one record, in order (the delimited file's header and the XML's elements).
# The employee's SSN and date of birth are NOT among them: Academy never holds them; the
# agency's HR system adds them from the employee identifier before submission.
RECORD_COLUMNS = (
    "AgencySubelementCode",
    "EmployeeIdentifier",
    "CourseTitle",
    "CourseNumberCode",
    "TrainingStartDate",
    "TrainingEndDate",
    "TrainingDutyHours",
    "TrainingNonDutyHours",
    "TrainingPurposeType",
    "TrainingTypeCode",
    "TrainingSubTypeCode",
    "TrainingDeliveryTypeCode",
    "TrainingDesignationTypeCode",
    "TrainingCredit",
    "TrainingCreditTypeCode",
    "TrainingAccreditationIndicator",
    "ContinuedServiceAgreementRequiredIndicator",
    "TrainingSourceTypeCode",
)

# Fields the agency's HR office completes before submitting (Academy never stores them).
HR_COMPLETES = ("Social Security Number", "Date of Birth")

NOTICE = (
    "Produced by Academy. Contains no Social Security number and no date of birth: Academy "
    "never stores them. EmployeeIdentifier is the agency's own employee id; the agency's HR "
    "system adds the SSN and date of birth before submission to OPM EHRI."
)
