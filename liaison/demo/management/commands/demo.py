"""``liaison demo load | logins | otp USERNAME``: the demonstration installation."""
import time

from django.core.management.base import BaseCommand, CommandError

from liaison.demo import builder
from liaison.demo.agencies import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the demonstration data, list the demo logins, or show a demo user's current second-factor code."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{load,logins,otp}")
        sub.add_parser("load", help="Create the demo agencies, users, seed story and synthetic data (safe to repeat).")
        sub.add_parser("logins", help="Print the demo users, their agencies and roles, and the demo password.")
        otp = sub.add_parser("otp", help="Print the current authenticator code of a demo user.")
        otp.add_argument("username")

    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(**options)

    def do_load(self, **options):
        started = time.monotonic()
        result = builder.load()
        if result.created:
            self.stdout.write(self.style.SUCCESS(
                f"Demo data loaded in {time.monotonic() - started:.1f} s. Every synthetic record is marked “synthetic”."
            ))
        else:
            self.stdout.write("Demo data is already loaded; nothing changed.")
        self.stdout.write("Run `liaison demo logins` to see who can log in.")

    def do_logins(self, **options):
        rows = builder.logins()
        if not rows:
            raise CommandError("No demo users exist. Run `liaison demo load` first.")
        widths = [max(len(r[i]) for r in rows + [("username", "agency", "roles")]) for i in range(3)]
        line = "  ".join("{:<%d}" % w for w in widths)
        self.stdout.write(line.format("username", "agency", "roles"))
        self.stdout.write(line.format(*("-" * w for w in widths)))
        for row in rows:
            self.stdout.write(line.format(*row))
        self.stdout.write("")
        self.stdout.write(f"password (all demo users): {DEMO_PASSWORD}")
        self.stdout.write("second factor: run `liaison demo otp USERNAME`")

    def do_otp(self, username, **options):
        from liaison.sharing.models import User
        from liaison.sharing.otp import current_code

        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user “{username}”. Run `liaison demo logins` to see the demo users.")
        try:
            self.stdout.write(current_code(user))
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
