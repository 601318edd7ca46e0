"""The language of an organisation's people: their own choice, else the organisation's.

Every e-mail and every page for someone without an own choice goes through here, so a
Danish organisation never gets Swedish defaults.
"""

from django.conf import settings

from tillit.core.languages import own_language
from tillit.core.models import User, normalise_email
from tillit.org.models import Organisation, Person, RoleGrant


def recipient_language(organisation: Organisation, email: str) -> str:
    """The account's language, else the HR file's, else the organisation's."""
    email = normalise_email(email)
    user = User.objects.filter(email=email).only("language").first()
    if language := own_language(user):
        return language
    person = Person.objects.filter(organisation=organisation, email=email).only("language").first()
    return (person and person.language) or organisation.language or settings.LANGUAGE_CODE


def organisation_language_for_email(email: str) -> str:
    """For core's mails (password reset): the HR file's language, else the first
    organisation's the address belongs to; "" when it belongs to none."""
    person = (
        Person.objects.filter(email=normalise_email(email))
        .select_related("organisation")
        .order_by("-active", "pk")
        .first()
    )
    if person is not None:
        return person.language or person.organisation.language
    grants = RoleGrant.objects.filter(email=normalise_email(email)).select_related("organisation")
    first = grants.order_by("pk").first()
    return first.organisation.language if first else ""
