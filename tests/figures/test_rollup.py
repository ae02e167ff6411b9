"""The rollups kept as events happen always equal a recount from ``problem`` (random event sequences)."""

from __future__ import annotations

import random

import pytest

from core.figures import rollup
from core.ledger import service
from core.platform.errors import ServiceError


def check_equal_to_recount(tenant_id: int) -> None:
    kept = rollup.stored_cells(tenant_id)
    rollup.recount(tenant_id, service.work_calendar())
    assert rollup.stored_cells(tenant_id) == kept


@pytest.mark.parametrize("seed", range(6))
def test_rollups_equal_a_recount_after_random_events(driver, tenant, seed):
    rnd = random.Random(seed)
    problems: list[int] = []
    units = [tenant.station, tenant.substation]
    steps = {
        "create": lambda: problems.append(
            driver.create(rnd.choice([None, 3, 10, 30]), unit=rnd.choice(units), domain=rnd.choice(["general"]))
        ),
        "assign": lambda p: driver.assign(p),
        "submit": lambda p: driver.submit(p),
        "close": lambda p: driver.close(p),
        "return": lambda p: driver.give_back(p),
        "dismiss": lambda p: driver.dismiss(p),
        "ongoing": lambda p: driver.ongoing(p),
        "extend": lambda p: driver.extend(p, rnd.choice([5, 20]), decide_after=rnd.choice([0, 2, 15])),
        "repeat": lambda p: problems.append(driver.create(10, recurrence_of=p)),
    }
    for _ in range(40):
        name = rnd.choice(list(steps))
        if name == "create" or not problems:
            steps["create"]()
        else:
            try:
                steps[name](rnd.choice(problems))
            except ServiceError:
                pass  # a move the problem's state refuses: nothing changed
        if rnd.random() < 0.4:
            driver.travel(rnd.choice([1, 3, 10, 40]))
    check_equal_to_recount(tenant.tenant.id)


def test_recount_of_a_tenant_without_problems_is_empty(db, tenant):
    assert rollup.recount(tenant.tenant.id, service.work_calendar()) == 0
    assert all(not cells for cells in rollup.stored_cells(tenant.tenant.id).values())
