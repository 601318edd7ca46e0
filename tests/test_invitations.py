"""Invitations: a role or a button gives a person an account and a link to choose a password."""

import re

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD, make_user
from tillit.core.models import User
from tillit.org.models import Person, RoleGrant
from tillit.org.roles import Outcome, do_grant_role, do_invite

NEW_PASSWORD = "a-brand-new-password-77"


def link_in(message) -> str:
    match = re.search(r"http://testserver(/invitation/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://testserver"


def test_granting_a_role_to_a_new_address_creates_an_account_and_invites(
    client, org, units, admin_user, mailoutbox
):
    client.force_login(admin_user)
    client.post(reverse("org:roles", args=[org.slug]), {"email": "ny@testby.se", "role": "admin"})
    user = User.objects.get(email="ny@testby.se")
    assert not user.has_usable_password()
    assert user.language == ""  # no own choice: follows the organisation's language
    [message] = mailoutbox
    assert message.to == ["ny@testby.se"]
    assert message.subject == "Inbjudan till Tillit – Testby kommun"
    assert message.extra_headers["Content-Language"] == "sv"
    assert "Ada Admin" in message.body
    assert link_in(message)


def test_the_invitation_is_in_the_persons_language(client, org, units, admin_user, mailoutbox):
    Person.objects.create(
        organisation=org,
        email="dansk@testby.se",
        name="Dorte Dansk",
        unit=units["BUF"],
        language="da",
    )
    client.force_login(admin_user)
    client.post(
        reverse("org:roles", args=[org.slug]),
        {"email": "dansk@testby.se", "role": "med", "unit": units["BUF"].pk},
    )
    user = User.objects.get(email="dansk@testby.se")
    assert (user.name, user.language) == ("Dorte Dansk", "da")
    [message] = mailoutbox
    assert message.subject == "Invitation til Tillit – Testby kommun"
    assert message.extra_headers["Content-Language"] == "da"


def test_the_invitation_link_sets_a_password_once(client, org, units, admin_user, mailoutbox):
    client.force_login(admin_user)
    client.post(reverse("org:roles", args=[org.slug]), {"email": "ny@testby.se", "role": "admin"})
    link = link_in(mailoutbox[0])
    client.logout()

    page = client.get(link, follow=True)
    assert page.context["validlink"]
    form_url = page.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    login = client.post(reverse("login"), {"username": "ny@testby.se", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert "_auth_user_id" in client.session
    client.logout()

    # The token was bound to the old (unusable) password: the same link is dead now.
    again = client.get(link, follow=True)
    assert not again.context["validlink"]
    assert User.objects.get(email="ny@testby.se").check_password(NEW_PASSWORD)


def test_a_person_who_already_logs_in_gets_a_notice_not_an_invitation(
    client, org, units, admin_user, employee_user, mailoutbox
):
    client.force_login(admin_user)
    client.post(
        reverse("org:roles", args=[org.slug]),
        {"email": "anna@testby.se", "role": "med", "unit": units["HEM"].pk},
    )
    [message] = mailoutbox
    assert "/invitation/" not in message.body
    assert "http://testserver/login/" in message.body
    assert "Hemtjänst Norr" in message.body
    assert User.objects.get(email="anna@testby.se").check_password(PASSWORD)


def test_invite_button_for_a_person_without_account(client, org, units, admin_user, mailoutbox):
    bo = Person.objects.create(
        organisation=org, email="bo@testby.se", name="Bo Ek", unit=units["HEM"], language="nb"
    )
    client.force_login(admin_user)
    people = client.get(reverse("org:people", args=[org.slug])).content.decode()
    invite_url = reverse("org:person_invite", args=[org.slug, bo.pk])
    assert invite_url in people
    assert client.get(invite_url).status_code == 405
    assert client.post(invite_url).status_code == 302
    [message] = mailoutbox
    assert message.subject == "Invitasjon til Tillit – Testby kommun"
    # Asked again before the first was used: a fresh link, same account.
    client.post(invite_url)
    assert len(mailoutbox) == 2
    assert User.objects.filter(email="bo@testby.se").count() == 1
    assert link_in(mailoutbox[1])


def test_no_invitation_for_someone_who_already_logs_in(org, units, employee_user, mailoutbox):
    assert do_invite(org, "anna@testby.se") is Outcome.NOTHING
    assert mailoutbox == []
    people_page_user = User.objects.get(email="anna@testby.se")
    assert people_page_user.has_usable_password()


def test_a_deactivated_account_is_not_invited(org, units, mailoutbox):
    make_user("old@testby.se", is_active=False)
    _grant, outcome = do_grant_role(org, "old@testby.se", RoleGrant.Role.ADMIN)
    assert outcome is Outcome.NOTHING
    assert mailoutbox == []


def test_an_existing_account_in_another_organisation_keeps_its_password(
    org, other_org, outsider_user, mailoutbox
):
    _grant, outcome = do_grant_role(org, "admin@annanstad.se", RoleGrant.Role.ADMIN)
    assert outcome is Outcome.NOTIFIED
    assert User.objects.get(email="admin@annanstad.se").check_password(PASSWORD)


def test_an_inactive_person_is_not_invited(client, org, units, admin_user, mailoutbox):
    gone = Person.objects.create(
        organisation=org, email="gone@testby.se", name="Gone", unit=units["HEM"], active=False
    )
    client.force_login(admin_user)
    client.post(reverse("org:person_invite", args=[org.slug, gone.pk]))
    assert mailoutbox == []
    assert not User.objects.filter(email="gone@testby.se").exists()
