"""Mail backends for tests: the locmem outbox, but failing the way an SMTP server can."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    """Refuses the first `FAILURES` messages (class-wide), then delivers to the outbox."""

    FAILURES = 1
    calls = 0

    def send_messages(self, messages):
        FlakyBackend.calls += 1
        if FlakyBackend.calls <= FlakyBackend.FAILURES:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class DyingBackend(EmailBackend):
    """Delivers, then the worker 'dies' (SystemExit) before Academy can record it as sent."""

    def send_messages(self, messages):
        super().send_messages(messages)
        raise SystemExit("worker killed")
