from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower, Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, is_platform_admin=True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with their email address; agency and role live on Membership."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_platform_admin = models.BooleanField(
        _("platform admin"),
        default=False,
        help_text=_("Platform admins onboard agencies and see adoption across all of them."),
    )
    # Set once, on the first sign-in (accounts.services.user_first_sign_in); "activated" in the
    # dashboards. Unlike last_login it never moves, so it says when someone first came.
    activated_at = models.DateTimeField(_("first signed in"), null=True, blank=True, editable=False)
    # When the address or the name last changed (accounts.services.user_identity_update sets
    # it); the REST API's people `updated_since` filter reads it with Membership.updated_at.
    # db_default too: rows written with COPY (the benchmarks' generators) get one.
    updated_at = models.DateTimeField(
        _("updated"), default=timezone.now, db_default=Now(), editable=False
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]
        indexes = [
            # The address by id from the index alone (PostgreSQL: an index-only scan, no visit
            # to the row): the REST API's enrollments feed reads 5,000 of them a page
            # (api.selectors.enrollment_feed; docs/performance.md, "Third pass").
            models.Index(fields=["id"], include=["email"], name="user_email_by_id"),
        ]

    def __str__(self):
        return self.full_name or self.email

    @property
    def display_name(self):
        return self.full_name or self.email.split("@")[0]
