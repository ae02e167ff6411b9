"""Problem categories (issue 15, item 7): the integrity domain's list, and 吃拿卡要 in approval and supervision, where
the checklist items about it used to file as 其他."""

from __future__ import annotations

from plugins.approval.checklists import TEMPLATES as APPROVAL_TEMPLATES
from plugins.approval.domain import DOMAIN as APPROVAL
from plugins.enforcement.domain import DOMAIN as ENFORCEMENT
from plugins.integrity.domain import DOMAIN as INTEGRITY
from plugins.supervision.checklists import TEMPLATES as SUPERVISION_TEMPLATES
from plugins.supervision.domain import DOMAIN as SUPERVISION


def names(domain) -> list[str]:
    return [c.name for c in domain.categories]


def test_the_integrity_domain_has_the_campaigns_categories():
    assert set(names(INTEGRITY)) >= {
        "违反中央八项规定精神",
        "吃拿卡要",
        "请托说情干预办案",
        "执法犯法",
        "作风不实",
        "廉政风险防控不到位",
    }
    assert names(INTEGRITY)[-1] == "其他"


def test_extortion_is_a_category_of_approval_and_supervision_as_of_enforcement():
    for domain in (APPROVAL, SUPERVISION, ENFORCEMENT):
        codes = {c.code: c.name for c in domain.categories}
        assert codes.get("extortion") == "吃拿卡要", domain.slug
        assert names(domain)[-1] == "其他", domain.slug
        assert len(set(names(domain))) == len(names(domain)), domain.slug


def test_checklist_items_about_it_file_under_it():
    items = {(t.code, i.code): i.category for t in (*APPROVAL_TEMPLATES, *SUPERVISION_TEMPLATES) for i in t.items}
    wanted = ("no_favours", "meal_gift", "meal_gift_returned")
    found = {code: category for (_template, code), category in items.items() if code in wanted}
    assert found == dict.fromkeys(wanted, "extortion")


def test_the_ledger_accepts_it_in_each_domain(client, tenant):
    from fixtures.ledger import post_problem, upcoming_body

    for domain in ("approval", "supervision", "integrity"):
        category = "eat_take_demand" if domain == "integrity" else "extortion"
        resp = post_problem(
            client, tenant, body=upcoming_body(tenant, domain=domain, category=category, title=f"{domain} 吃拿卡要")
        )
        assert resp.status_code == 201, resp.json
        assert resp.json["category"] == category
    domains = {d["slug"]: d for d in client.get("/api/v1/domains", headers=tenant.headers("viewer")).json["items"]}
    for slug in ("approval", "supervision"):
        assert "吃拿卡要" in [c["name"] for c in domains[slug]["categories"]]
