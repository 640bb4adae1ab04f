"""Credentials follow learning's certificates (CredentialsConfig.ready).

A certificate issued: its credential is signed after the transaction commits (signing is CPU
work, and the completing quiz submission keeps its query budget). A certificate revoked: its
credential's status bit turns on in the same transaction, so the status list never says
"valid" for a revoked certificate.
"""

from django.db import transaction

from academy.events import subscribe
from learning.events import LearningRecorded
from learning.models import Verb

from .services import credentials_revoke
from .tasks import credential_issue_task


def _certificate_codes(event: LearningRecorded, verb: str) -> list:
    return [
        record.event.object_key
        for record in event.records
        if record.event.verb == verb and record.event.object_type == "certificate"
    ]


def credentials_follow(event: LearningRecorded) -> None:
    revoked = _certificate_codes(event, Verb.CERTIFICATE_REVOKED)
    if revoked:
        credentials_revoke(certificate_codes=revoked)
    for code in _certificate_codes(event, Verb.CERTIFICATE_ISSUED):
        transaction.on_commit(lambda code=code: credential_issue_task.delay(code))


def register() -> None:
    subscribe(LearningRecorded, credentials_follow, app_label="credentials")
