"""What credentials adds to learning's certificate page and public verification page
(learning.registries). Neither costs a query: the downloads issue the credential if the
worker has not yet."""

from urllib.parse import urlencode

from django.urls import reverse

from .forms import VerifyForm


def linkedin_add_url(*, certificate, share_url: str) -> str:
    """LinkedIn's "Add licence or certification" form, filled in (a plain link: nothing is sent
    to LinkedIn until the person submits its form)."""
    query = urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": certificate.course_title,
            "organizationName": "Academy",
            "issueYear": certificate.issued_at.year,
            "issueMonth": certificate.issued_at.month,
            "certUrl": share_url,
            "certId": certificate.code,
        }
    )
    return f"https://www.linkedin.com/profile/add?{query}"


def for_learner(request, certificate) -> dict:
    share_url = request.build_absolute_uri(reverse("learning:verify", args=[certificate.code]))
    return {
        "certificate": certificate,
        "share_url": share_url,
        "linkedin_url": linkedin_add_url(certificate=certificate, share_url=share_url),
    }


def for_verifier(request, certificate) -> dict:
    return {"form": VerifyForm(auto_id="credential-%s")}
