"""The HTTP side of delivery: one `POST {endpoint}/statements` with a list (stdlib only)."""

import base64
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Answer:
    """What the LRS answered: an HTTP status (0 when it could not be reached) and a reason."""

    status: int
    reason: str = ""

    @property
    def stored(self) -> bool:
        # 200: stored (ids in the body); 204: nothing new; 409: those ids are stored already.
        return self.status in (200, 204, 409)

    @property
    def refused(self) -> bool:
        """The LRS read the request and refused its content (not its credentials)."""
        return 400 <= self.status < 500 and self.status not in (401, 403, 404, 407, 408, 429)


def post_statements(*, endpoint: str, key: str, secret: str, version: str, bodies: list[str]):
    """POST the frozen statement bodies as one JSON list; never raises for HTTP or network."""
    url = endpoint.rstrip("/") + "/statements"
    payload = ("[" + ",".join(bodies) + "]").encode()
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    request = urllib.request.Request(
        url,
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Experience-API-Version": version,
            "Authorization": f"Basic {token}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.XAPI_TIMEOUT_SECONDS) as response:  # noqa: S310 (http(s) only: the form allows no other scheme)
            return Answer(response.status)
    except urllib.error.HTTPError as error:
        try:
            text = error.read(400).decode("utf-8", "replace")
        except OSError:
            text = ""
        return Answer(error.code, f"HTTP {error.code}: {text}".strip()[:480])
    except (OSError, ValueError) as error:  # refused, reset, timeout, DNS
        return Answer(0, f"{type(error).__name__}: {error}"[:480])
