"""Demo people and agencies for `seed_demo`: idempotent, and fast at 100,000 learners."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from academy.events import publish
from accounts.models import User

from .events import JoinSource, Member, MembersJoined
from .models import Agency, AgencyDomain, Membership, Role, Unit
from .services import membership_create

FIRST = [
    "Amara",
    "Ben",
    "Chloé",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonah",
    "Keiko",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Priya",
    "Quentin",
    "Rosa",
    "Sami",
    "Tara",
]
LAST = [
    "Adams",
    "Bernard",
    "Chen",
    "Diallo",
    "Evans",
    "Fournier",
    "García",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lefebvre",
    "Martin",
    "Nguyen",
    "Okafor",
    "Patel",
]

AGENCIES = [
    {
        "slug": "demo-agency",
        "name": "Demo Agency",
        "acronym": "DA",
        "domains": ["demo.gov"],
        "time_zone": "America/New_York",
        "default_language": "en",
        "mfa_required": False,
        "units": {
            "Digital Services": ["Data Team", "Web Team"],
            "Operations": ["Field Office North", "Field Office South"],
            "Policy": [],
        },
        # HR organization codes, as an identity provider sends them as the SCIM department.
        "unit_codes": {
            "Digital Services": "DA-100",
            "Data Team": "DA-110",
            "Web Team": "DA-120",
            "Operations": "DA-200",
            "Field Office North": "DA-210",
            "Field Office South": "DA-220",
            "Policy": "DA-300",
        },
    },
    {
        "slug": "other-demo-agency",
        "name": "Other Demo Agency",
        "acronym": "ODA",
        "domains": ["other-demo.gov"],
        "time_zone": "America/Chicago",
        "default_language": "en",
        "mfa_required": False,
        "units": {"Benefits": ["Claims"], "Communications": []},
        "unit_codes": {"Benefits": "ODA-B", "Claims": "ODA-B1", "Communications": "ODA-C"},
    },
    {
        # Its people sign in through the demo's test identity provider (sso/demo.py), started
        # by `make run` with the other processes; nobody in it has a password.
        "slug": "sso-demo-agency",
        "name": "SSO Demo Agency",
        "acronym": "SDA",
        "domains": ["sso-demo.gov"],
        "time_zone": "America/Denver",
        "default_language": "en",
        "mfa_required": False,
        "units": {"Headquarters": ["Field Operations"]},
        "unit_codes": {"Headquarters": "SDA-HQ", "Field Operations": "SDA-FO"},
    },
    {
        "slug": "agence-demo",
        "name": "Agence de démonstration",
        "acronym": "ADD",
        "domains": ["agence-demo.gouv"],
        "time_zone": "Europe/Paris",
        "default_language": "fr",
        "mfa_required": True,
        "units": {"Direction numérique": ["Équipe données"], "Services aux usagers": []},
        "unit_codes": {
            "Direction numérique": "DNUM",
            "Équipe données": "DNUM-DATA",
            "Services aux usagers": "SAU",
        },
    },
]

# (email, name, agency slug, unit name or None, role, platform admin)
NAMED_PEOPLE = [
    ("learner@demo.gov", "Lee Learner", "demo-agency", "Data Team", Role.LEARNER, False),
    ("trainer@demo.gov", "Tess Trainer", "demo-agency", "Digital Services", Role.TRAINER, False),
    ("manager@demo.gov", "Max Manager", "demo-agency", "Digital Services", Role.MANAGER, False),
    ("agencyadmin@demo.gov", "Ada Admin", "demo-agency", None, Role.AGENCY_ADMIN, False),
    ("platformadmin@demo.gov", "Pat Platform", None, None, None, True),
    ("learner@other-demo.gov", "Olu Other", "other-demo-agency", "Claims", Role.LEARNER, False),
    (
        "manager@other-demo.gov",
        "Mia Other-Manager",
        "other-demo-agency",
        "Benefits",
        Role.MANAGER,
        False,
    ),
    (
        "admin@other-demo.gov",
        "Omar Other-Admin",
        "other-demo-agency",
        None,
        Role.AGENCY_ADMIN,
        False,
    ),
    (
        "admin@agence-demo.gouv",
        "Anaïs Administratrice",
        "agence-demo",
        None,
        Role.AGENCY_ADMIN,
        False,
    ),
]
PEOPLE_PER_AGENCY = {"demo-agency": 30, "other-demo-agency": 12, "agence-demo": 10}


def _ensure_agency(spec):
    agency, _ = Agency.objects.get_or_create(
        slug=spec["slug"],
        defaults={
            k: spec[k] for k in ("name", "acronym", "time_zone", "default_language", "mfa_required")
        },
    )
    for domain in spec["domains"]:
        AgencyDomain.objects.get_or_create(
            agency=agency,
            domain=domain,
            defaults={"status": AgencyDomain.Status.APPROVED, "approved_at": timezone.now()},
        )
    codes = spec.get("unit_codes", {})
    for top_name, children in spec["units"].items():
        top = _ensure_unit(agency, None, top_name, codes.get(top_name, ""))
        for child in children:
            _ensure_unit(agency, top, child, codes.get(child, ""))
    return agency


def _ensure_unit(agency, parent, name, code=""):
    unit = Unit.objects.filter(agency=agency, parent=parent, name=name).first()
    if unit is None:
        unit = Unit.objects.create(agency=agency, parent=parent, name=name, code=code, path="")
        unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
        unit.save(update_fields=["path"])
    elif code and not unit.code and not Unit.objects.filter(agency=agency, code=code).exists():
        # A demo seeded before units had codes gets them; a code an admin set is kept.
        unit.code = code
        unit.save(update_fields=["code"])
    return unit


def _ensure_person(email, name, agency, unit, role, platform_admin, password_hash):
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "full_name": name,
            "password": password_hash,
            "is_platform_admin": platform_admin,
            "is_staff": platform_admin,
            "is_superuser": platform_admin,
        },
    )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if agency is not None:
        membership_create(user=user, agency=agency, unit=unit, role=role)
    return user


def seed_people():
    """Three agencies with units, the named demo sign-ins, and about 60 people in all."""
    password_hash = make_password(settings.ACADEMY_DEMO_PASSWORD)
    with transaction.atomic():
        agencies = {spec["slug"]: _ensure_agency(spec) for spec in AGENCIES}
        for email, name, slug, unit_name, role, platform_admin in NAMED_PEOPLE:
            agency = agencies.get(slug)
            unit = Unit.objects.get(agency=agency, name=unit_name) if unit_name else None
            _ensure_person(email, name, agency, unit, role, platform_admin, password_hash)
        for slug, count in PEOPLE_PER_AGENCY.items():
            agency = agencies[slug]
            units = list(Unit.objects.filter(agency=agency).order_by("path"))
            domain = agency.domains.first().domain
            for i in range(count):
                first, last = FIRST[i % len(FIRST)], LAST[(i * 7 + len(slug)) % len(LAST)]
                email = f"{first.lower()}.{last.lower()}{i}@{domain}".replace("é", "e").replace(
                    "í", "i"
                )
                role = Role.MANAGER if i in (3, 9) else Role.TRAINER if i == 5 else Role.LEARNER
                _ensure_person(
                    email,
                    f"{first} {last}",
                    agency,
                    units[i % len(units)],
                    role,
                    False,
                    password_hash,
                )
    return agencies


def seed_bulk_learners(*, agency_slug, count, batch_size=5000):
    """Add `count` learners to an agency, spread over its units, with bulk inserts.

    Emails are numbered (bulk000001@domain), so running it again adds nobody twice.
    """
    agency = Agency.objects.get(slug=agency_slug)
    domain = agency.domains.first().domain
    paths = dict(Unit.objects.filter(agency=agency).values_list("pk", "path"))
    unit_ids = list(paths) or [None]
    password_hash = make_password(settings.ACADEMY_DEMO_PASSWORD)
    created = 0
    for start in range(0, count, batch_size):
        emails = [f"bulk{n:07d}@{domain}" for n in range(start, min(start + batch_size, count))]
        with transaction.atomic():
            existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
            new_users = [
                User(
                    email=e,
                    full_name=f"{FIRST[n % len(FIRST)]} {LAST[n % len(LAST)]}",
                    password=password_hash,
                )
                for n, e in enumerate(emails, start)
                if e not in existing
            ]
            User.objects.bulk_create(new_users, batch_size=batch_size)
            users = list(
                User.objects.filter(email__in=[u.email for u in new_users]).values_list(
                    "pk", "email"
                )
            )
            EmailAddress.objects.bulk_create(
                [EmailAddress(user_id=pk, email=e, verified=True, primary=True) for pk, e in users],
                batch_size=batch_size,
                ignore_conflicts=True,
            )
            memberships = Membership.objects.bulk_create(
                [
                    Membership(
                        user_id=pk,
                        agency=agency,
                        unit_id=unit_ids[pk % len(unit_ids)],
                        role=Role.LEARNER,
                    )
                    for pk, _ in users
                ],
                batch_size=batch_size,
                ignore_conflicts=True,
            )
            # One event per batch keeps the member counts in step (new users: active, never
            # signed in). A membership lost to a conflict is repaired by the nightly check.
            publish(
                MembersJoined(
                    source=JoinSource.BULK,
                    members=tuple(
                        Member(
                            membership_id=m.pk,
                            user_id=m.user_id,
                            agency_id=agency.pk,
                            unit_id=m.unit_id,
                            unit_path=paths.get(m.unit_id, ""),
                            active=True,
                            activated=False,
                        )
                        for m in memberships
                    ),
                )
            )
            created += len(users)
    return created
