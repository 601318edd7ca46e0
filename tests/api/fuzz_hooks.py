"""Schemathesis checks beside its own (loaded by the fuzz test through SCHEMATHESIS_HOOKS)."""

import schemathesis

# Words that appear only in the other organisation's data (test_fuzz's `world`).
FOREIGN = ("Annanstad", "annanstad")


@schemathesis.check
def no_other_organisations_data(ctx, response, case):
    """The token is Testby's: nothing of Annanstad may come back, whatever was asked."""
    text = response.text or ""
    for word in FOREIGN:
        if word in text:
            raise AssertionError(f"{word} in the response to {case.method} {case.path}")
