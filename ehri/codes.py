"""The EHRI Training Data Feed's fields, as far as Academy could confirm them (docs/ehri.md).

Sources followed: OPM, The Guide to Data Standards, Part C: Training (through Update 02,
April 1st, 2010) and The Guide to Human Resources Reporting, Chapter 5: Training Data Feed
(Update 4.2, July 31st, 2013), read through the copies the search tool holds, whose text reached
us only in part; and OPM's SF-182 (whose Section B carries the same data elements by name).

Confirmed: the data elements' names below (SF-182 Section B and the Guide's field list) and the
Yes/No/Not applicable value list of the two indicators (data elements 1102 and 1231). NOT
confirmed: the value lists of the type codes (purpose, type, sub type, delivery, designation,
source, credit type) and the XML element names of OPM's own schema. Those codes are therefore
kept as the agency's HR office enters them (letters and digits, checked for form only), never
as a list Academy made up; docs/ehri.md says what to verify before the first submission.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# Data elements 1102 (Training Accreditation Indicator) and 1231 (Continued Service Agreement
# Required Indicator): Y, N, NA.
INDICATOR_CHOICES = [("Y", _("Yes")), ("N", _("No")), ("NA", _("Not applicable"))]
INDICATOR_VALUES = {code for code, _label in INDICATOR_CHOICES}


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
