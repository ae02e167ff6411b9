"""A checklist template of the core's always-on "general" domain, so that the engine is tested apart from plugins."""

from __future__ import annotations

import pytest

from core.checklists.service import templates
from core.checklists.templates import Condition, Item, Template

#: a template of the core's always-on "general" domain, so that the engine is tested apart from the plugins
SAMPLE = Template(
    code="test.conduct",
    domain="general",
    title="窗口作风检查（测试）",
    basis="《优化营商环境条例》",
    target="service_hall",
    items=(
        Item("q1", "是否公示办事指南", basis="《优化营商环境条例》", points=10, fail_on=("no",), category="formalism"),
        Item("q2", "未公示的原因", answer="single", choices=("遗漏", "拒不公示"), fail_on=("拒不公示",),
             category="attitude", severity="serious", condition=Condition("q1", ("no",))),
        Item("q3", "服务评分", answer="score", points=20, fail_below=12, category="attitude", evidence="on_failure"),
        Item("q4", "办件超时件数", answer="number", fail_above=0, points=5, category="inaction"),
        Item("q5", "存在的情形", answer="multiple", choices=("推诿", "刁难", "无"), fail_on=("推诿", "刁难"),
             points=5, category="attitude"),
        Item("q6", "其他说明", answer="text", required=False),
    ),
)  # fmt: skip

ALL_GOOD = {"q1": "yes", "q3": 18, "q4": 0, "q5": ["无"]}


@pytest.fixture
def sample(app, monkeypatch):
    with app.app_context():
        found = dict(templates())
    found[SAMPLE.code] = SAMPLE
    monkeypatch.setitem(app.extensions, "xingfeng_checklists", found)
    return SAMPLE


def begin(client, world, role="officer", prefix="", answers=None, **overrides):
    body = {
        "template": SAMPLE.code,
        "unit_id": world.station.id,
        "inspector": "张三、李四",
        "inspected_on": "2024-09-30",
        "target_name": "城关所登记窗口",
        "answers": answers or {},
    }
    body.update(overrides)
    return client.post(f"/api/v1{prefix}/checklists", json=body, headers=world.headers(role))


@pytest.fixture
def temporary_plugin(app):
    """Register a plugin object on the app's manager for one test, and always unregister it."""
    pm = app.extensions["xingfeng"].pm
    registered = []

    def register(obj, name):
        pm.register(obj, name=name)
        registered.append(name)
        return obj

    try:
        yield register
    finally:
        for name in registered:
            pm.unregister(name=name)
