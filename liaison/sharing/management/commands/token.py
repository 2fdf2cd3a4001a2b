"""``liaison token create|list|revoke``: personal API tokens from the command line.

The token is printed once, on creation; only its digest is stored.
"""
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from liaison.sharing.tokens import MAX_DAYS, ApiToken


class Command(BaseCommand):
    help = "Create, list or revoke a user's API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it (the only time it is shown).")
        create.add_argument("username")
        create.add_argument("--scope", choices=ApiToken.Scope.values, default=ApiToken.Scope.READ)
        create.add_argument("--days", type=int, default=90, help=f"Validity, 1 to {MAX_DAYS} days (default 90).")
        create.add_argument("--name", default="command line", help="What the token is for.")
        listing = sub.add_parser("list", help="List a user's tokens (prefix, scope, expiry, last use).")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke a token by the prefix shown in the list.")
        revoke.add_argument("username")
        revoke.add_argument("prefix")

    def handle(self, *args, action, username, **options):
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named “{username}”.")
        if action == "create":
            try:
                token, key = ApiToken.issue(user, options["name"], options["scope"], options["days"])
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stderr.write(
                f"Token “{token.name}” for {username}, scope {token.scope}, expires {token.expires:%Y-%m-%d}. "
                "It is shown only now:"
            )
            self.stdout.write(key)
        elif action == "list":
            for token in ApiToken.objects.filter(user=user):
                state = "revoked" if token.revoked_at else ("active" if token.is_active else "expired")
                last = f"{token.last_used:%Y-%m-%d %H:%M}" if token.last_used else "never"
                self.stdout.write(
                    f"{token.prefix}…\t{token.scope}\texpires {token.expires:%Y-%m-%d}\tlast used {last}\t{state}\t{token.name}"
                )
        else:
            matches = list(ApiToken.objects.filter(user=user, prefix__startswith=options["prefix"].rstrip("…"),
                                                   revoked_at__isnull=True))
            if len(matches) != 1:
                raise CommandError(
                    f"{len(matches)} active tokens of {username} start with “{options['prefix']}”; give exactly one."
                )
            matches[0].revoke()
            self.stdout.write(f"Revoked {matches[0].prefix}… ({matches[0].name}).")
