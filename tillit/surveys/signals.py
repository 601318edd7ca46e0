"""Signals the surveys app sends, so apps above it (results) can react without surveys
importing them (DESIGN.md: an app imports only the apps above it in the table)."""

from django.db import transaction
from django.dispatch import Signal

# Sent with `campaign_id` after the answers a campaign publishes may have changed: a response
# stored (`stream=True`: one of many, receivers may batch them), responses imported, the
# campaign closed or reopened. Sent after the commit.
answers_changed = Signal()

# Sent with `campaign` inside the launch's transaction, after its invitations exist: receivers
# freeze what the campaign's publications must be made on (the tree as it stands at launch).
campaign_launched = Signal()


def send_answers_changed(campaign_id: int, *, stream: bool = False) -> None:
    """Tell receivers, once the current transaction commits, that a campaign's answers changed."""
    transaction.on_commit(
        lambda: answers_changed.send(sender=None, campaign_id=campaign_id, stream=stream)
    )
