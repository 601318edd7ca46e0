"""The presenter screen, the facilitator's controls of it, and the event stream that tells
pages a session changed (over real HTTP against the live server)."""

import http.client
import time
from urllib.parse import urlsplit

from django.test import Client
from django.urls import reverse

from tests import test_workshop as base
from tests.test_workshop import facilitator, furl, joined, post_note
from tillit.workshop import actions, contributing, outcomes
from tillit.workshop.models import Contribution
from tillit.workshop.screen import PAGE_LINES

programme = base.programme  # the fixtures of the workshop tests
board = base.board


def screen_of(fac, session) -> str:
    return fac.get(furl("screen", session)).content.decode()


def test_screen_has_no_menu_nor_buttons_and_shows_only_what_the_room_may_see(
    client, board, admin_user
):
    joined(client, board)
    post_note(client, board, "Fravær registreres to gange")
    post_note(client, board, "Upassende bemærkning")
    fac = facilitator(admin_user)
    page = screen_of(fac, board)
    assert "<button" not in page and "<nav" not in page and "<form" not in page
    assert 'class="site-header"' not in page
    # The join code and its QR (server-made SVG) until the facilitator hides them.
    assert board.code in page and "<svg" in page and "QR code to join" in page
    # Before the reveal: a count, not the notes.
    assert "2 contributions so far" in page and "Fravær registreres" not in page
    fac.post(furl("control", board), {"do": "reveal"})
    rude = Contribution.objects.get(text="Upassende bemærkning")
    fac.post(furl("hide", board, rude.pk), {"hidden": "1"})
    page = screen_of(fac, board)
    assert "Fravær registreres to gange" in page and "Upassende" not in page
    fac.post(furl("control", board), {"do": "hide_code"})
    page = screen_of(fac, board)
    assert board.code not in page and "<svg" not in page
    fac.post(furl("control", board), {"do": "show_code"})
    assert board.code in screen_of(fac, board)
    # Only those who may steer the programme see the screen.
    assert Client().get(furl("screen", board)).status_code in (302, 403, 404)


def test_hidden_votes_stay_hidden_on_the_screen_until_revealed(client, board, admin_user):
    joined(client, board)
    theme = outcomes.do_create_theme(board, 0, "Møder der trækker ud")
    actions.do_next_tool(board)
    participant = actions.participant_for(board, client.cookies[f"tillit_ws_{board.pk}"].value)
    contributing.do_vote(board, participant, 1, theme, 1)
    fac = facilitator(admin_user)
    page = screen_of(fac, board)
    assert "1 person has voted" in page and "1 dot" not in page
    assert "Møder der trækker ud" not in page
    fac.post(furl("control", board), {"do": "reveal"})
    page = screen_of(fac, board)
    assert "Møder der trækker ud" in page and "1 dot" in page


def test_a_full_board_is_paged_and_the_facilitator_turns_the_pages(client, board, admin_user):
    joined(client, board)
    for n in range(40):
        post_note(client, board, f"Note {n:02d} " + "om bøvl i hverdagen " * 3)
    fac = facilitator(admin_user)
    fac.post(furl("control", board), {"do": "reveal"})
    page = screen_of(fac, board)
    first = {n for n in range(40) if f"Note {n:02d} " in page}
    assert "Page 1 of" in page and 0 < len(first) < 40  # which ones: random within a minute
    pages = int(page.split("Page 1 of ")[1].split("<")[0])
    assert pages >= 3
    seen = set()
    for number in range(1, pages + 1):
        page = screen_of(fac, board)
        assert f"Page {number} of {pages}" in page
        shown = {n for n in range(40) if f"Note {n:02d} " in page}
        assert shown and not shown & seen
        assert len(shown) * 3 <= PAGE_LINES  # each note costs three lines or more
        seen |= shown
        fac.post(furl("control", board), {"do": "page_next"})
    assert seen == set(range(40))  # every note is on exactly one page
    # Past the last page, "next" stays there; the facilitator's page shows where the screen is.
    assert f"Page {pages} of {pages}" in fac.get(furl("facilitate", board)).content.decode()
    fac.post(furl("control", board), {"do": "page_previous"})
    assert f"Page {pages - 1} of {pages}" in screen_of(fac, board)
    actions.do_next_tool(board)
    board.refresh_from_db()
    assert board.screen_page == 0


def test_closing_counts_what_was_saved(client, board, admin_user):
    joined(client, board)
    second = Client()
    joined(second, board)
    for text in ("Fravær to gange", "Fravær dobbelt"):
        post_note(client, board, text)
    theme = outcomes.do_create_theme(board, 0, "Fravær")
    outcomes.do_theme_to_artefact(theme, "challenge", admin_user)
    fac = facilitator(admin_user)
    response = fac.post(furl("control", board), {"do": "close"}, follow=True)
    assert (
        "The workshop is closed. Saved: 2 contributions from 2 participants, and 1 artefact "
        "recorded in the programme." in response.content.decode()
    )


def _read_event(stream, deadline: float) -> tuple[str, str]:
    """The next event (name, data) from a server-sent event stream."""
    name, data = "message", []
    while time.monotonic() < deadline:
        line = stream.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data.append(line[6:])
        elif line == "" and data:
            return name, "\n".join(data)
    raise AssertionError("no event in time")


def _open_stream(live_server, code: str, cookie: str, seen: int, tool: int = 0):
    url = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    path = reverse("workshop:room_events", args=[code]) + f"?v={seen}&t={tool}"
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/event-stream")
    assert response.readline() == b"retry: 1000\n"
    return conn, response


def test_event_stream_brings_each_phone_its_own_region_over_real_http(
    live_server, board, admin_user
):
    phone, other = Client(), Client()
    joined(phone, board)
    joined(other, board)
    cookies = [
        f"tillit_ws_{board.pk}={c.cookies[f'tillit_ws_{board.pk}'].value}" for c in (phone, other)
    ]
    post_note(phone, board, "Fravær registreres to gange")
    board.refresh_from_db()
    seen = board.version
    conn, response = _open_stream(live_server, board.code, cookies[0], seen)
    other_conn, other_response = _open_stream(live_server, board.code, cookies[1], seen)
    started = time.monotonic()
    actions.do_reveal(board)
    name, data = _read_event(response, started + 5)
    # A revealed board is the same for everyone: it comes in the event itself.
    assert name == "region" and 'id="live"' in data and "Fravær" in data
    assert f'data-version="{seen + 1}"' in data
    assert time.monotonic() - started < 2
    # Concealed again, each phone's region comes in its event too, with its own notes marked
    # as its own – and nobody else's.
    actions.do_reveal(board, False)
    name, data = _read_event(response, time.monotonic() + 5)
    assert name == "region" and f'data-version="{seen + 2}"' in data
    assert 'class="ws-mine"' in data and "Fravær registreres to gange" in data
    _read_event(other_response, time.monotonic() + 5)  # the reveal
    name, data = _read_event(other_response, time.monotonic() + 5)
    assert name == "region" and f'data-version="{seen + 2}"' in data
    assert 'class="ws-mine"' not in data and "Fravær" not in data
    other_conn.close()
    # The fetch (the polling fallback) gives the same region.
    live = phone.get(reverse("workshop:room_live", args=[board.code]), {"v": seen, "t": 0})
    assert live.status_code == 200 and 'class="ws-mine"' in live.content.decode()
    # On another tool the page reloads: the event only says the version, and the stream ends
    # (the reloaded page opens its own); the fetch tells the page to reload.
    actions.do_next_tool(board)
    name, data = _read_event(response, time.monotonic() + 5)
    assert name == "version" and int(data) == seen + 3
    assert response.read() == b""
    conn.close()
    live = phone.get(reverse("workshop:room_live", args=[board.code]), {"v": seen + 2, "t": 0})
    assert live.status_code == 204 and live["HX-Refresh"] == "true"
    # A phone that never joined gets no stream.
    assert Client().get(reverse("workshop:room_events", args=[board.code])).status_code == 403
    # Closing the session ends the stream with a "closed" event.
    conn, response = _open_stream(live_server, board.code, cookies[0], seen + 3, tool=1)
    outcomes.do_close_session(board, admin_user)
    name, _data = _read_event(response, time.monotonic() + 5)
    assert name == "closed"
    conn.close()
