"""`tillit grant-operator EMAIL`: let someone create organisations in the browser."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tillit.org.operating import do_set_operator, operators


class Command(BaseCommand):
    help = "Make EMAIL a site operator (creates organisations and their first process owner)."
    operator = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", nargs="?", help="The operator's e-mail address.")
        parser.add_argument("--list", action="store_true", help="List the operators.")

    def handle(self, *args, **options) -> None:
        if options["email"]:
            try:
                user = do_set_operator(options["email"], self.operator)
            except ValueError as error:
                raise CommandError(str(error)) from None
            state = "is now a site operator" if self.operator else "is no longer a site operator"
            self.stdout.write(f"{user.email} {state}.")
            if self.operator and not user.has_usable_password():
                self.stdout.write(
                    "The account has no password yet: choose one with 'Forgot your password?' "
                    "on the login page (or `tillit changepassword EMAIL`)."
                )
        for user in operators() if options["list"] or not options["email"] else []:
            self.stdout.write(user.email)
