"""A people manager's page about one person (reached from the People and overdue lists)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .access import access_person
from .selectors.person import person_overview


@login_required
@require_GET
def person(request, user_id):
    return render(
        request, "reports/person.html", person_overview(access_person(request.user, user_id))
    )
