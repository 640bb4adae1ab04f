from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from agencies.services import membership_join_on_signup


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user.full_name = form.cleaned_data.get("full_name", "")
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            if commit:
                membership_join_on_signup(user=user)
        return user
