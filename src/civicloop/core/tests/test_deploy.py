"""Production settings pass Django's deployment checks, and cookies are hardened."""

import os
import subprocess
import sys

from django.conf import settings


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    # The browser tests allow Django's ORM beside Playwright's event loop in this process;
    # a production server never has that variable.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "SECRET_KEY": "x" * 30 + "-production-secret-key-with-enough-entropy-1234567890",
        "SECURE": "1",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "gov.example",
        "CIVICLOOP_VAR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "civicloop.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "civicloop.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_session_cookies_are_httponly_samesite_and_expire():
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
