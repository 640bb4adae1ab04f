"""Asking for 'Every agency' in the studio, and the platform admins' review page."""

from django.urls import reverse

from agencies.models import AuditEvent
from courses.models import Visibility, VisibilityRequest


def _ask(client, course):
    form = client.get(reverse("studio:course_edit", args=[course.pk])).context["form"]
    return client.post(
        reverse("studio:course_edit", args=[course.pk]),
        {**form.initial, "shared_with": [], "visibility": "all"},
        follow=True,
    )


def test_trainer_choosing_every_agency_is_told_it_waits_for_approval(world, course_a, client_for):
    client = client_for(world.a_trainer)
    page = _ask(client, course_a).content.decode()
    assert "needs a platform admin&#x27;s approval: your request was sent" in page
    course_a.refresh_from_db()
    assert course_a.visibility == Visibility.OWNER
    settings_page = client.get(reverse("studio:course_edit", args=[course_a.pk]))
    assert "is waiting for a platform admin" in settings_page.content.decode()


def test_platform_admin_reaches_the_requests_by_link_and_approves(
    world, course_a, client_for, django_assert_num_queries
):
    _ask(client_for(world.a_trainer), course_a)
    client = client_for(world.platform_admin)
    home = client.get("/").content.decode()
    url = reverse("studio:visibility_requests")
    assert f'href="{url}"' in home
    # The user and the pending requests with course, owner and asker: the session and the
    # actor's membership come from the cache since the home page, and the session is renewed
    # at most once a minute.
    with django_assert_num_queries(2):
        page = client.get(url)
    assert course_a.title in page.content.decode() and "trainer@a.gov" in page.content.decode()
    request = VisibilityRequest.objects.get()
    response = client.post(
        reverse("studio:visibility_request_decide", args=[request.pk]),
        {"decision": "approve"},
        follow=True,
    )
    assert "is now shown to every agency" in response.content.decode()
    course_a.refresh_from_db()
    assert course_a.visibility == Visibility.ALL
    assert AuditEvent.objects.filter(
        action="course.visibility_approve", actor=world.platform_admin
    ).exists()
    assert "No requests are waiting." in client.get(url).content.decode()


def test_platform_admin_rejects(world, course_a, client_for):
    _ask(client_for(world.a_trainer), course_a)
    request = VisibilityRequest.objects.get()
    client_for(world.platform_admin).post(
        reverse("studio:visibility_request_decide", args=[request.pk]), {"decision": "reject"}
    )
    course_a.refresh_from_db()
    assert course_a.visibility == Visibility.OWNER
    assert VisibilityRequest.objects.get().state == "rejected"


def test_only_platform_admins_see_or_decide_requests(world, course_a, client_for):
    _ask(client_for(world.a_trainer), course_a)
    request = VisibilityRequest.objects.get()
    decide = reverse("studio:visibility_request_decide", args=[request.pk])
    for user in (world.a_trainer, world.a_admin, world.b_admin, world.a_learner):
        client = client_for(user)
        assert client.get(reverse("studio:visibility_requests")).status_code == 404
        assert client.post(decide, {"decision": "approve"}).status_code == 404
        assert 'href="/studio/sharing-requests/"' not in client.get("/").content.decode()
    course_a.refresh_from_db()
    assert course_a.visibility == Visibility.OWNER
