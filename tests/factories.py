"""factory-boy factories. Build people through these; build state changes through services."""

import factory
from allauth.account.models import EmailAddress
from django.conf import settings

from accounts.models import User
from agencies.models import Agency, AgencyDomain, Membership, Role, Unit


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Agency {n}")
    acronym = factory.Sequence(lambda n: f"A{n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")

    @factory.post_generation
    def domains(self, create, extracted, **kwargs):
        if create:
            for domain in extracted or [f"{self.slug}.gov"]:
                AgencyDomain.objects.create(
                    agency=self, domain=domain, status=AgencyDomain.Status.APPROVED
                )


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    parent = None
    name = factory.Sequence(lambda n: f"Unit {n}")
    path = ""

    @factory.post_generation
    def set_path(self, create, extracted, **kwargs):
        if create:
            self.path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
            self.save(update_fields=["path"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.gov")
    full_name = factory.Faker("name")
    password = factory.django.Password(settings.ACADEMY_DEMO_PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    agency = factory.SubFactory(AgencyFactory)
    user = factory.SubFactory(UserFactory)
    unit = None
    role = Role.LEARNER

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Through the service, so the member counts (reports.MemberCount) stay in step.
        from agencies.services import membership_create

        return membership_create(**kwargs)
