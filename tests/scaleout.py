"""The data of the two-instance test (tests/test_scale_out.py), made in its own database.

Run as `python -m tests.scaleout N` with DATABASE_URL set: an organisation with a process owner,
an open HME campaign with N personal links and an open workshop; prints them as JSON.
"""

import json
import sys


def prepare(links: int) -> dict:
    """Make the organisation, campaign and workshop; what the test needs to reach them."""
    import django

    django.setup()
    from django.utils import timezone

    from tillit.core.models import User
    from tillit.instruments.shipped import install_shipped
    from tillit.org.models import Organisation, RoleGrant, Unit
    from tillit.programmes import actions as programme_actions
    from tillit.programmes.loading import install_shipped_templates
    from tillit.programmes.models import ProgrammeStep, ProgrammeTemplate
    from tillit.surveys.models import (
        Campaign,
        CampaignInstrument,
        Invitation,
        hash_token,
        new_token,
    )
    from tillit.surveys.signals import campaign_launched
    from tillit.workshop import actions as workshop_actions

    hme = {v.instrument.slug: v for v, _new in install_shipped()}["hme"]
    organisation = Organisation.objects.create(slug="twoby", name="Twoby kommun")
    root = Unit.objects.create(organisation=organisation, external_id="K", name="Twoby kommun")
    units = [
        Unit.objects.create(
            organisation=organisation, external_id=f"E{i}", name=f"Enhet {i}", parent=root
        )
        for i in range(4)
    ]
    email, password = "ada@twoby.se", "correct-horse-battery-9"
    RoleGrant.objects.create(organisation=organisation, email=email, role=RoleGrant.Role.ADMIN)
    user = User.objects.create_user(email, password, name="Ada Admin")
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        organisation=organisation,
        name="Pulsen",
        target_unit=root,
        opens_on=today,
        closes_on=today + timezone.timedelta(days=7),
        status=Campaign.Status.OPEN,
    )
    CampaignInstrument.objects.create(campaign=campaign, version=hme)
    tokens = [new_token() for _ in range(links)]
    Invitation.objects.bulk_create(
        Invitation(campaign=campaign, unit=units[i % len(units)], token_hash=hash_token(token))
        for i, token in enumerate(tokens)
    )
    # Opened as the demo opens one: the setup is frozen as a launch freezes it.
    campaign_launched.send(sender=None, campaign=campaign)
    install_shipped_templates()
    programme = programme_actions.do_start_programme(
        organisation=organisation,
        template_version=ProgrammeTemplate.objects.get(slug="samskabt-styring").latest(),
        title="Belastning",
        language="sv",
        units=[root],
        created_by=user,
    )
    step = ProgrammeStep.objects.get(programme=programme, step_id="challenges")
    session = workshop_actions.do_start_session(step, user)
    return {
        "org": organisation.slug,
        "campaign": campaign.pk,
        "email": email,
        "password": password,
        "tokens": tokens,
        "workshop": session.code,
        "session": session.pk,
    }


if __name__ == "__main__":
    print(json.dumps(prepare(int(sys.argv[1]))))
