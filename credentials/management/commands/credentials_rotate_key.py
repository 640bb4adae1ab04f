"""Rotate the issuer key: `manage.py credentials_rotate_key`."""

from django.core.management.base import BaseCommand

from credentials.identity import key_id
from credentials.services import issuer_key_rotate


class Command(BaseCommand):
    help = (
        "Make a new issuer key that signs Open Badges credentials from now on. The previous "
        "key stops signing but stays published, so the credentials it signed still verify."
    )

    def handle(self, *args, **options):
        key = issuer_key_rotate()
        self.stdout.write(f"New issuer key: {key_id(key.kid)}")
