"""Login by e-mail, throttling, password reset and the invitation link."""

import re

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.conftest import PASSWORD, make_user
from tillit.core.models import User


def post_login(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_login_with_email_in_any_case(client, admin_user):
    response = post_login(client, "ADMIN@Testby.se ", PASSWORD)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(admin_user.pk)


def test_a_password_login_is_in_the_audit_log_of_each_organisation_of_the_account(
    client, admin_user, other_org
):
    """Each organisation sees who entered with access to it; a refused attempt and another
    organisation's account leave nothing in it."""
    from tillit.audit.models import AuditEntry
    from tillit.org.models import RoleGrant

    RoleGrant.objects.create(
        organisation=other_org, email="admin@testby.se", role=RoleGrant.Role.MED
    )
    assert post_login(client, "admin@testby.se", "wrong-password").status_code == 200
    assert not AuditEntry.objects.exists()
    assert post_login(client, "admin@testby.se", PASSWORD).status_code == 302
    entries = AuditEntry.objects.filter(kind=AuditEntry.Kind.LOGIN_PASSWORD)
    assert sorted(e.organisation.slug for e in entries) == ["annanstad", "testby"]
    assert {(e.actor, e.actor_email) for e in entries} == {(admin_user, "admin@testby.se")}
    page = client.get(reverse("records:audit", args=["testby"]), {"kind": "login_password"})
    assert "Logged in with a password" in page.content.decode()  # the process owner's page
    make_user("drift@tillit.example", is_staff=True)  # an operator: in no organisation
    client.logout()
    assert post_login(client, "drift@tillit.example", PASSWORD).status_code == 302
    assert AuditEntry.objects.count() == 2


def test_wrong_password_is_refused_without_saying_which_part(client, admin_user):
    response = post_login(client, "admin@testby.se", "wrong-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].has_error("__all__", code="invalid_login")


def test_login_is_throttled_after_repeated_failures(client, admin_user, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    for _ in range(3):
        post_login(client, "admin@testby.se", "wrong-password")
    # Even the right password is refused while the address is throttled.
    response = post_login(client, "admin@testby.se", PASSWORD)
    assert "_auth_user_id" not in client.session
    assert response.context["form"].has_error("__all__", code="throttled")


def test_one_accounts_failures_do_not_lock_out_others_behind_the_same_address(
    client, admin_user, settings
):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    for _ in range(5):
        post_login(client, "someone.else@testby.se", "x")
    response = post_login(client, "admin@testby.se", PASSWORD)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(admin_user.pk)


def test_the_address_has_a_higher_ceiling_over_all_accounts(client, admin_user, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    settings.LOGIN_THROTTLE_ADDRESS_ATTEMPTS = 6
    for n in range(6):
        post_login(client, f"nobody{n}@testby.se", "x")
    response = post_login(client, "admin@testby.se", PASSWORD)
    assert response.context["form"].has_error("__all__", code="throttled")


def test_success_clears_failures(client, admin_user, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    for _ in range(2):
        post_login(client, "admin@testby.se", "wrong-password")
    post_login(client, "admin@testby.se", PASSWORD)
    client.logout()
    for _ in range(2):
        post_login(client, "admin@testby.se", "wrong-password")
    post_login(client, "admin@testby.se", PASSWORD)
    assert client.session.get("_auth_user_id") == str(admin_user.pk)


@pytest.mark.real_password_hashing
def test_passwords_are_hashed_with_argon2(admin_user):
    assert identify_hasher(admin_user.password).algorithm == "argon2"


def test_inactive_user_cannot_log_in(client, admin_user):
    admin_user.is_active = False
    admin_user.save()
    post_login(client, "admin@testby.se", PASSWORD)
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client, admin_user, mailoutbox):
    client.post(reverse("password_reset"), {"email": "admin@testby.se"})
    assert len(mailoutbox) == 1
    link = re.search(r"https?://[^/]+(/password/reset/\S+/)", mailoutbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    new = "a-brand-new-password-77"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert User.objects.get(pk=admin_user.pk).check_password(new)
    # The link works once.
    assert not client.get(link, follow=True).context["validlink"]


def test_password_reset_for_unknown_address_sends_nothing(client, db, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@testby.se"})
    assert response.status_code == 302  # same answer as for a known address
    assert mailoutbox == []


def test_invitation_link_sets_a_first_password(client, db):
    user = User.objects.create_user("new@testby.se")
    assert not user.has_usable_password()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    page = client.get(reverse("invitation_accept", args=[uid, token]), follow=True)
    assert page.context["validlink"]
    new = "first-password-for-me-42"
    client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert post_login(client, "new@testby.se", new).status_code == 302


def test_weak_password_is_refused(client, db):
    user = make_user("weak@testby.se")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    page = client.get(reverse("invitation_accept", args=[uid, token]), follow=True)
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": "12345", "new_password2": "12345"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


@pytest.mark.parametrize("path", ["/", "/o/testby/"])
def test_pages_need_login(client, org, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
