"""French wording stays consistent: "courriel", never "e-mail", on Academy's own strings and on
the allauth pages and messages Academy shows."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from academy.allauth_strings import ALLAUTH_STRINGS

PO = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
E_MAIL = re.compile(r"(?i)\be-?mails?\b|\bmél\b")


def _msgstrs(text):
    for block in text.split("\n\n"):
        if re.search(r'^msgid ""\nmsgstr ""\n"Project-Id-Version', block, re.M):
            continue  # the catalogue's header
        strings = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n", re.M)
        yield "".join(re.findall(r'"(.*)"', "".join(strings)))


# French typography: a no-break space (U+00A0 or U+202F) before : ; ? ! » and after «.
PLAIN_SPACE_AROUND_PUNCTUATION = re.compile(r" [:;?!»]|« ")


def test_french_punctuation_takes_a_no_break_space():
    offending = [
        s
        for s in _msgstrs(PO.read_text(encoding="utf-8"))
        if PLAIN_SPACE_AROUND_PUNCTUATION.search(re.sub(r"https?://\S+", "", s))
    ]
    assert offending == []


def test_no_french_translation_says_e_mail():
    offending = [s for s in _msgstrs(PO.read_text(encoding="utf-8")) if E_MAIL.search(s)]
    # Placeholders such as %(email)s and {email} are names, not words.
    offending = [s for s in offending if E_MAIL.search(re.sub(r"%\(\w+\)s|\{\w+\}|mailto:", "", s))]
    assert offending == []


def test_allauth_strings_academy_overrides_read_courriel():
    with translation.override("fr"):
        for msgid in ALLAUTH_STRINGS:
            text = str(msgid)
            assert not E_MAIL.search(
                re.sub(r"%\(\w+\)s|\{\w+\}|mailto:", "", translation.gettext(text))
            )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
)
def test_account_pages_in_french_say_courriel(client, url):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    content = client.get(url).content.decode()
    visible = re.sub(r"<[^>]+>", " ", content)
    assert "courriel" in visible.lower()
    assert not E_MAIL.search(visible), E_MAIL.findall(visible)


@pytest.mark.django_db
def test_email_management_page_in_french_says_courriel(world, client_for, settings):
    client = client_for(world.a_learner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    content = client.get("/accounts/email/").content.decode()
    visible = re.sub(r"<[^>]+>", " ", content)
    assert not E_MAIL.search(visible), E_MAIL.findall(visible)
