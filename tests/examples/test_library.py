"""The library's workflows: collecting, curating with versions, consent, sharing, adoption
and its follow-up, the booklet, and bad input."""

import io
import subprocess

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from tests.conftest import make_user
from tests.examples.conftest import VALUES, publish
from tillit.examples import actions, booklet
from tillit.examples.models import Adoption, Contact, GoodExample
from tillit.org.models import RoleGrant, Unit
from tillit.programmes import actions as programme_actions

pytestmark = pytest.mark.django_db


def url(name, org, *args):
    return reverse(f"examples:{name}", args=[org.slug, *args])


def test_a_goda_exempel_programmes_story_becomes_a_draft_with_its_lessons(goda_programme):
    drafts = actions.do_draft_from_programme(goda_programme, None)
    assert [d.title for d in drafts] == ["Hemtjänsten som slutade jaga minuter"]
    draft = drafts[0]
    assert draft.status == "draft"
    assert draft.story == "Vi planerar besöken själva."
    # Only the seed's areas become inventory answers; "the method" stays in the programme.
    assert draft.inventory == [
        {"area": "leadership", "question": "Hur ger ni återkoppling?", "answer": "Varje vecka."}
    ]
    assert draft.area_list() == ["leadership"]
    assert [u.external_id for u in draft.units.all()] == ["HEM"]
    assert actions.do_draft_from_programme(goda_programme, None) == []  # no second draft


def test_curating_keeps_every_published_version(org, units, curator_user, team_manager_user):
    draft = actions.do_create_example(org, VALUES, [units["HEM"]], team_manager_user)
    with pytest.raises(actions.NotAllowed):
        actions.do_publish(draft, curator_user)  # nobody reviewed it
    actions.do_submit_for_review(draft)
    actions.do_return_to_author(draft, "Vad blev resultatet?", curator_user)
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.comments.get().text == "Vad blev resultatet?"
    actions.do_submit_for_review(draft)
    actions.do_publish(draft, curator_user)
    actions.do_reopen(draft)
    actions.do_update_example(draft, {"title": "Tre mål räcker"}, None, team_manager_user)
    actions.do_submit_for_review(draft)
    actions.do_publish(draft, curator_user)
    draft.refresh_from_db()
    assert draft.version == 2
    titles = [v.data["title"] for v in draft.versions.order_by("number")]
    assert titles == ["Färre mål i hemtjänsten", "Tre mål räcker"]


def test_proposing_a_programmes_experiment_points_to_its_measurements(org, units, goda_programme):
    experiment = programme_actions.do_create_artefact(
        goda_programme,
        "follow-up",
        "action",
        {
            "title": "Bocka av vid rutinbesök",
            "owner_email": "chef.hem@testby.se",
            "due_date": "2026-06-01",
            "status": "doing",
        },
        None,
        unit=units["HEM"],
    )
    programme_actions.do_add_measurement(experiment, "Minuter per dag", "39", "27", "min", None)
    example = actions.do_propose_from_artefact(experiment, None)
    assert list(example.artefacts.all()) == [experiment]
    from tillit.examples.evidence import evidence_for

    rows = evidence_for(example).measurements
    assert rows == [
        {
            "artefact": "Bocka av vid rutinbesök",
            "label": "Minuter per dag",
            "before": "39",
            "after": "27",
            "unit": "min",
        }
    ]


def test_the_short_form_names_what_is_wrong_and_saves_nothing(client, org, team_manager_user):
    client.force_login(team_manager_user)
    response = client.post(url("new", org), {"title": "", "problem": "x", "units": ["999999"]})
    assert response.status_code == 200
    text = response.content.decode()
    assert "This field is required." in text
    assert "Select a valid choice. 999999 is not one of the available choices." in text
    assert not GoodExample.objects.exists()


def test_a_copy_must_name_its_origin(client, org, units, curator_user, example):
    client.force_login(curator_user)
    actions.do_reopen(example)
    data = {
        "title": "x",
        "problem": "y",
        "what_changed": "z",
        "units": [units["HEM"].pk],
        "kind": "copy",
        "language": "sv",
    }
    response = client.post(url("edit", org, example.pk), data)
    assert "Name the example it was adapted or copied from." in response.content.decode()
    example.refresh_from_db()
    assert example.title == VALUES["title"]


def test_a_manager_proposes_through_the_short_form(client, org, units, team_manager_user):
    client.force_login(team_manager_user)
    response = client.post(
        url("new", org),
        {
            "title": "Morgonmöte",
            "problem": "Info nådde inte alla.",
            "what_changed": "Femton minuter varje morgon.",
            "units": [units["HEM"].pk],
            "areas": ["work_organisation"],
        },
    )
    example = GoodExample.objects.get()
    assert response.status_code == 302
    assert (example.status, example.author, example.areas) == (
        "draft",
        team_manager_user,
        ",work_organisation,",
    )


def _pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_withdrawn_consent_removes_the_name_everywhere(
    client, org, units, curator_user, team_manager_user, example
):
    client.force_login(curator_user)
    pages = (url("detail", org, example.pk), url("version", org, example.pk, 1))
    assert all("Hugo Chef" in client.get(p).content.decode() for p in pages)
    assert "Hugo Chef" in _pdf_text(booklet.booklet_pdf([example], org, "sv"))
    contact = Contact.objects.get()
    # The named person withdraws it themself.
    client.force_login(team_manager_user)  # Hugo, the contact
    response = client.post(url("withdraw", org, example.pk, contact.pk))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.email, contact.consented) == ("", "", False)
    client.force_login(curator_user)
    for page in pages:
        text = client.get(page).content.decode()
        assert "Hugo Chef" not in text and "chef.hem@testby.se" not in text
        assert "Hemtjänst Norr" in text  # the unit only
    assert "Hugo Chef" not in str(example.versions.get().data)
    pdf = _pdf_text(booklet.booklet_pdf([example], org, "sv"))
    docx = _docx_text(booklet.booklet_docx([example], org, "da"))
    for text in (pdf, docx):
        assert "Hugo Chef" not in text and "Hemtjänst Norr" in text
    assert "Gode eksempler" in docx  # the reader's language


def test_a_contact_without_consent_is_never_named(org, units, example):
    actions.do_add_contact(example, units["HEM"], "Nils Nej", "", "", consent=False)
    assert "Nils Nej" not in _docx_text(booklet.booklet_docx([example], org, "sv"))


def test_sharing_shows_nothing_to_another_organisation_until_opted_in(
    client, org, other_org, outsider_user, admin_user, example
):
    client.force_login(outsider_user)
    library, detail = url("library", other_org), url("detail", other_org, example.pk)
    assert example.title not in client.get(library).content.decode()
    assert example.title not in client.get(library, {"q": "mål"}).content.decode()
    assert example.title not in client.get(url("shared", other_org)).content.decode()
    assert client.get(detail).status_code == 404
    # Only the process owner shares.
    client.force_login(admin_user)
    assert client.post(url("step", org, example.pk, "share")).status_code == 302
    client.force_login(outsider_user)
    assert example.title in client.get(library, {"q": "mål"}).content.decode()
    assert example.title in client.get(url("shared", other_org)).content.decode()
    page = client.get(detail).content.decode()
    assert "Hugo Chef" in page  # consented
    # Stopping the share hides it again; a draft is never shared.
    actions.do_set_shared(example, False)
    assert client.get(detail).status_code == 404
    draft = actions.do_create_example(org, VALUES, [example.units.get()], None)
    with pytest.raises(actions.NotAllowed):
        actions.do_set_shared(draft, True)


def test_a_consultant_sees_both_libraries_and_their_shared_examples(
    client, org, other_org, example
):
    for organisation in (org, other_org):
        RoleGrant.objects.create(organisation=organisation, email="konsult@x.se", role="admin")
    consultant = make_user("konsult@x.se")
    actions.do_set_shared(example, True)
    client.force_login(consultant)
    shared = client.get(url("shared", other_org)).content.decode()
    assert example.title in shared and "Testby kommun" in shared
    assert example.title in client.get(url("library", org)).content.decode()


def test_adoption_follow_up_asks_the_manager_and_moves_the_stage(
    client, org, units, manager_user, team_manager_user, example, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    other = Unit.objects.create(
        organisation=org,
        external_id="HEM2",
        name="Hemtjänst Söder",
        parent=units["SOC"],
        manager_email="chef.soc@testby.se",
    )
    client.force_login(manager_user)
    bad = client.post(url("adopt", org, example.pk), {"unit": other.pk, "stage": "abandoned"})
    assert "Say why it was abandoned." in bad.content.decode()
    assert not Adoption.objects.exists()
    client.post(
        url("adopt", org, example.pk),
        {"unit": other.pk, "stage": "testing", "adapted": "Fyra mål", "follow_up_months": 1},
    )
    adoption = Adoption.objects.get()
    assert adoption.stage == "testing"
    adoption.follow_up_due = adoption.created_at.date()
    adoption.save()
    call_command("examples_follow_ups", stdout=io.StringIO())
    call_command("examples_follow_ups", stdout=io.StringIO())  # asked once
    assert [m.to for m in mail.outbox] == [["chef.soc@testby.se"]]
    link = url("follow_up", org, adoption.pk)
    assert link in mail.outbox[0].body
    # Hugo manages Hemtjänst Norr, not the adopting unit.
    client.force_login(team_manager_user)
    assert client.get(link).status_code == 403
    client.force_login(manager_user)
    client.post(link, {"behaviour_changed": "yes", "result": "Mindre tid på rapporter."})
    adoption.refresh_from_db()
    assert adoption.stage == "implemented" and adoption.follow_up_due is None
    page = client.get(url("detail", org, example.pk)).content.decode()
    assert "Hemtjänst Söder" in page and "Mindre tid på rapporter." in page
    assert "<svg" in page  # the lineage, with its table


def test_lineage_shows_adaptations_across_organisations_only_when_shared(org, other_org, example):
    from tillit.examples.lineage import lineage

    root = Unit.objects.get(organisation=other_org)
    copy = actions.do_create_example(
        other_org, {**VALUES, "title": "Kopian", "kind": "adapted", "origin": example}, [root], None
    )
    publish(copy)
    readable = lambda e: e.organisation_id == other_org.pk or e.shared  # noqa: E731
    assert [n.label for n in lineage(copy, readable)] == ["Kopian"]
    actions.do_set_shared(example, True)
    nodes = lineage(GoodExample.objects.get(pk=copy.pk), readable)  # a new request
    assert [(n.depth, n.label) for n in nodes] == [(0, VALUES["title"]), (1, "Kopian")]
    assert nodes[1].current


def test_the_booklet_takes_at_most_ten(client, org, curator_user, example):
    client.force_login(curator_user)
    response = client.post(
        url("booklet", org),
        {"examples": [example.pk] * 1, "language": "da", "format": "pdf"},
    )
    assert response["Content-Type"] == "application/pdf"
    assert "Gode eksempler" in _pdf_text(response.content)
    for n in range(10):
        publish(
            actions.do_create_example(
                org, {**VALUES, "title": f"E{n}"}, [example.units.get()], None
            )
        )
    chosen = list(GoodExample.objects.values_list("pk", flat=True))
    response = client.post(
        url("booklet", org), {"examples": chosen, "language": "sv", "format": "pdf"}
    )
    assert "Choose at most 10 examples; you chose 11." in response.content.decode()
