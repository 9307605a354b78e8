"""Create (or recover) the local demo superuser and print how to log in."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the superuser `admin` for local use and print its password (kept in var/)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--password-file",
            default=str(Path(settings.BASE_DIR) / "var" / "demo-admin-password.txt"),
            help="Where the generated password is kept between runs (git-ignored).",
        )

    def handle(self, *args, username, password_file, **options):
        password_path = Path(password_file)
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        password = password_path.read_text().strip() if password_path.exists() else ""
        if user is None or not password or not user.check_password(password):
            password = secrets.token_urlsafe(12)
            if user is None:
                user = User.objects.create_superuser(username, f"{username}@localhost", password)
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            password_path.parent.mkdir(parents=True, exist_ok=True)
            password_path.write_text(password + "\n")
            password_path.chmod(0o600)
        self.stdout.write(f"Admin login: {username} / {password}")
