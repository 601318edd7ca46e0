"""`tillit revoke-operator EMAIL`: take the site operator role away."""

from tillit.org.management.commands.grant_operator import Command as GrantCommand


class Command(GrantCommand):
    help = "Take the site operator role from EMAIL (their roles in organisations stay)."
    operator = False
