"""`xingfeng tenants sync`: the demo specs apply, a second run changes nothing, bad files are refused whole."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from core.auth.models import User
from core.platform.db import db, tenant_scope
from core.tenancy.models import PluginSetting, Tenant, Unit

SPECS = Path(__file__).resolve().parents[2] / "tenants" / "specs"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _totals():
    """Tenants, units, users and plugin settings, the tenant-owned ones counted tenant by tenant."""
    tenants = db.session.scalars(select(Tenant.id)).all()
    owned = [0, 0]
    for tenant_id in tenants:
        with tenant_scope(tenant_id):
            owned[0] += _count(Unit)
            owned[1] += _count(PluginSetting)
    return len(tenants), owned[0], _count(User), owned[1]


def test_demo_specs_describe_a_city_with_several_counties(runner):
    result = runner.invoke(args=["tenants", "sync", str(SPECS), "--check"])
    assert result.exit_code == 0, result.output
    tenants = db.session.scalars(select(Tenant)).all()
    assert tenants == []  # --check writes nothing


def test_sync_twice_changes_nothing_the_second_time(runner):
    first = runner.invoke(args=["tenants", "sync", str(SPECS), "--default-password", "demo-pass-1"])
    assert first.exit_code == 0, first.output
    after_first = _totals()
    second = runner.invoke(args=["tenants", "sync", str(SPECS)])
    assert second.exit_code == 0, second.output
    assert "无变化" in second.output
    assert _totals() == after_first
    tenants = db.session.scalars(select(Tenant)).all()
    counties = [t for t in tenants if not t.is_city]
    assert len(counties) >= 4
    assert sum(t.is_city for t in tenants) == 1
    roles = {u.role for u in db.session.scalars(select(User))}
    assert roles == {"city_admin", "city_supervisor", "tenant_admin", "officer", "reviewer", "viewer"}
    for t in tenants:
        with tenant_scope(t.id):
            assert _count(Unit) >= 4


def test_demo_user_can_log_in_after_sync(runner, client):
    runner.invoke(args=["tenants", "sync", str(SPECS), "--default-password", "demo-pass-1"])
    admin = db.session.scalar(select(User).where(User.role == "tenant_admin"))
    resp = client.post("/api/v1/auth/login", json={"username": admin.username, "password": "demo-pass-1"})
    assert resp.status_code == 200


def test_a_changed_spec_updates_only_what_changed(runner, tmp_path):
    folder = tmp_path / "specs"
    shutil.copytree(SPECS, folder)
    runner.invoke(args=["tenants", "sync", str(folder)])
    path = folder / "donghu.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('name = "东湖区市场监督管理局"', 'name = "东湖区市场监管局"', 1), encoding="utf-8")
    result = runner.invoke(args=["tenants", "sync", str(folder)])
    assert result.exit_code == 0, result.output
    assert "县区局 更新 1" in result.output
    assert db.session.scalar(select(Tenant.name).where(Tenant.slug == "donghu")) == "东湖区市场监管局"


def test_invalid_file_is_refused_with_file_key_and_reason_before_anything_is_written(runner, tmp_path):
    folder = tmp_path / "specs"
    shutil.copytree(SPECS, folder)
    (folder / "zz-bad.toml").write_text(
        """
slug = "badland"
name = "坏县"
code = "BAD"
plugins = ["approval", "astrology"]

[[units]]
code = "root"
name = "坏县局"
kind = "castle"

[[users]]
username = "bad.user"
name = "某"
role = "officer"
unit = "nowhere"
""",
        encoding="utf-8",
    )
    result = runner.invoke(args=["tenants", "sync", str(folder)])
    assert result.exit_code == 1
    out = result.output
    assert "zz-bad.toml: units[0].kind:" in out
    assert "zz-bad.toml: users[0].unit: 单位 nowhere 未在本文件中定义" in out
    assert "zz-bad.toml: plugins[1]: 未安装的业务插件 astrology" in out
    assert "未写入任何数据" in out
    assert _totals() == (0, 0, 0, 0)


def test_not_toml_is_refused(runner, tmp_path):
    (tmp_path / "broken.toml").write_text("slug = ", encoding="utf-8")
    result = runner.invoke(args=["tenants", "sync", str(tmp_path)])
    assert result.exit_code == 1
    assert "broken.toml: (文件): 不是有效的 TOML" in result.output


def test_plugins_command_lists_domains_versions_and_where_enabled(runner):
    runner.invoke(args=["tenants", "sync", str(SPECS)])
    result = runner.invoke(args=["plugins"])
    assert result.exit_code == 0, result.output
    assert "supervision  日常监管 (Daily supervision)  [xingfeng 0.1.0]" in result.output
    assert "tenants: " in result.output
    assert "override off: " in result.output
