from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from ordrom.roles import STAFF_ROLES, Role


class Command(BaseCommand):
    help = (
        "Create a staff account (supervisor, moderator, coordinator or editor) and print a "
        "one-time password. Two-factor authentication is set up at the first login."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[str(role) for role in STAFF_ROLES])

    def handle(self, *args, username, role, **options):
        try:
            user, password = services.staff_create(username=username, role=Role(role))
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Created {role} {user.username}.")
        self.stdout.write(f"One-time password: {password}")
        self.stdout.write(
            "Sign in at /accounts/login/, then set up two-factor authentication and change "
            "the password."
        )
