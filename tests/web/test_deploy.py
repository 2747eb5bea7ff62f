"""Production settings pass Django's deployment checklist; the demo sets itself up from nothing."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys


def run_tongxin(*args: str, env_extra: dict[str, str], timeout: int = 300):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "tongxin.cli", *args],
        env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_tongxin(
        "manage", "check", "--deploy", "--fail-level", "WARNING",
        env_extra={
            "TONGXIN_PRODUCTION": "true",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "tongxin.example.gov.cn",
            "TONGXIN_VAR_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = run_tongxin(
        "manage", "check",
        env_extra={"TONGXIN_PRODUCTION": "true", "TONGXIN_VAR_DIR": str(tmp_path)},
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
