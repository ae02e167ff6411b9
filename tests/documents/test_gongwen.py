"""The 公文 builder (GB/T 9704-2012) on its own, and its PDF preview where LibreOffice is installed."""

from __future__ import annotations

from datetime import date

import pytest
from fixtures.gongwen import assert_gongwen, keep_png, pdf_pages, soffice

from core.documents import pdf
from core.documents.gongwen import (
    Gongwen,
    chinese_date,
    chinese_number,
    document_number,
    heading_number,
    title_lines,
)


def test_numbers_and_dates_as_the_standard_writes_them():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 21, 99)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "二十一",
        "九十九",
    ]
    assert [heading_number(level, 2) for level in (1, 2, 3, 4)] == ["二、", "（二）", "2.", "（2）"]
    assert document_number("江市监通", 2026, 12) == "江市监通〔2026〕12号"
    assert document_number("江市监通", 2026, 1) == "江市监通〔2026〕1号"  # no 第, no leading zeros
    assert chinese_date(date(2026, 1, 5)) == "2026年1月5日"
    with pytest.raises(ValueError, match="heading level"):
        heading_number(5, 1)


def test_a_long_title_breaks_at_a_word_not_inside_one():
    assert title_lines("行风建设问题督办单") == ["行风建设问题督办单"]
    assert title_lines("关于2024年10月行风建设问题整改情况的通报") == ["关于2024年10月", "行风建设问题整改情况的通报"]
    lines = title_lines("关于开展行风建设三年攻坚专项行动第二阶段重点任务推进情况督查的通报")
    assert lines == ["关于开展行风建设三年攻坚专项行动", "第二阶段重点任务推进情况督查的通报"]


def _sample() -> bytes:
    doc = Gongwen()
    doc.red_header("江州市市场监督管理局文件", "江市监通〔2026〕12号")
    doc.title("关于2026年11月行风建设问题整改情况的通报")
    doc.recipients(["各县区市场监督管理局", "市局各处室、直属单位"])
    doc.paragraph("为推进行风建设三年攻坚专项行动，现将整改情况通报如下。" * 8)
    doc.heading(1, "总体情况")
    doc.heading(2, "建立台账。", "各县区局要逐项建立整改台账。")
    doc.heading(3, "明确责任人。")
    doc.heading(4, "按月更新。")
    doc.heading(2, "按时报送。")
    doc.heading(1, "工作要求")
    doc.table(["排名", "县区局", "得分"], [[str(i), "北塘区市场监督管理局", "90.00"] for i in range(1, 40)])
    doc.signature("江州市市场监督管理局", date(2026, 12, 3))
    doc.record(cc=["省市场监督管理局"], printer="江州市市场监督管理局办公室", printed_on=date(2026, 12, 3))
    return doc.bytes()


def test_the_builder_lays_out_a_document_to_the_standard():
    doc = assert_gongwen(
        _sample(),
        mark="江州市市场监督管理局文件",
        number="江市监通〔2026〕12号",
        title="关于2026年11月行风建设问题整改情况的通报",
        headings=[
            (1, "一、总体情况"),
            (2, "（一）建立台账"),
            (3, "1.明确责任人"),
            (4, "（1）按月更新"),
            (2, "（二）按时报送"),
            (1, "二、工作要求"),
        ],
    )
    text = [p.text for p in doc.paragraphs]
    assert "各县区市场监督管理局，市局各处室、直属单位：" in text  # 主送, a full-width colon after the last
    assert "抄送：省市场监督管理局。" in text
    assert text.index("江州市市场监督管理局") < text.index("2026年12月3日")  # 落款 over 成文日期
    body = next(p for p in doc.paragraphs if p.text.startswith("为推进"))
    assert body.paragraph_format.first_line_indent == 2 * 16 * 12700  # 左空二字
    # the 版记's lines: thick first and last, thin between
    cc = next(p for p in doc.paragraphs if p.text.startswith("抄送"))
    assert cc._element.xpath("./w:pPr/w:pBdr/w:top/@w:sz") == ["8"]
    assert cc._element.xpath("./w:pPr/w:pBdr/w:bottom/@w:sz") == ["4"]
    # fallbacks declared for viewers without the named fonts
    table = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable")).blob.decode()
    assert 'w:name="仿宋_GB2312"' in table
    assert "Noto Serif CJK SC" in table


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (Debian libreoffice-writer) is not installed")
def test_the_pdf_preview_keeps_a4_the_margins_and_the_pages(tmp_path):
    made = pdf.to_pdf(_sample())
    assert made.startswith(b"%PDF")
    pages = pdf_pages(made, tmp_path)
    width, height = pages["size"]
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    assert pages["pages"] >= 2  # 39 table rows do not fit one page
    mm = 72 / 25.4
    left = min(b[0] for b in pages["boxes"])
    right = max(b[2] for b in pages["boxes"] if b[3] < (297 - 35) * mm)  # the 版心, not the page number
    top = min(b[1] for b in pages["boxes"])
    assert left >= 28 * mm - 1
    assert right <= (210 - 26) * mm + 1
    assert top >= 37 * mm - 1
    png = keep_png(made, "gongwen-sample")
    assert png.stat().st_size > 1000


def test_without_a_converter_the_preview_says_why(monkeypatch):
    monkeypatch.setenv("XINGFENG_SOFFICE", "none")
    assert not pdf.available()
    with pytest.raises(pdf.PreviewUnavailable, match="LibreOffice"):
        pdf.to_pdf(_sample())
