import pytest

from credentials.demo import seed_credentials
from credentials.models import Credential
from credentials.verify import credential_verify

pytestmark = pytest.mark.django_db


def test_demo_signs_every_certificate_once(certificate):
    Credential.objects.all().delete()
    assert seed_credentials() == 1
    assert seed_credentials() == 0
    assert credential_verify(Credential.objects.get().signed).valid
