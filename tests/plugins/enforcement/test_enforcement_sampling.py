"""Random sampling of case files: by unit, period, type, count or share; the seed is recorded and the draw redone
gives the same files; reviewers assigned are never the file's handlers."""

from __future__ import annotations

import random

import pytest
from enforcement_helpers import API, register

PERIOD = {"period_from": "2024-01-01", "period_to": "2024-12-31"}


@pytest.fixture
def files(client, tenant):
    """Twelve closed files of the station (handlers 张三、李四), four of the substation (王五), two of the root bureau
    (one compulsory), one still open and one closed in 2023."""
    made = {}
    for n in range(12):
        made[f"S{n}"] = register(
            client, tenant, case_no=f"站-{n:02d}", filed_on="2023-12-01", closed_on=f"2024-{n % 12 + 1:02d}-15"
        )["id"]
    for n in range(4):
        made[f"U{n}"] = register(
            client, tenant, case_no=f"组-{n}", unit_id=tenant.substation.id, handlers=["王五"], closed_on="2024-06-01"
        )["id"]
    made["R0"] = register(client, tenant, role="tenant_admin", case_no="局-0", unit_id=tenant.root.id)["id"]
    made["R1"] = register(
        client, tenant, role="tenant_admin", case_no="局-1", unit_id=tenant.root.id, case_type="compulsory"
    )["id"]
    made["open"] = register(client, tenant, case_no="站-开", closed_on=None)["id"]
    made["old"] = register(client, tenant, case_no="站-旧", filed_on="2023-01-01", closed_on="2023-06-30")["id"]
    return made


def draw(client, world, role="reviewer", **body):
    return client.post(f"{API}/samplings", json={**PERIOD, **body}, headers=world.headers(role))


def test_the_same_seed_and_conditions_give_the_same_files(client, tenant, files):
    first = draw(client, tenant, count=5, seed="2024-第一季度")
    assert first.status_code == 201, first.json
    again = draw(client, tenant, count=5, seed="2024-第一季度")
    assert again.json["selected"] == first.json["selected"]
    other = draw(client, tenant, count=5, seed="另一个种子")
    assert other.json["selected"] != first.json["selected"]
    # The population: closed in the period, every unit (18 files), in case-number order; the draw is plain Python.
    population = first.json["population"]
    assert len(population) == 18
    assert files["open"] not in population
    assert files["old"] not in population
    assert first.json["selected"] == random.Random("2024-第一季度").sample(population, 5)
    verified = client.get(f"{API}/samplings/{first.json['id']}/verify", headers=tenant.headers("viewer")).json
    assert verified["same"] is True
    assert verified["redone"] == first.json["selected"]
    assert verified["population_unchanged"] is True
    register(client, tenant, case_no="站-新", closed_on="2024-07-01")
    verified = client.get(f"{API}/samplings/{first.json['id']}/verify", headers=tenant.headers("viewer")).json
    assert verified["same"] is True
    assert verified["population_unchanged"] is False


def test_a_seed_is_made_and_recorded_when_none_is_given(client, tenant, files):
    drawn = draw(client, tenant, count=3).json
    assert len(drawn["seed"]) == 16
    stored = client.get(f"{API}/samplings/{drawn['id']}", headers=tenant.headers("officer")).json
    assert stored["seed"] == drawn["seed"]
    assert random.Random(drawn["seed"]).sample(stored["population"], 3) == stored["selected"]


def test_by_unit_type_and_share(client, tenant, files):
    substation = draw(client, tenant, unit_ids=[tenant.substation.id], count=4, seed="s").json
    assert sorted(substation["selected"]) == sorted(files[f"U{n}"] for n in range(4))
    station = draw(client, tenant, unit_ids=[tenant.station.id], proportion=0.25, seed="s").json
    assert len(station["population"]) == 16  # the station and the substation below it
    assert len(station["selected"]) == 4
    share = draw(client, tenant, unit_ids=[tenant.station.id], proportion=0.1, seed="s").json
    assert len(share["selected"]) == 2  # 10% of 16 rounds up
    compulsory = draw(client, tenant, case_types=["compulsory"], count=1, seed="s").json
    assert compulsory["selected"] == [files["R1"]]


def test_reviewers_are_never_the_files_handlers(client, tenant, files):
    drawn = draw(client, tenant, count=18, seed="x", reviewers=["张三", "钱七", "孙八"], reviewers_per_file=2)
    assert drawn.status_code == 201, drawn.json
    reviews = drawn.json["reviews"]
    assert len(reviews) == 18
    handlers = {f["id"]: set(f["handlers"]) for f in drawn.json["files"]}
    for review in reviews:
        assert len(review["reviewers"]) == 2
        assert not set(review["reviewers"]) & handlers[review["case_file_id"]], review
    # The reviewers were assigned in turn: the station's files (handled by 张三) never get 张三.
    station = [r for r in reviews if "张三" in handlers[r["case_file_id"]]]
    assert station
    assert all(set(r["reviewers"]) == {"钱七", "孙八"} for r in station)


def test_too_few_reviewers_left_after_the_conflict_check_is_refused(client, tenant, files):
    resp = draw(client, tenant, unit_ids=[tenant.station.id], count=3, seed="x", reviewers=["张三", "钱七"],
                reviewers_per_file=2)  # fmt: skip
    assert resp.status_code == 409
    assert "张三" in resp.json["message"]
    assert "reviewers" in resp.json["errors"]["json"]
    # Nothing was recorded.
    assert client.get(f"{API}/samplings", headers=tenant.headers("viewer")).json["items"] == []


def test_a_review_begun_by_hand_refuses_a_handler(client, tenant, files):
    url = f"{API}/case-files/{files['S0']}/reviews"
    resp = client.post(url, json={"reviewers": ["钱七", "李四"]}, headers=tenant.headers("reviewer"))
    assert resp.status_code == 409
    assert "李四" in resp.json["message"]
    assert "reviewers" in resp.json["errors"]["json"]
    ok = client.post(url, json={"reviewers": ["钱七", "孙八"]}, headers=tenant.headers("reviewer"))
    assert ok.status_code == 201
    # One open review per file at a time.
    twice = client.post(url, json={"reviewers": ["周九"]}, headers=tenant.headers("reviewer"))
    assert twice.status_code == 409


def test_the_scorer_may_not_be_a_handler(client, tenant, files, db):
    from core.auth.models import User

    user = db.session.get(User, tenant.users["reviewer"].id)
    user.name = "张三"
    db.session.commit()
    begun = client.post(
        f"{API}/case-files/{files['S0']}/reviews", json={"reviewers": ["钱七"]}, headers=tenant.headers("reviewer")
    )
    resp = client.post(f"{API}/reviews/{begun.json['id']}/score", json={}, headers=tenant.headers("reviewer"))
    assert resp.status_code == 409
    assert "张三" in resp.json["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"count": 3, "proportion": 0.1}, "count"),
        ({}, "count"),
        ({"count": 0}, "count"),
        ({"count": 99}, "count"),
        ({"proportion": 0}, "proportion"),
        ({"proportion": 1.5}, "proportion"),
        ({"count": 1, "period_to": "2023-01-01"}, "period_to"),
        ({"count": 1, "period_from": "不是日期"}, "period_from"),
        ({"count": 1, "case_types": ["fine"]}, "case_types"),
        ({"count": 1, "unit_ids": [999999]}, "unit_ids.0"),
        ({"count": 1, "reviewers": ["甲"], "reviewers_per_file": 2}, "reviewers_per_file"),
        ({"count": 1, "seed": ""}, "seed"),
    ],
)
def test_bad_draws_name_the_field(client, tenant, files, body, field):
    resp = draw(client, tenant, **body)
    assert resp.status_code == 422, resp.json
    assert field in resp.json["errors"]["json"], resp.json


def test_nothing_to_draw_from(client, tenant):
    resp = draw(client, tenant, count=1)
    assert resp.status_code == 422
    assert "period_from" in resp.json["errors"]["json"]


def test_who_may_draw(client, tenant, files):
    for role in ("officer", "viewer"):
        assert draw(client, tenant, role=role, count=1).status_code == 403
    assert draw(client, tenant, role="tenant_admin", count=1).status_code == 201


def test_officers_see_only_their_units_files_of_a_draw(client, tenant, files):
    drawn = draw(client, tenant, count=18, seed="x").json
    assert len(drawn["files"]) == 18
    mine = client.get(f"{API}/samplings/{drawn['id']}", headers=tenant.headers("officer")).json
    assert len(mine["files"]) == 16
    assert {f["unit_id"] for f in mine["files"]} == {tenant.station.id, tenant.substation.id}
