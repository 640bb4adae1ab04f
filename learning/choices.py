"""What the browser sees of a quiz's choices: one opaque value per attempt, question and choice.

Choice keys (`c1`, `c2`, ...) follow the order an author wrote them in, and authors tend to put
the right answer first; a page whose values were those keys would tell a learner which choice
came first. The page carries a keyed hash instead, different in every attempt, and the views
turn the posted values back into choice keys before any service sees them. A value that is not
one of this attempt's (a raw key included) becomes a key no question offers, which the attempt
services refuse.
"""

from django.utils.crypto import salted_hmac

SALT = "academy.learning.choice"
NOT_OFFERED = "not-offered:"


def choice_token(attempt_id: int, question_key: str, choice_key: str) -> str:
    return salted_hmac(SALT, f"{attempt_id}/{question_key}/{choice_key}").hexdigest()[:20]


def offered_tokens(attempt) -> dict[str, dict[str, str]]:
    """{question_key: {token: choice_key}} for the choices drawn in this attempt."""
    return {
        d["question_key"]: {
            choice_token(attempt.pk, d["question_key"], key): key for key in d["choice_keys"]
        }
        for d in attempt.drawn
    }


def choice_keys_from_tokens(attempt, answers: dict | None) -> dict | None:
    """{question_key: [choice_keys]} from what a page posted ({question_key: [tokens]})."""
    if answers is None:
        return None
    offered = offered_tokens(attempt)
    return {
        question: [
            offered.get(question, {}).get(token, NOT_OFFERED + token[:40]) for token in chosen
        ]
        for question, chosen in answers.items()
    }
