"""Time the printed documents (docs/operations.md, "Documents: fonts and the PDF preview").

Builds three documents in the national format with core/documents/gongwen.py — a one-page 整改通知书, a 通报
with a table of 30 counties (4 pages), and a 工作简报 of 40 articles (42 pages) — and times, each ``--runs``
times after a warm-up:

1. making the Word file (``Gongwen.bytes``), in the web worker;
2. turning it into the PDF preview (``core.documents.pdf.to_pdf``: LibreOffice, headless, its own profile);
3. two previews at once (two threads), to show that conversions do not lock each other out.

No database is needed. LibreOffice comes from Debian (libreoffice-writer-nogui); fonts from fonts-noto-cjk.

    .venv/bin/python bench/documents_bench.py --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.documents import pdf  # noqa: E402
from core.documents.gongwen import Gongwen  # noqa: E402

DAY = date(2026, 12, 3)
COUNTIES = [f"第{n}县市场监督管理局" for n in range(1, 31)]
TEXT = (
    "各县区局要对照问题清单逐项整改，建立台账、明确时限、落实责任，做到问题不查清不放过、整改不到位不放过、"
    "群众不满意不放过。对整改不力、敷衍塞责的，依规依纪严肃追责问责。"
)


def notice() -> bytes:
    doc = Gongwen()
    doc.red_header("江州市市场监督管理局", "江市监改〔2026〕12号")
    doc.title("关于限期整改行风问题的通知")
    doc.recipients(["临江县市场监督管理局"])
    doc.paragraph(TEXT)
    doc.heading(1, "整改要求")
    doc.paragraph(TEXT)
    doc.signature("江州市市场监督管理局", DAY)
    doc.record(cc=["市纪委监委驻市市场监管局纪检监察组"], printer="江州市市场监督管理局办公室", printed_on=DAY)
    return doc.bytes()


def bulletin() -> bytes:
    doc = Gongwen()
    doc.red_header("江州市市场监督管理局文件", "江市监通〔2026〕8号")
    doc.title("关于2026年11月行风建设问题整改情况的通报")
    doc.recipients(COUNTIES[:6])
    for level in (1, 2):
        doc.heading(level, "整改总体情况")
        doc.paragraph(TEXT * 2)
    rows = [[str(n), name, f"{90 - n * 1.5:.2f}", str(n)] for n, name in enumerate(COUNTIES, start=1)]
    doc.table(["序号", "单位", "得分", "排名"], rows)
    doc.signature("江州市市场监督管理局", DAY)
    doc.record(cc=["市纪委监委驻市市场监管局纪检监察组"], printer="江州市市场监督管理局办公室", printed_on=DAY)
    return doc.bytes()


def briefing() -> bytes:
    doc = Gongwen()
    doc.briefing_header("行风建设工作简报", "第12期", "江州市市场监督管理局编", DAY)
    for n in range(1, 41):
        doc.article(f"{COUNTIES[n % 30]}推进行风建设的做法", TEXT * 6, source="据县区局报送")
    doc.distribution([("报", ["省市场监督管理局"]), ("发", COUNTIES)])
    return doc.bytes()


def timed(fn, runs: int) -> dict[str, float]:
    fn()  # warm-up: imports, fonts, LibreOffice's first start
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50": statistics.median(samples), "min": samples[0], "max": samples[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    documents = {"notice": notice, "bulletin": bulletin, "briefing": briefing}
    print(f"{'document':<10} {'step':<12} {'p50 ms':>9} {'min':>9} {'max':>9} {'size':>9}")
    for name, build in documents.items():
        body = build()
        row = timed(build, args.runs)
        print(f"{name:<10} {'docx':<12} {row['p50']:9.1f} {row['min']:9.1f} {row['max']:9.1f} {len(body):9d}")
        if not pdf.available():
            print(f"{name:<10} {'pdf':<12} {'(no LibreOffice: ' + pdf.UNAVAILABLE + ')'}")
            continue
        made = pdf.to_pdf(body)
        row = timed(lambda body=body: pdf.to_pdf(body), args.runs)
        print(f"{name:<10} {'pdf':<12} {row['p50']:9.1f} {row['min']:9.1f} {row['max']:9.1f} {len(made):9d}")
    if pdf.available():
        body = bulletin()
        with ThreadPoolExecutor(2) as pool:
            row = timed(lambda: list(pool.map(pdf.to_pdf, [body, body])), args.runs)
        print(f"{'bulletin':<10} {'2 at once':<12} {row['p50']:9.1f} {row['min']:9.1f} {row['max']:9.1f}")


if __name__ == "__main__":
    main()
