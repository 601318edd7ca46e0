"""What 500 phones rely on: a phone's live region made from parts cached per version (one read
of the database for the room, each phone's own parts right and nobody else's), and dilemma
positions that nothing ties to a participant."""

import uuid

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import test_workshop as base
from tests.test_workshop import facilitator, furl, joined, post_note
from tillit.workshop import actions, contributing, live, outcomes
from tillit.workshop.models import Contribution, Participant, WorkshopSession, position_key
from tillit.workshop.presenting import tool_context

programme = base.programme  # the fixtures of the workshop tests
board = base.board


def _token(client, session) -> str:
    return client.cookies[f"tillit_ws_{session.pk}"].value


def _phones(session, n: int) -> list[tuple[Client, Participant, str]]:
    phones = []
    for _ in range(n):
        phone = Client()
        participant = joined(phone, session)
        phones.append((phone, participant, _token(phone, session)))
    return phones


def test_a_concealed_board_costs_the_room_one_read_and_each_phone_sees_only_its_own(board):
    phones = _phones(board, 6)
    for n, (phone, _p, _t) in enumerate(phones[:3]):
        post_note(phone, board, f"Note from phone {n}")
    board.refresh_from_db()
    # The first phone's region reads the board once; the next five read nothing.
    with CaptureQueriesContext(connection) as first:
        live.phone_region(board, phones[0][1], phones[0][2], "csrf")
    with CaptureQueriesContext(connection) as rest:
        regions = [live.phone_region(board, p, t, "csrf") for _c, p, t in phones]
    assert len(first) >= 1 and len(rest) == 0
    for n, region in enumerate(regions):
        mine = [f"Note from phone {m}" for m in range(3) if m == n]
        shown = [line for line in region.splitlines() if "ws-note--mine" in line]
        assert [text for text in mine if text in region] == mine
        assert len(shown) == len(mine)
        # nobody else's note, not even as a count of one's own
        assert all(f"Note from phone {m}" not in region for m in range(3) if m != n)
    # The same region as the page makes without the caches.
    actions.do_reveal(board, True)
    actions.do_reveal(board, False)
    board.refresh_from_db()
    phone, participant, token = phones[1]
    cached = live.phone_context(board, participant, token)
    direct = tool_context(board, participant.language, participant=participant, token=token)
    assert [c.pk for c in cached["mine"]] == [c.pk for c in direct["mine"]]


def test_each_phone_sees_its_own_dots_and_no_one_sees_the_hidden_totals(board):
    theme_a = outcomes.do_create_theme(board, 0, "Møder")
    theme_b = outcomes.do_create_theme(board, 0, "Skemaer")
    board = actions.do_next_tool(board)  # dot voting, votes hidden until revealed
    phones = _phones(board, 3)
    contributing.do_vote(board, phones[0][1], 1, theme_a, 1)
    contributing.do_vote(board, phones[0][1], 1, theme_a, 1)
    contributing.do_vote(board, phones[1][1], 1, theme_b, 1)
    board.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        contexts = [live.phone_context(board, p, t) for _c, p, t in phones]
    reads = len(queries)
    with CaptureQueriesContext(connection) as again:
        for _c, p, t in phones:
            live.phone_context(board, p, t)
    assert reads >= 1 and len(again) == 0
    mine = [{row["label"]: row["mine"] for row in c["targets"]} for c in contexts]
    assert mine == [
        {"Møder": 2, "Skemaer": 0},
        {"Møder": 0, "Skemaer": 1},
        {"Møder": 0, "Skemaer": 0},
    ]
    assert [c["left"] for c in contexts] == [
        c["dots"] - used for c, used in zip(contexts, (2, 1, 0), strict=True)
    ]
    for (_c, p, t), context in zip(phones, contexts, strict=True):
        direct = tool_context(board, p.language, participant=p, token=t)
        assert [r["mine"] for r in direct["targets"]] == [r["mine"] for r in context["targets"]]
    # Hidden votes: no phone's region shows a total; after the reveal every phone shows them.
    region = live.phone_region(board, phones[2][1], phones[2][2], "csrf")
    assert "ws-bars" not in region
    # A region made once for the phones alike in their own parts carries each one's own
    # CSRF token, and their own dots.
    regions = [live.phone_region(board, p, t, f"token{n}x") for n, (_c, p, t) in enumerate(phones)]
    for n, region in enumerate(regions):
        assert f'value="token{n}x"' in region and live.CSRF_SLOT not in region
        assert all(f"token{m}x" not in region for m in range(3) if m != n)
    assert regions[0].count("ws-target__mine") == 2 and regions[0] != regions[1]
    board = actions.do_reveal(board, True)
    region = live.phone_region(board, phones[2][1], phones[2][2], "csrf")
    assert "ws-bars" in region and "<strong>2</strong>" in region


def _dilemma(programme, admin_user) -> WorkshopSession:
    session = actions.do_start_session(base.step(programme, "challenges"), admin_user)
    session.tools = [
        {"type": "dilemma_line", "title": {}, "config": {"dilemmas": []}, "reveal": True}
    ]
    session.save()
    actions.do_add_dilemma(session, "Spare", "Udvikle")
    return WorkshopSession.objects.get(pk=session.pk)


def test_a_position_cannot_be_tied_to_its_participant(programme, admin_user):
    session = _dilemma(programme, admin_user)
    phones = _phones(session, 3)
    url = reverse("workshop:position", args=[session.code])
    for n, (phone, _p, _t) in enumerate(phones):
        phone.post(url, {"tool": 0, "position": 10 + 30 * n, "text": f"Grund {n}"})
    positions = list(Contribution.objects.filter(session=session, kind="position"))
    assert len(positions) == 3
    # Stored beside a position: no author, no mark, and a key that nothing stored about a
    # participant gives – not the old uuid5 of the participant's id, nor anything made the
    # phone's way from its id, name, token hash or time of joining.
    old_namespace = uuid.UUID("6f1d7a52-4c1b-4a9e-9a55-2f3c0d7e9b11")
    candidates = set()
    for p in Participant.objects.filter(session=session):
        candidates.add(uuid.uuid5(old_namespace, f"{p.pk}:0:0"))
        for value in (p.pk, p.token_hash, p.display_name, p.joined_at.isoformat()):
            candidates.add(position_key(str(value), 0, 0))
            candidates.add(uuid.uuid5(old_namespace, str(value)))
    for position in positions:
        assert position.author_id is None and position.mark == ""
        assert position.key not in candidates
        assert set(position.extra) == {"item", "position"}
    # Nor in what is published: the facilitator's page and the screen show no key.
    session = actions.do_reveal(session, True)
    fac = facilitator(admin_user)
    published = fac.get(furl("facilitate", session)).content.decode()
    published += fac.get(furl("screen", session)).content.decode()
    assert "Grund 0" in published
    assert not any(str(position.key) in published for position in positions)
    # Yet each phone finds its own again: moving keeps one position per phone, and its page
    # shows where it stands.
    phone, _participant, token = phones[0]
    phone.post(url, {"tool": 0, "position": 90, "text": "Nu udvikle"})
    assert Contribution.objects.filter(session=session, kind="position").count() == 3
    own = Contribution.objects.get(key=position_key(token, 0, 0))
    assert own.extra["position"] == 90
    page = phone.get(reverse("workshop:room", args=[session.code])).content.decode()
    assert 'value="90"' in page and "Nu udvikle" in page
    other = phones[1][0].get(reverse("workshop:room", args=[session.code])).content.decode()
    assert 'name="position" min="0" max="100" step="5" value="40"' in other
