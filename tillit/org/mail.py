"""The language an e-mail to someone in an organisation is written in."""

from __future__ import annotations

from tillit.org.models import Organisation, Person


def mail_language(organisation: Organisation, email: str) -> str:
    """The recipient's own choice (their account, else the organisation file), else the
    organisation's language. The one place this rule lives for programme mails."""
    from tillit.core.models import User

    user = User.objects.filter(email__iexact=email).only("language").first()
    if user and user.language:
        return user.language
    person = (
        Person.objects.filter(organisation=organisation, email__iexact=email)
        .only("language")
        .first()
    )
    if person and person.language:
        return person.language
    return organisation.language
