"""Live workshop: joining, posting, voting, moderation, themes → artefacts, permissions."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tillit.programmes import actions as programme_actions
from tillit.programmes.loading import install_shipped_templates
from tillit.programmes.models import Artefact, ProgrammeStep, ProgrammeTemplate
from tillit.workshop import actions, contributing, live, outcomes
from tillit.workshop.models import CODE_ALPHABET, Contribution, Vote, WorkshopSession


@pytest.fixture
def programme(org, units, admin_user):
    install_shipped_templates()
    template = ProgrammeTemplate.objects.get(slug="samskabt-styring")
    return programme_actions.do_start_programme(
        organisation=org,
        template_version=template.latest(),
        title="Mindre bøvl",
        language="da",
        units=[units["HEM"]],
        created_by=admin_user,
    )


def step(programme, step_id):
    return ProgrammeStep.objects.get(programme=programme, step_id=step_id)


@pytest.fixture
def board(programme, admin_user):
    """A session of step 2: brainstorm (tool 0) then dot voting (tool 1)."""
    return actions.do_start_session(step(programme, "challenges"), admin_user)


def joined(client: Client, session, name=""):
    response = client.post(reverse("workshop:join"), {"code": session.code.lower(), "name": name})
    assert response.status_code == 302, response.content
    return actions.participant_for(session, client.cookies[f"tillit_ws_{session.pk}"].value)


def post_note(client, session, text, key=None, tool=0, **extra):
    return client.post(
        reverse("workshop:post", args=[session.code]),
        {"key": str(key or uuid.uuid4()), "tool": tool, "text": text, **extra},
    )


def facilitator(user) -> Client:
    client = Client()
    client.cookies["tillit_language"] = "en"
    assert client.login(username=user.email, password=PASSWORD)
    return client


def furl(name, session, *args):
    return reverse(f"workshop:{name}", args=["testby", session.pk, *args])


# --- starting and joining ------------------------------------------------------------------


def test_session_copies_live_tools_and_has_an_unambiguous_code(board):
    assert [t["type"] for t in board.tools] == ["brainstorm", "dot_voting"]
    assert len(board.code) == 6 and set(board.code) <= set(CODE_ALPHABET)
    assert not set("0O1I") & set(CODE_ALPHABET)
    assert board.step.status == ProgrammeStep.Status.IN_PROGRESS


def test_join_by_code_and_wrong_code(client, board):
    response = client.post(reverse("workshop:join"), {"code": "ZZZZZ9"})
    assert response.status_code == 200
    assert "No open workshop has this code" in response.content.decode()
    participant = joined(client, board)
    assert participant is not None
    page = client.get(reverse("workshop:room", args=[board.code]))
    assert page.status_code == 200
    assert "Which steering causes the most hassle" in page.content.decode()
    # The QR link lands on the join page with the code filled in; a joined phone goes straight in.
    assert client.get(reverse("workshop:join_code", args=[board.code])).status_code == 302
    assert Client().get(reverse("workshop:join_code", args=[board.code])).status_code == 200


def test_closed_session_cannot_be_joined(client, board, admin_user):
    joined(client, board)
    outcomes.do_close_session(board, admin_user)
    response = client.post(reverse("workshop:join"), {"code": board.code})
    assert "No open workshop has this code" in response.content.decode()
    # A phone still in the room is told it is over, and can no longer post.
    room = client.get(reverse("workshop:room", args=[board.code]))
    assert "This workshop is closed" in room.content.decode()
    assert post_note(client, board, "For sent").status_code == 404
    assert client.get(reverse("workshop:room", args=["ZZZZZZ"])).status_code == 404


def test_room_without_cookie_goes_to_join(client, board):
    response = client.get(reverse("workshop:room", args=[board.code]))
    assert response.status_code == 302 and "/join/" in response["Location"]


def test_anonymous_tool_stores_no_author_named_tool_does(client, programme, admin_user):
    session = actions.do_start_session(step(programme, "intro"), admin_user)
    types = [t["type"] for t in session.tools]
    assert types == ["dialogue_cards", "glossary"]
    participant = joined(client, session, name="Mette")
    post_note(client, session, "Styring er mål og regler")
    answer = Contribution.objects.get(session=session, tool=0)
    assert answer.author is None and answer.kind == "answer" and answer.extra["item"] == 0
    actions.do_next_tool(session)
    post_note(client, session, "Bøvl", tool=1, definition="Det, der ikke hjælper kerneopgaven")
    term = Contribution.objects.get(session=session, tool=1, text="Bøvl")
    assert term.author == participant
    page = client.get(reverse("workshop:room", args=[session.code])).content.decode()
    assert "Mette" in page


def test_posting_is_idempotent_by_key(client, board):
    joined(client, board)
    key = uuid.uuid4()
    for _ in range(3):
        assert post_note(client, board, "Dobbelt dokumentation", key=key).status_code == 302
    assert Contribution.objects.filter(key=key).count() == 1
    # The offline script gets 204 and no second row either.
    response = client.post(
        reverse("workshop:post", args=[board.code]),
        {"key": str(key), "tool": 0, "text": "Dobbelt dokumentation"},
        headers={"X-Workshop-Fetch": "1"},
    )
    assert response.status_code == 204
    assert Contribution.objects.filter(session=board).count() == 1


def test_post_to_a_tool_that_is_no_longer_current_is_refused(client, board):
    joined(client, board)
    actions.do_next_tool(board)
    response = client.post(
        reverse("workshop:post", args=[board.code]),
        {"key": str(uuid.uuid4()), "tool": 0, "text": "For sent"},
        headers={"X-Workshop-Fetch": "1"},
    )
    assert response.status_code == 400 and "moved on" in response.content.decode()
    assert not Contribution.objects.filter(session=board).exists()


# --- reveal, moderation, polling -------------------------------------------------------------


def test_contributions_hidden_until_revealed_and_moderation_hides(client, board, admin_user):
    joined(client, board)
    post_note(client, board, "Fraværsregistrering to gange")
    post_note(client, board, "Upassende bemærkning")
    room = reverse("workshop:room", args=[board.code])
    other = Client()
    other.cookies["tillit_language"] = "en"
    joined(other, board)
    page = other.get(room).content.decode()
    assert "Fraværsregistrering" not in page and "2 contributions so far" in page
    # Its author sees a note at once, marked as seen by them alone; no author is stored.
    own = client.get(room).content.decode()
    assert "Only you see this until the facilitator reveals it." in own
    assert "Fraværsregistrering to gange" in own.split('id="ws-mine-heading"')[1]
    assert Contribution.objects.get(text="Upassende bemærkning").author is None
    fac = facilitator(admin_user)
    fac.post(furl("control", board), {"do": "reveal"})
    page = client.get(room).content.decode()
    assert "Fraværsregistrering" in page and "Upassende" in page
    rude = Contribution.objects.get(text="Upassende bemærkning")
    fac.post(furl("hide", board, rude.pk), {"hidden": "1"})
    page = client.get(room).content.decode()
    assert "Fraværsregistrering" in page and "Upassende" not in page
    # The facilitator still sees it, marked hidden, and can show it again.
    assert "Upassende" in fac.get(furl("facilitate", board)).content.decode()


def test_poll_answers_204_while_unchanged(client, board):
    joined(client, board)
    board.refresh_from_db()
    live = reverse("workshop:room_live", args=[board.code])
    unchanged = client.get(live, {"v": board.version, "t": 0, "i": 0})
    assert unchanged.status_code == 204 and not unchanged.content
    post_note(client, board, "Ny note")
    changed = client.get(live, {"v": board.version, "t": 0, "i": 0})
    assert changed.status_code == 200 and 'id="live"' in changed.content.decode()
    actions.do_next_tool(board)
    moved = client.get(live, {"v": board.version, "t": 0, "i": 0})
    assert moved["HX-Refresh"] == "true"


# --- board, themes, votes, artefacts ---------------------------------------------------------


def _board_with_themes(client, board):
    joined(client, board)
    for text in ("Fravær to gange", "Fravær dobbelt", "Lange møder", "Skemaer"):
        post_note(client, board, text)
    notes = {c.text: c for c in Contribution.objects.filter(session=board)}
    absence = outcomes.do_create_theme(board, 0, "Fraværsregistrering")
    meetings = outcomes.do_create_theme(board, 0, "Møder")
    return notes, absence, meetings


def test_group_merge_vote_and_theme_to_artefact_with_priority(client, board, admin_user):
    notes, absence, meetings = _board_with_themes(client, board)
    fac = facilitator(admin_user)
    fac.post(furl("move", board, notes["Fravær to gange"].pk), {"theme": absence.pk})
    fac.post(
        furl("merge", board, notes["Fravær dobbelt"].pk), {"into": notes["Fravær to gange"].pk}
    )
    fac.post(furl("move", board, notes["Lange møder"].pk), {"theme": meetings.pk})
    merged = Contribution.objects.get(pk=notes["Fravær dobbelt"].pk)
    assert merged.merged_into_id == notes["Fravær to gange"].pk and merged.theme == absence
    fac.post(furl("control", board), {"do": "next"})
    board.refresh_from_db()
    assert board.current == 1
    # Three voters: absence gets 3 dots, meetings 1.
    voters = [Client() for _ in range(3)]
    for index, voter in enumerate(voters):
        joined(voter, board)
        voter.post(
            reverse("workshop:vote", args=[board.code]),
            {"tool": 1, "target": f"theme:{absence.pk}", "delta": 1},
        )
        if index == 0:
            voter.post(
                reverse("workshop:vote", args=[board.code]),
                {"tool": 1, "target": f"theme:{meetings.pk}", "delta": 1},
            )
    fac.post(furl("control", board), {"do": "priorities"})
    challenges = {a.title: a for a in Artefact.objects.filter(kind="challenge")}
    assert challenges["Fraværsregistrering"].data["priority"] == "high"
    assert challenges["Møder"].data["priority"] == "medium"
    assert "Fravær to gange" in challenges["Fraværsregistrering"].data["hindrance"]
    # The merged duplicate's words are kept in the challenge: nothing written is lost.
    assert "Fravær dobbelt" in challenges["Fraværsregistrering"].data["hindrance"]
    assert challenges["Fraværsregistrering"].programme == board.step.programme
    # Recording again updates the same artefacts instead of adding new ones.
    fac.post(furl("theme_artefact", board, absence.pk), {"kind": "challenge"})
    assert Artefact.objects.filter(kind="challenge").count() == 2


def test_dot_limit(client, board):
    _notes, absence, meetings = _board_with_themes(client, board)
    actions.do_next_tool(board)
    participant = actions.participant_for(board, client.cookies[f"tillit_ws_{board.pk}"].value)
    for _ in range(3):
        contributing.do_vote(board, participant, 1, absence, 1)
    with pytest.raises(actions.WorkshopError):
        contributing.do_vote(board, participant, 1, meetings, 1)
    response = client.post(
        reverse("workshop:vote", args=[board.code]),
        {"tool": 1, "target": f"theme:{meetings.pk}", "delta": 1},
        follow=True,
    )
    assert "You have no dots left" in response.content.decode()
    contributing.do_vote(board, participant, 1, absence, -1)
    contributing.do_vote(board, participant, 1, meetings, 1)
    assert sorted(Vote.objects.values_list("count", flat=True)) == [1, 2]


def test_stale_edit_gets_409(client, board, admin_user):
    _notes, absence, _meetings = _board_with_themes(client, board)
    fac = facilitator(admin_user)
    url = furl("theme_rename", board, absence.pk)
    assert fac.post(url, {"title": "Fravær", "version": 1}).status_code == 302
    stale = fac.post(url, {"title": "Andet navn", "version": 1})
    assert stale.status_code == 409
    absence.refresh_from_db()
    assert absence.title == "Fravær" and absence.version == 2
    note = Contribution.objects.filter(session=board).first()
    contributing.do_edit_contribution(note, "Rettet", note.version)
    with pytest.raises(actions.StaleEdit):
        contributing.do_edit_contribution(note, "Ældre", 1)


def test_anonymous_notes_carry_no_order_and_no_time_finer_than_the_minute(client, board):
    """A copy of the database read beside a proxy's request log (time and address of every
    post) must not tell which phone posted which note: the ids follow no order, and the time
    is the minute's (docs/anonymity.md, workshops)."""
    from tests.test_surveys_database_copies import assert_unordered

    joined(client, board)
    posted = [f"Idé {i}" for i in range(30)]
    for text in posted:
        assert post_note(client, board, text).status_code in (200, 302)
    notes = dict(Contribution.objects.filter(session=board).values_list("text", "pk"))
    assert_unordered([notes[text] for text in posted], "anonymous notes' ids")
    times = Contribution.objects.filter(session=board).values_list("created_at", flat=True)
    assert {(at.second, at.microsecond) for at in times} == {(0, 0)}
    assert Contribution.objects.filter(session=board, author__isnull=False).count() == 0


@pytest.mark.django_db(transaction=True)
def test_notes_written_before_the_upgrade_get_random_ids_with_their_votes(programme, admin_user):
    """workshop 0004 gives contributions written with a sequence random ids, in a shuffled
    order and to the minute, and moves the votes, consent answers and merges along."""
    import datetime as dt

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        [("workshop", "0003_rekey_positions")],
        [("workshop", "0004_contributions_carry_no_order")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Session, Participant, Note, OldVote, Consent = (
        old.get_model("workshop", m)
        for m in ("WorkshopSession", "Participant", "Contribution", "Vote", "ConsentResponse")
    )
    session = Session.objects.create(step_id=step(programme, "challenges").pk, code="MIGRAT")
    ida = Participant.objects.create(session=session, token_hash="a" * 64, language="da")
    at = dt.datetime(2026, 11, 3, 9, 41, 17, 123456, tzinfo=dt.UTC)
    notes = [
        Note.objects.create(
            session=session, tool=0, kind="note", text=f"Idé {n}", key=uuid.uuid4(), created_at=at
        )
        for n in range(30)
    ]
    assert [n.pk for n in notes] == sorted(n.pk for n in notes)  # a sequence
    Note.objects.filter(pk=notes[1].pk).update(merged_into=notes[0])
    OldVote.objects.create(
        participant=ida, session=session, tool=0, scope="0", contribution=notes[0], count=2
    )
    Consent.objects.create(participant=ida, contribution=notes[2], answer="agree")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    moved = dict(new.get_model("workshop", "Contribution").objects.values_list("text", "pk"))
    assert sorted(moved) == sorted(f"Idé {n}" for n in range(30))
    ids = [moved[f"Idé {n}"] for n in range(30)]
    assert ids != sorted(ids) and all(i > 2**20 for i in ids)
    first = new.get_model("workshop", "Contribution").objects.get(text="Idé 0")
    assert first.created_at == at.replace(second=0, microsecond=0)
    assert (
        new.get_model("workshop", "Contribution").objects.get(text="Idé 1").merged_into_id == ids[0]
    )
    assert new.get_model("workshop", "Vote").objects.get().contribution_id == ids[0]
    assert new.get_model("workshop", "ConsentResponse").objects.get().contribution_id == ids[2]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest for other tests


# --- dilemma, SWOT, consent, retro -----------------------------------------------------------


def test_dilemma_positions_one_per_participant_and_own_dilemma(client, programme, admin_user):
    session = actions.do_start_session(step(programme, "challenges"), admin_user)
    # step "challenges" has no dilemma line; the resultatdialog-like styringsdialog has; use own.
    session.tools = [
        {
            "type": "dilemma_line",
            "title": {},
            "config": {"dilemmas": []},
            "named": False,
            "reveal": True,
        }
    ]
    session.save()
    actions.do_add_dilemma(session, "Spare", "Udvikle")
    participant = joined(client, session)
    url = reverse("workshop:position", args=[session.code])
    client.post(url, {"tool": 0, "position": 20, "text": "Vi skal spare"})
    client.post(url, {"tool": 0, "position": 80, "text": "Nej, udvikle"})
    positions = Contribution.objects.filter(session=session, kind="position")
    assert positions.count() == 1 and positions.get().extra["position"] == 80
    assert positions.get().author is None and participant is not None
    fac = facilitator(admin_user)
    fac.post(furl("control", session), {"do": "reveal"})
    page = fac.get(furl("facilitate", session)).content.decode()
    assert "Nej, udvikle" in page and "Spare" in page


def test_a_phone_reloads_for_the_next_dilemma_whose_poles_its_form_shows(
    client, programme, admin_user
):
    """The poles are in the form, outside the live region: a phone that kept the old page
    would save its position for the new dilemma against the old one's poles."""
    session = actions.do_start_session(step(programme, "challenges"), admin_user)
    session.tools = [
        {"type": "dilemma_line", "title": {}, "config": {"dilemmas": []}, "named": False}
    ]
    session.save()
    actions.do_add_dilemma(session, "Spare", "Udvikle")
    joined(client, session)
    page = client.get(reverse("workshop:room", args=[session.code])).content.decode()
    assert "Spare" in page and "&amp;i=0" in page  # the poll and the stream say the dilemma
    session = actions.do_add_dilemma(session, "Styre", "Stole på")
    live_url = reverse("workshop:room_live", args=[session.code])
    stale = client.get(live_url, {"v": session.version - 1, "t": 0, "i": 0})
    assert stale.status_code == 204 and stale["HX-Refresh"] == "true"
    fresh = client.get(live_url, {"v": session.version - 1, "t": 0, "i": 1})
    assert fresh.status_code == 200
    assert live.page_is_stale(session, "0", "0") and not live.page_is_stale(session, "0", "1")
    page = client.get(reverse("workshop:room", args=[session.code])).content.decode()
    assert "Stole på" in page and "&amp;i=1" in page


def test_swot_votes_per_quadrant(client, programme, admin_user):
    session = actions.do_start_session(step(programme, "challenges"), admin_user)
    session.tools = [{"type": "swot", "title": {}, "config": {}, "named": False, "reveal": False}]
    session.save()
    participant = joined(client, session)
    post_note(client, session, "Erfaring", quadrant="strength")
    post_note(client, session, "Tid", quadrant="weakness")
    strength, weakness = (Contribution.objects.get(text=text) for text in ("Erfaring", "Tid"))
    assert strength.extra == {"quadrant": "strength"}
    for _ in range(3):
        contributing.do_vote(session, participant, 0, strength, 1)
    with pytest.raises(actions.WorkshopError):
        contributing.do_vote(session, participant, 0, strength, 1)
    contributing.do_vote(session, participant, 0, weakness, 1)  # another quadrant has its own dots


def test_close_turns_consented_rules_and_agreed_terms_into_artefacts(client, programme, admin_user):
    session = actions.do_start_session(step(programme, "intro"), admin_user)
    actions.do_next_tool(session)  # glossary
    voter = joined(client, session, name="Ida")
    post_note(client, session, "Kerneopgave", tool=1, definition="Det, borgeren har brug for")
    post_note(client, session, "Bøvl", tool=1, definition="Unødigt besvær")
    terms = Contribution.objects.filter(session=session, tool=1)
    core, hassle = terms.get(text="Kerneopgave"), terms.get(text="Bøvl")  # ids carry no order
    url = reverse("workshop:consent", args=[session.code, core.pk])
    client.post(url, {"answer": "agree"})
    objection = client.post(
        reverse("workshop:consent", args=[session.code, hassle.pk]),
        {"answer": "object", "reason": ""},
        follow=True,
    )
    assert "Please give a reason" in objection.content.decode()
    client.post(
        reverse("workshop:consent", args=[session.code, hassle.pk]),
        {"answer": "object", "reason": "For bredt"},
    )
    assert voter.consents.count() == 2
    made = outcomes.do_close_session(session, admin_user)
    assert [(a.kind, a.title) for a in made] == [("glossary_term", "Kerneopgave")]
    assert made[0].data["definition"] == "Det, borgeren har brug for"
    session.refresh_from_db()
    assert session.status == WorkshopSession.Status.CLOSED


def test_retro_items_by_column(client, programme, admin_user):
    session = actions.do_start_session(step(programme, "challenges"), admin_user)
    session.tools = [{"type": "retro", "title": {}, "config": {}, "named": False, "reveal": True}]
    session.save()
    joined(client, session)
    post_note(client, session, "Gode grupper", column="worked")
    assert post_note(client, session, "Uden kolonne").status_code == 302
    assert list(Contribution.objects.values_list("text", "extra")) == [
        ("Gode grupper", {"column": "worked"})
    ]


# --- permissions --------------------------------------------------------------------------------


def test_facilitator_pages_need_steering_rights(
    board, admin_user, employee_user, outsider_user, team_manager_user, client
):
    assert facilitator(admin_user).get(furl("facilitate", board)).status_code == 200
    # The manager of the programme's unit steers it.
    assert facilitator(team_manager_user).get(furl("facilitate", board)).status_code == 200
    # An employee of the organisation who is not in the programme does not learn it exists.
    assert facilitator(employee_user).get(furl("facilitate", board)).status_code == 404
    assert facilitator(outsider_user).get(furl("facilitate", board)).status_code == 404
    other = reverse("workshop:facilitate", args=["annanstad", board.pk])
    assert facilitator(outsider_user).get(other).status_code == 404
    # A participant (cookie only) gets the login page, and cannot control anything.
    joined(client, board)
    assert client.get(furl("facilitate", board)).status_code == 302
    client.post(furl("control", board), {"do": "next"})
    board.refresh_from_db()
    assert board.current == 0


def test_participant_in_programme_may_not_steer(board, employee_user):
    programme_actions.do_add_participant(
        board.step.programme, employee_user.email, "", "participant"
    )
    response = facilitator(employee_user).get(furl("facilitate", board))
    assert response.status_code == 403


def test_programme_workshop_page_lists_steps_and_starts(programme, admin_user):
    fac = facilitator(admin_user)
    url = reverse("workshop:programme", args=["testby", programme.pk])
    page = fac.get(url).content.decode()
    assert "Start live session" in page
    response = fac.post(reverse("workshop:start", args=["testby", programme.pk, "challenges"]))
    session = WorkshopSession.objects.get()
    assert response["Location"] == furl("facilitate", session)
    page = fac.get(furl("facilitate", session)).content.decode()
    assert session.code in page and "<svg" in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [("sv", "Din lapp"), ("da", "Din seddel"), ("nb", "Lappen din"), ("en", "Your note")],
)
def test_room_speaks_the_phones_language(board, language, expected):
    phone = Client(headers={"accept-language": language})
    phone.post(reverse("workshop:join"), {"code": board.code})
    page = phone.get(reverse("workshop:room", args=[board.code])).content.decode()
    assert expected in page


def test_participant_edits_own_named_proposal_and_stale_edit_conflicts(
    client, programme, admin_user
):
    session = actions.do_start_session(step(programme, "intro"), admin_user)
    actions.do_next_tool(session)  # glossary: named
    joined(client, session, name="Ida")
    post_note(client, session, "Styring", tool=1, definition="Mål og regler")
    term = Contribution.objects.get(session=session, text="Styring")
    url = reverse("workshop:edit", args=[session.code, term.pk])
    page = client.get(reverse("workshop:room", args=[session.code])).content.decode()
    assert url in page  # the author is offered the edit form
    client.post(url, {"text": "Styring", "definition": "Mål, regler og krav", "version": 1})
    stale = client.post(url, {"text": "Styrning", "definition": "Gammelt", "version": 1})
    assert stale.status_code == 409 and stale["HX-Refresh"] == "true"
    term.refresh_from_db()
    assert term.extra["definition"] == "Mål, regler og krav" and term.version == 2
    # Someone else cannot edit it; nor can a phone without a cookie.
    other = Client()
    joined(other, session, name="Bo")
    assert other.post(url, {"text": "X", "version": 2}).status_code == 404
    assert Client().post(url, {"text": "X", "version": 2}).status_code == 403


@pytest.mark.parametrize(
    "tool_type",
    [
        "dialogue_cards",
        "brainstorm",
        "dot_voting",
        "dilemma_line",
        "swot",
        "glossary",
        "game_rules",
        "retro",
    ],
)
def test_every_tool_renders_for_phone_and_projector(client, programme, admin_user, tool_type):
    session = actions.do_start_session(step(programme, "challenges"), admin_user)
    from tillit.workshop.tools import live_tools_of

    steps = programme.definition["steps"]
    tools = live_tools_of({"tools": [t for s in steps for t in s["tools"]]})
    tool = next((t for t in tools if t["type"] == tool_type), None) or {
        "type": tool_type,
        "title": {},
        "config": {},
        "named": False,
        "reveal": True,
    }
    if tool_type == "dilemma_line":
        tool["config"] = {"dilemmas": [{"left": {"en": "Save"}, "right": {"en": "Develop"}}]}
    session.tools = [tool]
    session.state = {"0": {"revealed": True, "item": 0}}
    session.save()
    joined(client, session, name="Eva")
    extra = {"swot": {"quadrant": "threat"}, "retro": {"column": "next"}}.get(tool_type, {})
    if tool_type == "dilemma_line":
        client.post(
            reverse("workshop:position", args=[session.code]),
            {"tool": 0, "position": 35, "text": "Lidt til venstre"},
        )
    elif tool_type != "dot_voting":
        post_note(client, session, "Et bidrag", definition="En forklaring", **extra)
    phone = client.get(reverse("workshop:room", args=[session.code]))
    assert phone.status_code == 200
    projector = facilitator(admin_user).get(furl("facilitate", session))
    assert projector.status_code == 200
    if tool_type != "dot_voting":
        assert ("Et bidrag" if tool_type != "dilemma_line" else "Lidt til venstre") in (
            projector.content.decode()
        )


def test_a_closed_code_answers_as_an_unknown_one(client, board, admin_user):
    outcomes.do_close_session(board, admin_user)
    closed = Client().get(reverse("workshop:room", args=[board.code]))
    unknown = Client().get(reverse("workshop:room", args=["ZZZZZZ"]))
    assert closed.status_code == unknown.status_code == 404
    assert closed.content == unknown.content


def test_guessing_codes_is_rate_limited_per_client(client, board, settings):
    settings.JOIN_THROTTLE_ATTEMPTS = 5
    for n in range(5):
        response = client.post(reverse("workshop:join"), {"code": f"ZZZZZ{n + 2}"})
        assert response.status_code == 200
    response = client.post(reverse("workshop:join"), {"code": board.code})
    assert response.status_code == 429  # not even the right code is looked up now
    assert client.get(reverse("workshop:room", args=[board.code])).status_code == 429
    # Another client (another address) is not affected; joining itself never counts.
    other = Client(REMOTE_ADDR="198.51.100.20")
    for _ in range(6):
        assert joined(other, board) is not None


def test_a_steps_reflection_questions_run_live_as_a_board_of_anonymous_notes():
    from tillit.workshop.tools import live_tools_of

    questions = [{"da": "Hvornår føltes arbejdet meningsfuldt?"}, {"da": "Kan vi sige imod?"}]
    step = {
        "tools": [
            {"type": "reflection", "title": {"da": "HME"}, "config": {"questions": questions}},
            {"type": "form", "config": {}},
        ]
    }
    [tool] = live_tools_of(step)
    assert tool["type"] == "brainstorm" and tool["title"] == {"da": "HME"}
    assert tool["config"] == {"prompts": questions}  # shown once, as the board's prompts
    assert not tool["named"] and tool["reveal"]
    assert step["tools"][0]["config"] == {"questions": questions}  # the step is left as it was
