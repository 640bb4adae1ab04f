"""Extension points of accounts, filled by downstream apps from their AppConfig.ready().

`password_sign_in_refusals`: callables taking an email address and answering a message when a
password may not be used for it (the agency signs in through its identity provider only), or
None. The sign-in form asks them once the password is right (so the answer says nothing about
whether an account exists), and the sign-up form before an account is made.
"""

from collections.abc import Callable

from academy.registry import Registry

password_sign_in_refusals: Registry[Callable[[str], str | None]] = Registry(
    "password_sign_in_refusals"
)


def password_refused_for(email: str) -> str | None:
    for check in password_sign_in_refusals.values():
        message = check(email)
        if message:
            return message
    return None
