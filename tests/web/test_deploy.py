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
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_tongxin(
        "manage",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
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
        "manage",
        "check",
        env_extra={"TONGXIN_PRODUCTION": "true", "TONGXIN_VAR_DIR": str(tmp_path)},
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_demo_no_serve_from_an_empty_var_dir_and_again(tmp_path):
    var = tmp_path / "var"
    first = run_tongxin("demo", "--no-serve", env_extra={"TONGXIN_VAR_DIR": str(var)})
    assert first.returncode == 0, first.stderr
    assert (var / "tongxin.sqlite3").exists() and (var / "secret_key").exists()
    assert "演示数据已生成" in first.stdout
    assert "hongshan_admin" in first.stdout and "http://127.0.0.1:8000/" in first.stdout
    second = run_tongxin("demo", "--no-serve", env_extra={"TONGXIN_VAR_DIR": str(var)})
    assert second.returncode == 0, second.stderr
    assert "沿用现有数据库" in second.stdout
    verify = run_tongxin("audit", "verify", env_extra={"TONGXIN_VAR_DIR": str(var)})
    assert verify.returncode == 0 and "审计链完整" in verify.stdout
