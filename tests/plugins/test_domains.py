"""The five bundled domain plugins: their domains, categories, field schemas and the supervision API."""

import importlib
import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pluggy
import pytest
from flask import Flask
from flask_smorest import Api
from marshmallow import ValidationError, validate

from core import hookspecs
from core.default_hooks import GENERAL
from core.domains import Domain, FieldSet, PluginBlueprint

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
ENTRY_POINTS = tomllib.loads(PYPROJECT.read_text("utf-8"))["project"]["entry-points"]["xingfeng"]
NAMES = sorted(ENTRY_POINTS)

# A valid value for each plugin's fields, and one over-long string field with its Chinese label.
EXAMPLES = {
    "approval": (
        {"matter_name": "食品经营许可", "case_no": "SP-2024-00017", "window": "综合窗口3号"},
        ("matter_name", 201, "事项名称"),
    ),
    "supervision": (
        {
            "enterprise_name": "华为技术有限公司",
            "credit_code": "914403001922038216",
            "inspection_type": "双随机抽查",
        },
        ("enterprise_name", 201, "企业名称"),
    ),
    "enforcement": (
        {
            "case_no": "X市监处罚〔2024〕12号",
            "case_type": "行政处罚",
            "handlers": "张三、李四",
            "review_score": 92.5,
        },
        ("case_no", 65, "案件编号"),
    ),
    "integrity": (
        {"staff_name": "张三", "post": "综合执法", "certificate_no": "33010219001"},
        ("staff_name", 51, "涉及人员"),
    ),
    "paid_services": (
        {
            "agency_name": "X市计量检定测试所",
            "agency_credit_code": "91440300708461136t",
            "service_name": "电子秤检定",
            "amount": "120.5",
        },
        ("service_name", 201, "服务项目"),
    ),
}


def plugin(name):
    return importlib.import_module(ENTRY_POINTS[name])


def domain_of(name) -> Domain:
    (domain,) = plugin(name).xingfeng_register_domains()
    return domain


def fieldset_of(name) -> FieldSet:
    (fieldset,) = plugin(name).xingfeng_register_fields()
    return fieldset


def test_bundled_plugins_are_declared():
    assert NAMES == ["approval", "enforcement", "integrity", "paid_services", "supervision"]


def test_plugins_satisfy_the_hook_specifications():
    pm = pluggy.PluginManager("xingfeng")
    pm.add_hookspecs(hookspecs)
    for name in NAMES:
        pm.register(plugin(name), name=name)
    pm.check_pending()
    slugs = [d.slug for result in pm.hook.xingfeng_register_domains() for d in result]
    assert sorted(slugs) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_domain_slug_is_entry_point_name(name):
    domain = domain_of(name)
    assert isinstance(domain, Domain)
    assert domain.slug == name
    assert domain.switchable
    assert domain.name
    assert domain.name_en
    assert domain.description


def test_domain_slugs_and_names_are_unique():
    domains = [domain_of(name) for name in NAMES] + [GENERAL]
    assert len({d.slug for d in domains}) == len(domains)
    assert len({d.name for d in domains}) == len(domains)


@pytest.mark.parametrize("name", NAMES)
def test_categories_are_unique_and_include_other(name):
    categories = domain_of(name).categories
    codes = [c.code for c in categories]
    assert len(set(codes)) == len(codes)
    assert len({c.name for c in categories}) == len(categories)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", code) for code in codes)
    assert domain_of(name).category("other").name == "其他"


@pytest.mark.parametrize("name", NAMES)
def test_fieldset_belongs_to_the_domain_and_labels_every_field(name):
    fieldset = fieldset_of(name)
    assert fieldset.slug == fieldset.domain == name
    for described, field in zip(fieldset.describe(), fieldset.schema().fields.values(), strict=True):
        assert re.search(r"[\u4e00-\u9fff]", described["label"]), described
        one_of = [v for v in field.validators if isinstance(v, validate.OneOf)]
        assert described["choices"] == (list(one_of[0].choices) if one_of else [])


@pytest.mark.parametrize("name", NAMES)
def test_schema_loads_valid_example(name):
    example, _ = EXAMPLES[name]
    loaded = fieldset_of(name).schema().load(example)
    assert set(loaded) == set(example)
    assert fieldset_of(name).schema().load({}) == {}


def test_loaded_values_are_normalised():
    loaded = fieldset_of("paid_services").schema().load(EXAMPLES["paid_services"][0])
    assert loaded["agency_credit_code"] == "91440300708461136T"
    assert loaded["amount"] == Decimal("120.50")
    assert fieldset_of("paid_services").schema().dump(loaded)["amount"] == "120.50"


@pytest.mark.parametrize("name", NAMES)
def test_schema_rejects_unknown_key(name):
    example, _ = EXAMPLES[name]
    with pytest.raises(ValidationError) as info:
        fieldset_of(name).schema().load({**example, "bribe": "1"})
    assert info.value.messages == {"bribe": ["未知字段"]}


@pytest.mark.parametrize("name", NAMES)
def test_schema_rejects_overlong_string_naming_the_field(name):
    example, (key, length, label) = EXAMPLES[name]
    with pytest.raises(ValidationError) as info:
        fieldset_of(name).schema().load({**example, key: "长" * length})
    assert info.value.messages == {key: [f"{label}不能超过{length - 1}个字符"]}


@pytest.mark.parametrize(
    ("name", "values", "key"),
    [
        ("supervision", {"inspection_type": "突击检查"}, "inspection_type"),
        ("supervision", {"credit_code": "914403001922038217"}, "credit_code"),
        ("enforcement", {"case_type": "刑事"}, "case_type"),
        ("enforcement", {"review_score": 100.5}, "review_score"),
        ("enforcement", {"review_score": "很好"}, "review_score"),
        ("paid_services", {"amount": "-0.01"}, "amount"),
        ("paid_services", {"amount": "NaN"}, "amount"),
    ],
)
def test_schema_rejects_bad_values_in_chinese(name, values, key):
    with pytest.raises(ValidationError) as info:
        fieldset_of(name).schema().load(values)
    (message,) = info.value.messages[key]
    assert re.search(r"[\u4e00-\u9fff]", message), message


def test_only_supervision_registers_a_blueprint():
    # Plugins that ship an API (paid_services, …) register blueprints of their own domain only.
    for name in NAMES:
        for registered in getattr(plugin(name), "xingfeng_register_blueprints", list)():
            assert isinstance(registered, PluginBlueprint)
            assert registered.domain == name
    registered = plugin("supervision").xingfeng_register_blueprints()
    assert ("supervision-credit-code", "supervision") in {(r.slug, r.domain) for r in registered}


@pytest.fixture
def client():
    # A bare app, not the core's: the view must work with nothing but its parsed arguments.
    app = Flask(__name__)
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    (registered,) = plugin("supervision").xingfeng_register_blueprints()
    Api(app).register_blueprint(registered.blueprint, url_prefix="/api/v1/plugins/supervision")
    return app.test_client()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "91440300708461136t",
            {"code": "91440300708461136T", "valid": True, "error": None, "position": None},
        ),
        (
            "914403001922038217",
            {
                "code": "914403001922038217",
                "valid": False,
                "error": "第18位校验码错误，应为6",
                "position": 18,
            },
        ),
        (
            "9144I300708461136T",
            {
                "code": "9144I300708461136T",
                "valid": False,
                "error": "第5位字符'I'不是有效字符",
                "position": 5,
            },
        ),
        ("9144", {"code": "9144", "valid": False, "error": "长度应为18位，实为4位", "position": None}),
    ],
)
def test_credit_code_check_endpoint(client, code, expected):
    response = client.post("/api/v1/plugins/supervision/credit-code/check", json={"code": code})
    assert response.status_code == 200
    assert response.get_json() == expected


@pytest.mark.parametrize("body", [{}, {"code": "9" * 33}, {"code": "914403001922038216", "x": 1}])
def test_credit_code_check_rejects_bad_arguments(client, body):
    response = client.post("/api/v1/plugins/supervision/credit-code/check", json=body)
    assert response.status_code == 422
