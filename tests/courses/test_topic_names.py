"""Topic names (catalog tags) are shown in the visitor's language."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.utils import translation

from courses.models import Topic
from courses.topic_names import STARTER_TOPIC_NAMES
from tests.builders import build_course

TOPICS_FILE = Path(settings.BASE_DIR) / "content" / "topics.yaml"


def test_every_starter_topic_is_marked_for_translation_and_translated_to_french():
    names = [str(name) for name in yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8")).values()]
    assert sorted(names) == sorted(STARTER_TOPIC_NAMES)
    with translation.override("fr"):
        untranslated = [name for name in names if translation.gettext(name) == name]
    assert untranslated == []


@pytest.mark.django_db
def test_catalog_and_course_page_show_topic_names_in_french(world, client_for):
    course = build_course(world.a_trainer, world.a, slug="tagged", title="Tagged", publish=True)
    topic, _ = Topic.objects.get_or_create(
        slug="plain-language", defaults={"name": "Plain language"}
    )
    course.current_version.topics.add(topic)
    client = client_for(world.a_learner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    catalog = client.get("/courses/").content.decode()
    detail = client.get("/courses/tagged/").content.decode()
    assert "Langage clair" in catalog and "Plain language" not in catalog
    assert "Langage clair" in detail


@pytest.mark.django_db
def test_a_topic_name_nobody_translated_is_shown_as_written(world, client_for):
    course = build_course(world.a_trainer, world.a, slug="local", title="Local", publish=True)
    topic = Topic.objects.create(slug="field-ops", name="Field operations")
    course.current_version.topics.add(topic)
    client = client_for(world.a_learner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "Field operations" in client.get("/courses/").content.decode()
