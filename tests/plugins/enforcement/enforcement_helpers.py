"""Helpers for the enforcement plugin's tests: case files registered through the API, reviews begun and scored."""

from __future__ import annotations

API = "/api/v1/plugins/enforcement"


def city_api(world) -> str:
    return f"/api/v1/tenants/{world.slug}/plugins/enforcement"


def case_body(world, **overrides) -> dict:
    body = {
        "case_no": "临市监处罚〔2024〕1号",
        "case_type": "penalty",
        "cause": "销售过期食品",
        "unit_id": world.station.id,
        "handlers": ["张三", "李四"],
        "filed_on": "2024-03-01",
        "closed_on": "2024-05-20",
        "penalty_amount": "5000.00",
        "discretion_level": "general",
    }
    body.update(overrides)
    return body


def register(client, world, role="officer", **overrides) -> dict:
    resp = client.post(f"{API}/case-files", json=case_body(world, **overrides), headers=world.headers(role))
    assert resp.status_code == 201, resp.json
    return resp.json


def begin(client, world, case_file_id, reviewers=("王五",), kind="review", role="reviewer"):
    return client.post(
        f"{API}/case-files/{case_file_id}/reviews",
        json={"reviewers": list(reviewers), "kind": kind},
        headers=world.headers(role),
    )


def score(client, world, review_id, deductions=(), vetoes=(), role="reviewer", **extra):
    body = {"deductions": list(deductions), "vetoes": list(vetoes), **extra}
    return client.post(f"{API}/reviews/{review_id}/score", json=body, headers=world.headers(role))


def d(item, count=1, note="见卷内材料", serious=False) -> dict:
    return {"item": item, "count": count, "note": note, "serious": serious}


def v(item, note="见卷内材料") -> dict:
    return {"item": item, "note": note}


def reviewed(client, world, case_file_id, deductions=(), vetoes=(), kind="review") -> dict:
    """Begin and score a review; the scored review."""
    begun = begin(client, world, case_file_id, kind=kind)
    assert begun.status_code == 201, begun.json
    scored = score(client, world, begun.json["id"], deductions, vetoes)
    assert scored.status_code == 200, scored.json
    return scored.json


def csrf(client, path="/login") -> str:
    import re

    html = client.get(path).get_data(as_text=True)
    found = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    return found.group(1)


def log_in(client, username: str) -> None:
    from fixtures.data import PASSWORD

    resp = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf(client)})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
