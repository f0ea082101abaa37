"""Create an API token for a person; the key is printed once and never stored."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.api_tokens import TooManyTokens, api_token_create
from accounts.signin import normalise_login


class Command(BaseCommand):
    help = "Create an API token (printed once; only its hash is kept)."

    def add_arguments(self, parser):
        parser.add_argument("login", help="email or phone of the account")
        parser.add_argument("--name", default="", help="what the token is for")
        parser.add_argument("--days", type=int, default=None, help="days before it expires")

    def handle(self, *args, login, name, days, **options):
        login = normalise_login(login)
        users = get_user_model().objects
        user = (
            users.filter(email__iexact=login) if "@" in login else users.filter(phone=login)
        ).first()
        if user is None:
            raise CommandError(f"No account {login}.")
        try:
            token, raw = api_token_create(user=user, name=name, days=days)
        except TooManyTokens as error:
            raise CommandError(str(error)) from None
        self.stdout.write(raw)
        self.stderr.write(
            f"expires {token.expires_at:%Y-%m-%d}; keep it now, it is not shown again"
        )
