"""The `xingfeng` commands README shows work in a fresh shell after `make run`; a missing setting is one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

XINGFENG = str(Path(sys.executable).with_name("xingfeng"))


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINGFENG") and k not in _SETTINGS}
    return subprocess.run([XINGFENG, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


_SETTINGS = {"SECRET_KEY", "DATABASE_URL", "MIGRATIONS_DATABASE_URL", "READER_DATABASE_URL", "REDIS_URL", "FLASK_APP"}


def test_a_missing_secret_key_is_one_line_not_a_traceback(tmp_path):
    result = _run(tmp_path, "audit", "verify")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "未设置 SECRET_KEY" in lines[0]
    assert "SECRET_KEY is not set" in lines[0]


def test_commands_after_make_run_read_the_instance_the_server_uses(tmp_path):
    """`make run` keeps its development key in instance/; a shell without XINGFENG_DEV finds it there."""
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "dev-secret-key").write_text("a" * 64)
    assert _run(tmp_path, "db", "upgrade").returncode == 0
    verify = _run(tmp_path, "audit", "verify")
    assert verify.returncode == 0, verify.stderr
    sweep = _run(tmp_path, "sweep")
    assert sweep.returncode == 0, sweep.stderr
    assert "Traceback" not in verify.stderr + sweep.stderr
