"""Documents in the national 公文 format (GB/T 9704-2012 《党政机关公文格式》), built with python-docx.

One builder, :class:`Gongwen`, lays out what every printed document of the service shares: A4 paper with the
standard margins (天头 37 mm, 订口 28 mm, 版心 156 × 225 mm), 22 lines of 28 characters, body in 3号 仿宋_GB2312,
the red 版头 (发文机关标志 and a red separator line under the 发文字号), the title in 2号 方正小标宋简体, 主送机关,
headings numbered 一、 (一) 1. (1) in 黑体 / 楷体 / 仿宋, the 落款 and 成文日期, the 版记 (抄送, 印发机关和印发日期)
and page numbers “— 1 —” at the outer foot (odd pages right, even pages left).

Fonts are named as the standard names them; viewers that lack them take the metric-compatible fallbacks declared
in the document's font table (Debian's fonts-noto-cjk and fonts-arphic), and the server's PDF converter maps the
same names by fontconfig (``fonts.conf`` beside this module).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

# --- the standard's measures --------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
#: 22 lines in the 225 mm 版心: 225 mm / 22 = 28.95 pt a line (579 twentieths of a point)
LINE_PITCH_TWIPS = 579
LINE_PITCH = Pt(LINE_PITCH_TWIPS / 20)
#: 28 characters in the 156 mm 版心 (442.2 pt): 3号 (16 pt) condensed by 0.25 pt is 15.75 pt a character, 441 pt a
#: line (w:spacing in twentieths of a point). Condensed type rather than Word's character grid, which LibreOffice
#: and WPS lay out differently.
CHAR_CONDENSE_TWIPS = -5

#: Chinese type sizes (号) in points
SIZE = {"初号": 42, "小初": 36, "一号": 26, "二号": 22, "三号": 16, "四号": 14, "小四": 12, "五号": 10.5}

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_1_FONT = "黑体"
HEADING_2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

#: the fallback each named font takes where it is not installed (metric-compatible: every CJK glyph is one em wide)
FALLBACKS = {
    TITLE_FONT: "Noto Serif CJK SC",
    BODY_FONT: "Noto Serif CJK SC",
    HEADING_1_FONT: "Noto Sans CJK SC",
    HEADING_2_FONT: "AR PL UKai CN",
    PAGE_NUMBER_FONT: "AR PL UMing CN",
    LATIN_FONT: "Liberation Serif",
}

RED = RGBColor(0xFF, 0x00, 0x00)

CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (heading numbers go no further)."""
    if not 1 <= n <= 99:
        raise ValueError(f"heading number out of range: {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CHINESE_DIGITS[ones]
    return ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十" + (CHINESE_DIGITS[ones] if ones else "")


def heading_number(level: int, n: int) -> str:
    """The standard's 结构层次序数: level 1 一、, level 2 （一）, level 3 1., level 4 （1）."""
    if level == 1:
        return f"{chinese_number(n)}、"
    if level == 2:
        return f"（{chinese_number(n)}）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    raise ValueError(f"heading level out of range: {level}")


def chinese_date(day: date) -> str:
    """成文日期 as the standard writes it: Arabic numerals, the year in full, no leading zeros (2026年12月3日)."""
    return f"{day.year}年{day.month}月{day.day}日"


def document_number(code: str, year: int, seq: int) -> str:
    """发文字号: 代字, the year in 六角括号, the sequence number without 第 and without leading zeros."""
    return f"{code}〔{year}〕{seq}号"


def _set_fonts(run, east_asia: str, size: float, latin: str = LATIN_FONT) -> None:
    run.font.name = latin
    run.font.size = Pt(size)
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _border(paragraph, edge: str, size_eighths: int, color: str = "000000", space: int = 1) -> None:
    p_pr = paragraph._element.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        p_pr.append(borders)
    line = OxmlElement(f"w:{edge}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size_eighths))
    line.set(qn("w:space"), str(space))
    line.set(qn("w:color"), color)
    borders.append(line)


def _field(paragraph, instruction: str, font: str, size: float) -> None:
    """A field (PAGE) as Word writes it: begin, instruction, separate, a placeholder result, end."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", "1"), ("end", None)):
        run = paragraph.add_run()
        _set_fonts(run, font, size, latin=font)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._element.append(instr)
        elif kind == "text":
            run.text = text
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)


class Gongwen:
    """A document being written in the 公文 format; :meth:`bytes` gives the .docx.

    Typical use::

        doc = Gongwen()
        doc.red_header("江州市市场监督管理局文件", "江市监通〔2026〕12号")
        doc.title("关于2026年11月行风建设问题整改情况的通报")
        doc.recipients(["各县区市场监督管理局", "市局各处室、直属单位"])
        doc.paragraph("……")
        doc.heading(1, "通报表彰")
        doc.signature("江州市市场监督管理局", date(2026, 12, 3))
        doc.record(cc=["省市场监督管理局"], printer="江州市市场监督管理局办公室", printed_on=date(2026, 12, 3))
    """

    def __init__(self) -> None:
        self.doc = Document()
        self._numbers = [0, 0, 0, 0]
        self._page_setup()
        self._styles()
        self._declare_fallbacks()
        self._page_numbers()

    # --- set-up -----------------------------------------------------------------------------------------------

    def _page_setup(self) -> None:
        section = self.doc.sections[0]
        section.start_type = WD_SECTION.NEW_PAGE
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        section.header_distance = Mm(15)
        # the page number's 一字线 sits 7 mm under the 版心: 35 mm − 7 mm − the 4号 line (about 5 mm)
        section.footer_distance = Mm(23)
        sect_pr = section._sectPr
        grid = sect_pr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            sect_pr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
        # odd and even pages carry their page number on the outer side
        settings = self.doc.settings.element
        if settings.find(qn("w:evenAndOddHeaders")) is None:
            settings.append(OxmlElement("w:evenAndOddHeaders"))

    def _styles(self) -> None:
        normal = self.doc.styles["Normal"]
        normal.font.name = LATIN_FONT
        normal.font.size = Pt(SIZE["三号"])
        r_pr = normal.element.get_or_add_rPr()
        fonts = r_pr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            r_pr.insert(0, fonts)
        fonts.set(qn("w:eastAsia"), BODY_FONT)
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(CHAR_CONDENSE_TWIPS))
        r_pr.append(spacing)
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE_PITCH
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.widow_control = True

    def _declare_fallbacks(self) -> None:
        """Add each named font to the font table with the fallback a viewer lacking it should take (w:altName)."""
        part = next(r.target_part for r in self.doc.part.rels.values() if r.reltype.endswith("/fontTable"))
        element = etree.fromstring(part.blob)
        for name, fallback in FALLBACKS.items():
            font = OxmlElement("w:font")
            font.set(qn("w:name"), name)
            alt = OxmlElement("w:altName")
            alt.set(qn("w:val"), fallback)
            font.append(alt)
            charset = OxmlElement("w:charset")
            charset.set(qn("w:val"), "00" if name == LATIN_FONT else "86")
            font.append(charset)
            element.append(font)
        part._blob = etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _page_numbers(self) -> None:
        section = self.doc.sections[0]
        for footer, align in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            p.alignment = align
            # 单页码居右空一字，双页码居左空一字
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                p.paragraph_format.right_indent = Pt(SIZE["四号"])
            else:
                p.paragraph_format.left_indent = Pt(SIZE["四号"])
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            size = SIZE["四号"]
            run = p.add_run("— ")
            _set_fonts(run, PAGE_NUMBER_FONT, size, latin=PAGE_NUMBER_FONT)
            _field(p, "PAGE", PAGE_NUMBER_FONT, size)
            run = p.add_run(" —")
            _set_fonts(run, PAGE_NUMBER_FONT, size, latin=PAGE_NUMBER_FONT)

    # --- parts of the document ---------------------------------------------------------------------------------

    def _paragraph(self, text: str = "", font: str = BODY_FONT, size: float = SIZE["三号"], *, bold=False, color=None):
        p = self.doc.add_paragraph()
        if text:
            run = p.add_run(text)
            _set_fonts(run, font, size)
            run.bold = bold or None
            if color is not None:
                run.font.color.rgb = color
        return p

    def blank(self, lines: int = 1) -> None:
        for _ in range(lines):
            self._paragraph()

    def red_header(self, mark: str, number: str = "", *, signer: str = "") -> None:
        """版头: the 发文机关标志 in red 小标宋 35 mm under the top of the 版心, the 发文字号 two lines under it,
        and the red separator line 4 mm under the number, as wide as the 版心."""
        p = self._paragraph(mark, TITLE_FONT, _mark_size(mark), color=RED)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_before = Mm(35) - LINE_PITCH
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.paragraph_format.space_after = Pt(0)
        self.blank(2)
        p = self._paragraph(number)
        if signer:
            p.add_run("　" * 6)
            run = p.add_run(f"签发人：{signer}")
            _set_fonts(run, BODY_FONT, SIZE["三号"])
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _border(p, "bottom", 18, "FF0000", space=4)
        self.blank(2)

    def briefing_header(self, name: str, issue: str, editor: str, day: date) -> None:
        """The 简报's 版头: its name in large red 小标宋, the 期号 under it, then the editing body on the left and
        the date on the right above a red separator line."""
        p = self._paragraph(name, TITLE_FONT, _mark_size(name), color=RED)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_before = Mm(25)
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        self.blank()
        p = self._paragraph(issue)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.blank()
        p = self._paragraph(editor)
        p.paragraph_format.tab_stops.add_tab_stop(PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT, alignment=2)
        run = p.add_run("\t" + chinese_date(day))
        _set_fonts(run, BODY_FONT, SIZE["三号"])
        _border(p, "bottom", 18, "FF0000", space=4)
        self.blank()

    def article(self, title: str, text: str, source: str = "") -> None:
        """One item of a 简报: its title in 3号 小标宋, centred, the text in paragraphs, and where it came from."""
        p = self._paragraph(title, TITLE_FONT, SIZE["三号"])
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.paragraph(text)
        if source:
            p = self._paragraph(f"（{source}）")
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self.blank()

    def distribution(self, lines: Sequence[tuple[str, Sequence[str]]]) -> None:
        """The 简报's 版记: 报、送、发 lines in 4号 仿宋 between thick lines, thin lines between them."""
        self.blank()
        size = SIZE["四号"]
        shown = [(label, names) for label, names in lines if names]
        for n, (label, names) in enumerate(shown):
            p = self._paragraph(f"{label}：" + "，".join(names) + "。", BODY_FONT, size)
            p.paragraph_format.left_indent = p.paragraph_format.right_indent = Pt(size)
            if n == 0:
                _border(p, "top", 8, space=2)
            _border(p, "bottom", 8 if n == len(shown) - 1 else 4, space=2)

    def title(self, text: str) -> None:
        """标题: 2号 小标宋, centred; a title longer than a line breaks where the meaning allows (see
        :func:`title_lines`) unless the caller gives the lines with newlines."""
        lines = text.splitlines() if "\n" in text else title_lines(text)
        p = self._paragraph(lines[0], TITLE_FONT, SIZE["二号"])
        for line in lines[1:]:  # one paragraph, its lines broken by line breaks (w:br)
            run = p.runs[-1]
            run.add_break()
            run.add_text(line)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing = Pt(SIZE["二号"] * 1.5)
        _no_grid(p)
        self.blank()

    def recipients(self, names: Sequence[str]) -> None:
        """主送机关: flush left, names joined by 、 within a kind and ， between, a full-width colon after the last."""
        if names:
            self._paragraph("，".join(names) + "：")

    def paragraph(self, text: str) -> None:
        """A body paragraph: 3号 仿宋, the first line indented two characters."""
        for line in text.splitlines():
            if line.strip():
                p = self._paragraph(line.strip())
                p.paragraph_format.first_line_indent = Pt(SIZE["三号"] * 2)

    def heading(self, level: int, text: str, tail: str = "") -> str:
        """A numbered heading (一、 in 黑体, （一） in 楷体, 1. and （1） in 仿宋); ``tail`` continues the same
        paragraph in the body font, as a short point often does. Answers the number given."""
        self._numbers[level - 1] += 1
        for deeper in range(level, 4):
            self._numbers[deeper] = 0
        number = heading_number(level, self._numbers[level - 1])
        font = {1: HEADING_1_FONT, 2: HEADING_2_FONT}.get(level, BODY_FONT)
        p = self._paragraph(number + text, font, SIZE["三号"])
        p.paragraph_format.first_line_indent = Pt(SIZE["三号"] * 2)
        if tail:
            run = p.add_run(tail)
            _set_fonts(run, BODY_FONT, SIZE["三号"])
        return number

    def table(self, header: Sequence[str], rows: Iterable[Sequence[str]], *, size: float = SIZE["四号"], widths=None):
        """A table across the 版心 in a smaller size (4号 by default), the header row in 黑体 and repeated on every
        page; ``widths`` (mm, one per column) where the columns should not be equal."""
        rows = list(rows)
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            _cell(cell, text, HEADING_1_FONT, size)
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                _cell(cell, str(text), BODY_FONT, size)
        _repeat_header(table)
        if widths:
            _widths(table, [Mm(w) for w in widths])
        return table

    def form(self, rows: Iterable[Sequence[str]], *, size: float = SIZE["四号"], label_mm: float = 38):
        """A form of label and value rows (督办单, 检查记录表's heading): labels in 黑体 in a narrow first column."""
        rows = list(rows)
        table = self.doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        label_width = Mm(label_mm)
        value_width = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT - label_width
        for label, value in rows:
            cells = table.add_row().cells
            _cell(cells[0], label, HEADING_1_FONT, size)
            _cell(cells[1], str(value), BODY_FONT, size)
        _widths(table, [label_width, value_width])
        return table

    def lines(self, *texts: str) -> None:
        """Lines flush left with no indent (signature lines of a form)."""
        for text in texts:
            self._paragraph(text)

    def signature(self, body: str, day: date) -> None:
        """落款 and 成文日期 (a document without a seal): the date two characters from the right, the issuing body
        centred over the date."""
        self.blank(2)
        when = chinese_date(day)
        width = max(len(body), len(when))
        for text in (body, when):
            p = self._paragraph(text)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            # centre the body over the date: pad the shorter line on the right by half the difference
            pad = (width - len(text)) / 2
            p.paragraph_format.right_indent = Pt(SIZE["三号"] * (2 + pad))

    def record(self, *, cc: Sequence[str], printer: str, printed_on: date) -> None:
        """版记: 抄送 and 印发机关和印发日期 in 4号 仿宋 between a thick line (first and last) and a thin one."""
        self.blank()
        size = SIZE["四号"]
        if cc:
            p = self._paragraph("抄送：" + "，".join(cc) + "。", BODY_FONT, size)
            p.paragraph_format.left_indent = p.paragraph_format.right_indent = Pt(size)
            p.paragraph_format.first_line_indent = 0
            _border(p, "top", 8, space=2)  # 0.35 mm thick line (w:sz in eighths of a point: 8 = 1 pt)
            _border(p, "bottom", 4, space=2)  # 0.25 mm thin line
        p = self._paragraph(printer, BODY_FONT, size)
        tab_stop = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT - Pt(size)
        p.paragraph_format.tab_stops.add_tab_stop(tab_stop, alignment=2)  # right-aligned tab: 印发日期右空一字
        run = p.add_run("\t" + chinese_date(printed_on) + "印发")
        _set_fonts(run, BODY_FONT, size)
        p.paragraph_format.left_indent = Pt(size)
        if not cc:
            _border(p, "top", 8, space=2)
        _border(p, "bottom", 8, space=2)

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


#: 2号 characters on one line of the 版心 (156 mm / 22 pt = 20, less one for fonts whose digits run wide)
TITLE_LINE = 19
#: characters after which a title may break without cutting a word (关于…／年月／的／和、及、与)
TITLE_BREAKS = "于月的和及与"


def title_lines(text: str) -> list[str]:
    """Break a long title as a 文秘 would: at a word boundary nearest the middle, never leaving a line too long;
    where no boundary fits, in the middle. Digits and Latin letters count half a character."""

    def width(s: str) -> float:
        return sum(0.5 if ch.isascii() else 1 for ch in s)

    if width(text) <= TITLE_LINE:
        return [text]
    fits = [
        i + 1
        for i, ch in enumerate(text[:-1])
        if ch in TITLE_BREAKS and width(text[: i + 1]) <= TITLE_LINE and width(text[i + 1 :]) <= TITLE_LINE
    ]
    if not fits:
        half = len(text) // 2
        return [text[:half], *title_lines(text[half:])]
    middle = width(text) / 2
    cut = min(fits, key=lambda i: abs(width(text[:i]) - middle))
    return [text[:cut], text[cut:]]


def _mark_size(mark: str) -> float:
    """The 发文机关标志 fills at most the 版心's width (156 mm): 初号 where it fits, smaller for long names."""
    for size in (SIZE["初号"], SIZE["小初"], SIZE["一号"], SIZE["二号"]):
        if len(mark) * size <= 156 / 25.4 * 72:
            return size
    return SIZE["二号"]


def _no_grid(paragraph) -> None:
    """Leave the line grid: a smaller or larger type than the body keeps its own line height."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph._element.get_or_add_pPr().append(snap)


def _cell(cell, text: str, font: str, size: float) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    _no_grid(p)
    p.paragraph_format.first_line_indent = 0
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    run = p.add_run(text)
    _set_fonts(run, font, size)


def _widths(table, widths) -> None:
    """Column widths as Word and LibreOffice both read them: the grid and every cell."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _repeat_header(table) -> None:
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
