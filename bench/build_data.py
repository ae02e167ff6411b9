"""Build a large ledger on PostgreSQL for the benchmarks: tenants, units, problems and their audit chains.

Writes with COPY as the owner (which may bypass row-level security); the app later reads as xingfeng_app.
Deterministic for a given --seed. Example (the issue's size):

    python bench/build_data.py --owner-url postgresql://xingfeng_owner@127.0.0.1/xingfeng_bench \\
        --tenants 1000 --problems 1000000 --biggest 20000 --events 10000000
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.audit.chain import GENESIS, canonical, chain_hash  # noqa: E402
from core.default_hooks import GENERAL  # noqa: E402
from plugins.approval.domain import DOMAIN as APPROVAL  # noqa: E402
from plugins.supervision.domain import DOMAIN as SUPERVISION  # noqa: E402

UNITS = [  # (code, name, kind, parent code)
    ("bureau", "市场监督管理局", "bureau", None),
    ("s1", "城关市场监管所", "station", "bureau"),
    ("s1a", "城关所登记组", "station", "s1"),
    ("s1b", "城关所执法组", "station", "s1"),
    ("s2", "开发区市场监管所", "station", "bureau"),
    ("s3", "东城市场监管所", "station", "bureau"),
    ("brigade", "综合执法大队", "brigade", "bureau"),
    ("agency", "质量计量检测所", "agency", "bureau"),
]
STATUSES = [("registered", 10), ("rectifying", 35), ("submitted", 15), ("closed", 35), ("ongoing", 3), ("dismissed", 2)]
# The real categories of the bundled domains, so that rows of the data set pass the API's checks.
DOMAINS = [(d.slug, [c.code for c in d.categories]) for d in (GENERAL, APPROVAL, SUPERVISION)]
SUBJECTS = ["窗口人员", "执法人员", "检查组", "登记窗口", "检测机构", "审批科室", "监管所", "综合执法队员"]
FAULTS = ["服务态度生硬", "一次性告知不到位", "超时办结", "违规收取资料费", "随意检查企业", "推诿扯皮", "吃拿卡要",
          "未按双随机抽查", "检查结果未公示", "自由裁量不规范", "办件材料反复要求补正", "对群众咨询不耐烦"]  # fmt: skip
PLACES = ["城关", "开发区", "东城", "西城", "北塘", "南岭", "江滩", "新区"]
TODAY = date.today()
#: a fixed token on purpose: the load generator knows it (the database is a throwaway)
TOKEN = "xf_benchmark-token-for-the-biggest-tenant-0000000000"


def letters(i: int, width: int = 4) -> str:
    out = ""
    for _ in range(width):
        out = chr(ord("A") + i % 26) + out
        i //= 26
    return "B" + out


def distribution(tenants: int, problems: int, biggest: int) -> list[int]:
    """Problems per tenant: a long tail under one tenant of ``biggest`` problems."""
    rest = problems - biggest
    weights = [(i + 1) ** -0.35 for i in range(tenants - 1)]
    scale = rest / sum(weights)
    counts = [max(1, int(w * scale)) for w in weights]
    counts[-1] += rest - sum(counts)
    counts = [biggest] + counts
    assert max(counts[1:]) <= biggest, "the tail is bigger than the biggest tenant: raise --biggest"
    return counts


class Pipe(io.RawIOBase):
    """A read()-able stream over an iterator of text lines, for COPY without building the data in memory."""

    def __init__(self, lines: Iterator[str], batch: int = 2000):
        self._chunks = self._batched(lines, batch)
        self._chunk = b""
        self._offset = 0

    @staticmethod
    def _batched(lines: Iterator[str], batch: int) -> Iterator[bytes]:
        pending = []
        for line in lines:
            pending.append(line)
            if len(pending) >= batch:
                yield "".join(pending).encode()
                pending = []
        if pending:
            yield "".join(pending).encode()

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        if self._offset >= len(self._chunk):
            self._chunk = next(self._chunks, b"")
            self._offset = 0
            if not self._chunk:
                return 0
        n = min(len(target), len(self._chunk) - self._offset)
        target[:n] = self._chunk[self._offset : self._offset + n]
        self._offset += n
        return n


def esc(value) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def row(*values) -> str:
    return "\t".join(esc(v) for v in values) + "\n"


def copy(cur, table: str, columns: list[str], lines: Iterator[str]) -> None:
    cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.BufferedReader(Pipe(lines), 1 << 20))


def problem_rows(t_index: int, tenant_id: int, code: str, count: int, first_id: int, unit_ids: list[int], seed: int):
    """Yield (id, created_at, fields…) for a tenant's problems, the same each time for the same seed."""
    rnd = random.Random(seed * 1_000_003 + t_index)
    weights = [w for _, w in STATUSES]
    names = [s for s, _ in STATUSES]
    for k in range(count):
        pid = first_id + k
        created = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(minutes=rnd.randrange(0, 3 * 365 * 24 * 60))
        status = rnd.choices(names, weights)[0]
        domain, categories = rnd.choice(DOMAINS)
        deadline = TODAY + timedelta(days=rnd.randrange(-200, 200))
        title = f"{rnd.choice(PLACES)}{rnd.choice(SUBJECTS)}{rnd.choice(FAULTS)}"
        yield pid, created, status, domain, rnd.choice(categories), title, deadline, rnd.choice(unit_ids), k + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--owner-url", required=True)
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--problems", type=int, default=1_000_000)
    parser.add_argument("--biggest", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    counts = distribution(args.tenants, args.problems, args.biggest)
    events_per_problem = max(1, round(args.events / args.problems))
    started = time.perf_counter()
    conn = psycopg2.connect(args.owner_url)
    conn.autocommit = False
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM tenant")
    if cur.fetchone()[0]:
        sys.exit("the database already has tenants: build into an empty one (.ci/pg-setup makes one)")

    now = datetime.now(UTC)
    copy(
        cur,
        "tenant",
        ["id", "slug", "name", "code", "status", "is_city", "settings", "created_at"],
        (row(i + 1, f"t{i:04d}", f"第{i:04d}县区市场监督管理局", letters(i), "active", "f", "{}", now)
         for i in range(args.tenants)),
    )  # fmt: skip
    unit_count = len(UNITS)

    def unit_id(t_index: int, k: int) -> int:
        return t_index * unit_count + k + 1

    def units():
        for t in range(args.tenants):
            index = {u[0]: k for k, u in enumerate(UNITS)}
            for k, (code, name, kind, parent) in enumerate(UNITS):
                parent_id = unit_id(t, index[parent]) if parent else None
                yield row(unit_id(t, k), t + 1, parent_id, code, name, kind, k, now)

    copy(cur, "unit", ["id", "tenant_id", "parent_id", "code", "name", "kind", "sort_order", "created_at"], units())
    copy(
        cur,
        "plugin_setting",
        ["tenant_id", "unit_id", "domain", "enabled", "updated_at"],
        (row(t + 1, None, d, "t", now) for t in range(args.tenants) for d in ("approval", "supervision")),
    )
    # The biggest tenant's users and a known bearer token for the load generator.
    cur.execute(
        "INSERT INTO user_account (tenant_id, unit_id, username, name, role, is_liaison, active, created_at) VALUES "
        "(1, %s, 'bench.admin', '压测管理员', 'tenant_admin', false, true, now()), "
        "(1, %s, 'bench.officer', '压测经办人', 'officer', false, true, now()) RETURNING id",
        (unit_id(0, 0), unit_id(0, 1)),
    )
    admin_id = cur.fetchone()[0]
    cur.execute(
        "INSERT INTO api_token (user_id, token_hash, created_at, expires_at) "
        "VALUES (%s, %s, now(), now() + interval '30 days')",
        (admin_id, hashlib.sha256(TOKEN.encode()).hexdigest()),
    )
    print(f"tenants and units in {time.perf_counter() - started:.1f}s", flush=True)

    firsts, total = [], 0
    for c in counts:
        firsts.append(total + 1)
        total += c
    unit_ids = {t: [unit_id(t, k) for k in range(unit_count)] for t in range(args.tenants)}

    def problems():
        for t in range(args.tenants):
            code = letters(t)
            for pid, created, status, domain, category, title, deadline, uid, seq in problem_rows(
                t, t + 1, code, counts[t], firsts[t], unit_ids[t], args.seed
            ):
                closed = created + timedelta(days=30) if status == "closed" else None
                yield row(
                    pid, t + 1, f"{code}-{created.year}-{seq:05d}", 1 + events_per_problem, "self_inspection", domain,
                    category, "normal", title, f"{title}，群众反映后经核查属实，需限期整改。", uid, "张三", "李局长",
                    "deadline", "约谈相关人员，完善制度", deadline, deadline, "f", str(created.year), status, "f",
                    "", "", "", 0, "", "{}", "{}", "user:1", created, created, closed, "f" if closed else None,
                )  # fmt: skip

    copy(
        cur,
        "problem",
        ["id", "tenant_id", "number", "version", "source", "domain", "category", "severity", "title", "description",
         "unit_id", "responsible_person", "responsible_leader", "rectification_type", "measures", "deadline",
         "original_deadline", "deadline_provisional", "phase", "status", "city_assigned", "progress", "completion",
         "verification_opinion", "return_count", "dismissed_reason", "custom_fields", "local_fields", "created_by",
         "created_at", "updated_at", "closed_at", "closed_late"],
        problems(),
    )  # fmt: skip
    print(f"{total} problems in {time.perf_counter() - started:.1f}s", flush=True)

    heads: dict[int, tuple[int, str]] = {}
    event_total = 0

    def events():
        nonlocal event_total
        kinds = ["created", "assign", "sign", "note_added", "evidence_added", "updated", "submit", "return",
                 "submit", "close"]  # fmt: skip
        for t in range(args.tenants):
            seq, prev = 0, GENESIS
            tenant_id = t + 1
            for pid, created, status, *_ in problem_rows(
                t, tenant_id, "", counts[t], firsts[t], unit_ids[t], args.seed
            ):
                at = created
                for k in range(events_per_problem):
                    seq += 1
                    at = at + timedelta(minutes=7)
                    kind = kinds[k % len(kinds)]
                    body = canonical(
                        {"seq": seq, "tenant_id": tenant_id, "problem_id": pid, "actor": "user:1",
                         "at": at.isoformat(), "kind": kind, "data": {"step": k, "status": status}}
                    )  # fmt: skip
                    digest = chain_hash(prev, body)
                    yield row(tenant_id, seq, pid, "user:1", at, kind, body, prev, digest)
                    prev = digest
            heads[tenant_id] = (seq, prev)
            event_total += seq
            if t % 100 == 0:
                print(f"  events of tenant {t}: total {event_total} ({time.perf_counter() - started:.0f}s)", flush=True)

    copy(
        cur,
        "problem_event",
        ["tenant_id", "seq", "problem_id", "actor", "at", "kind", "body", "prev_hash", "hash"],
        events(),
    )
    copy(
        cur,
        "audit_head",
        ["tenant_id", "seq", "hash", "count"],
        (row(t, s, h, s) for t, (s, h) in heads.items()),
    )
    years = {}
    for t in range(args.tenants):
        for _pid, created, *_rest in problem_rows(t, t + 1, "", counts[t], firsts[t], unit_ids[t], args.seed):
            years[(t + 1, created.year)] = years.get((t + 1, created.year), 0) + 1
    copy(cur, "problem_counter", ["tenant_id", "year", "last"], (row(t, y, n) for (t, y), n in years.items()))
    for table in ("tenant", "unit", "problem", "problem_event"):
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    conn.commit()
    print(f"{event_total} events in {time.perf_counter() - started:.1f}s; analyzing", flush=True)
    conn.autocommit = True
    cur.execute("VACUUM ANALYZE")
    print(f"built in {time.perf_counter() - started:.1f}s; bearer token of bench.admin (tenant t0000): {TOKEN}")


if __name__ == "__main__":
    main()
