"""Granting and revoking roles, and inviting people to log in.

Roles are keyed by e-mail (see `RoleGrant`), so a role can be granted before an account
exists. When it is, the person gets an account without a password and an invitation
e-mail with a signed link to choose one; a person who already logs in gets a short notice
instead, so nobody's rights change without them hearing of it.
"""

import enum

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from tillit import audit
from tillit.audit.log import Kind
from tillit.core.models import User, normalise_email
from tillit.org.languages import recipient_language
from tillit.org.models import Organisation, Person, RoleGrant, Unit


class RoleError(ValueError):
    """A role change that is not allowed (such as removing the last admin)."""


class Outcome(enum.Enum):
    """What `do_invite` did."""

    INVITED = "invited"  # an invitation with a link to choose a password was sent
    NOTIFIED = "notified"  # the person already logs in and got a notice
    NOTHING = "nothing"  # the person already logs in (or is deactivated); no mail


def do_grant_role(
    organisation: Organisation,
    email: str,
    role: str,
    unit: Unit | None = None,
    *,
    by: User | None = None,
) -> tuple[RoleGrant, Outcome]:
    """Grant a role to an e-mail address, then invite or notify the person."""
    email = normalise_email(email)
    if role == RoleGrant.Role.MED and unit is None:
        raise RoleError(_("A MED representative must be attached to a unit."))
    if role == RoleGrant.Role.ADMIN:
        unit = None
    if unit is not None and unit.organisation_id != organisation.pk:
        raise RoleError(_("The unit belongs to another organisation."))
    if RoleGrant.objects.filter(
        organisation=organisation, email=email, role=role, unit=unit
    ).exists():
        raise RoleError(_("%(email)s already has this role.") % {"email": email})
    with transaction.atomic():
        grant = RoleGrant.objects.create(
            organisation=organisation, email=email, role=role, unit=unit, granted_by=by
        )
        audit.record(Kind.ROLE_GRANTED, organisation, by, email=email, role=role, unit=unit)
    # Mail after the commit: a failed send must not undo the grant (it can be re-sent
    # from the people page).
    return grant, do_invite(organisation, email, by=by, grant=grant)


def do_revoke_role(grant: RoleGrant, *, by: User | None = None) -> None:
    """Remove a grant; the last admin of an organisation cannot be removed."""
    with transaction.atomic():
        if grant.role == RoleGrant.Role.ADMIN:
            # Lock the organisation's admin grants, so two admins removing each other at
            # the same moment cannot leave the organisation without one.
            admins = list(
                RoleGrant.objects.select_for_update()
                .filter(organisation_id=grant.organisation_id, role=RoleGrant.Role.ADMIN)
                .values_list("pk", flat=True)
            )
            if admins == [grant.pk]:
                raise RoleError(
                    _(
                        "%(email)s is the last admin of the organisation. Grant the role "
                        "to someone else first."
                    )
                    % {"email": grant.email}
                )
        grant.delete()
        audit.record(
            Kind.ROLE_REVOKED,
            grant.organisation_id,
            by,
            email=grant.email,
            role=grant.role,
            unit=grant.unit,
        )


def do_invite(
    organisation: Organisation,
    email: str,
    *,
    by: User | None = None,
    grant: RoleGrant | None = None,
) -> Outcome:
    """Make sure the person can log in: create the account and send an invitation if needed.

    An account that has never chosen a password gets a fresh invitation. An active account
    gets a notice when `grant` says what changed, otherwise nothing.
    """
    email = normalise_email(email)
    person = Person.objects.filter(organisation=organisation, email=email).first()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            name=person.name if person else "",
            # Only a real choice: without one the person follows the organisation's language.
            language=person.language if person else "",
        )
    if not user.is_active:
        return Outcome.NOTHING
    if not user.has_usable_password():
        send_invitation(user, organisation, inviter=by)
        return Outcome.INVITED
    if grant is not None:
        send_role_notice(user, grant, inviter=by)
        return Outcome.NOTIFIED
    return Outcome.NOTHING


def invitation_link(user: User) -> str:
    """The signed link with which an invited user chooses a first password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("invitation_accept", args=[uid, token])


def _language(user: User, organisation: Organisation) -> str:
    return recipient_language(organisation, user.email)


def _inviter(by: User | None, organisation: Organisation) -> str:
    return str(by) if by is not None else organisation.name


def _send(user: User, language: str, subject: str, body: str) -> None:
    message = EmailMessage(
        subject=" ".join(subject.split()),  # a header must be one line
        body=body,
        to=[user.email],
        headers={"Content-Language": language},
    )
    message.send()


def send_invitation(user: User, organisation: Organisation, *, inviter: User | None) -> None:
    """Send the invitation e-mail in the invitee's language."""
    language = _language(user, organisation)
    with translation.override(language):
        context = {
            "organisation": organisation,
            "inviter": _inviter(inviter, organisation),
            "link": invitation_link(user),
        }
        subject = render_to_string("registration/invitation_subject.txt", context)
        body = render_to_string("registration/invitation_email.txt", context)
    _send(user, language, subject, body)


def send_role_notice(user: User, grant: RoleGrant, *, inviter: User | None) -> None:
    """Tell a person who already logs in that they were given a role, in their language."""
    organisation = grant.organisation
    language = _language(user, organisation)
    with translation.override(language):
        role = grant.get_role_display()
        if grant.unit is not None:
            role = f"{role} ({grant.unit.name})"
        context = {
            "organisation": organisation,
            "inviter": _inviter(inviter, organisation),
            "role": role,
            "link": settings.SITE_URL.rstrip("/") + reverse("login"),
        }
        subject = render_to_string("org/role_notice_subject.txt", context)
        body = render_to_string("org/role_notice_email.txt", context)
    _send(user, language, subject, body)
