"""Official documents of the review procedure as PDF: the proposal to the court (提请减刑建议书,
提请假释建议书), the approval form of temporary execution outside prison (暂予监外执行审批表)
and a prison's public notice (公示).

reportlab's built-in CID font ``STSong-Light`` carries the Chinese text (no system font and
nothing embedded from outside), and every paragraph wraps the CJK way (``wordWrap="CJK"``), so
long crimes, reasons and opinions break inside the table cells instead of running off the page.
The caller checks scope and permission, and audits the download.
"""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from tongxin.org.excel import Column, write_rows
from tongxin.prisoners import selectors as prisoner_selectors
from tongxin.prisoners.models import Category

from . import selectors
from .forms import TEMPORARY_GROUNDS
from .models import Case, CaseKind

FONT = "STSong-Light"
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=9, leading=13),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=13.5),
        "label": ParagraphStyle("label", parent=body, fontSize=9.5, leading=13.5),
        "title": ParagraphStyle(
            "title", parent=body, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=4
        ),
        "org": ParagraphStyle("org", parent=body, fontSize=12, leading=18, alignment=TA_CENTER),
        "number": ParagraphStyle("number", parent=body, alignment=TA_RIGHT),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
        "heading": ParagraphStyle(
            "heading", parent=body, fontSize=12, leading=18, spaceBefore=8, spaceAfter=3
        ),
    }


def _p(text, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: markup characters escaped, line breaks kept."""
    plain = escape(str(text if text not in (None, "") else "—"))
    return Paragraph(plain.replace("\n", "<br/>"), style)


def _date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def _grid(rows, widths, *, label_columns=(0,), header=False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for column in label_columns:
        commands.append(("BACKGROUND", (column, 0), (column, -1), colors.HexColor("#f2f2f2")))
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")))
    table.setStyle(TableStyle(commands))
    return table


def _document(buffer, *, title: str, pagesize=A4) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="同心信息平台",
    )


# --- the case -------------------------------------------------------------------------------


def document_title(case: Case) -> str:
    return {
        CaseKind.REDUCTION: "提请减刑建议书",
        CaseKind.PAROLE: "提请假释建议书",
        CaseKind.TEMPORARY: "暂予监外执行审批表",
    }[case.kind]


def _facts_rows(case: Case, dossier: selectors.CaseDossier, s) -> list[list]:
    prisoner = case.prisoner
    labels = dict(Category.choices)
    categories = "、".join(str(labels[c]) for c in prisoner.engine_categories()) or "无"
    term = (
        f"{_date(prisoner.term_start)}至{_date(dossier.term_end)}"
        if dossier.term_end
        else f"{_date(prisoner.execution_start)}起"
    )

    def pair(a, b, c, d):
        return [_p(a, s["label"]), _p(b, s["cell"]), _p(c, s["label"]), _p(d, s["cell"])]

    rows = [
        pair("姓名", prisoner.name, "罪犯编号", prisoner.number),
        pair("性别", prisoner.get_gender_display(), "出生日期", _date(prisoner.birth_date)),
        pair("罪名", prisoner.crimes, "从严类别", categories),
        pair("原判法院", prisoner.court, "判决书号", prisoner.judgment_number),
        pair("原判刑罚", prisoner.sentence_label, "现执行刑罚", dossier.current_sentence),
        pair(
            "判决执行之日",
            _date(prisoner.execution_start),
            "先行羁押",
            f"{prisoner.detention_days}日",
        ),
        pair("刑期起止", term, "所在监区", case.unit.name),
    ]
    previous = [c for c in dossier.changes if c.case_id != case.pk]
    history = ";".join(
        f"{_date(c.ruling_date)}{c.court or ''}{c.ruling_number or ''}裁定{_change_text(c)}"
        for c in previous
    )
    rows.append([_p("历次刑罚变动", s["label"]), _p(history or "无", s["cell"]), "", ""])
    return rows


def _change_text(change) -> str:
    if change.kind == "reduction":
        return f"减刑{change.months}个月"
    return f"减为有期徒刑{change.to_years}年" if change.to_years else "减为无期徒刑"


def _conduct_flowables(case: Case, conduct: selectors.ConductRecord, s, width) -> list:
    summary = (
        f"考核期间{_date(conduct.start)}至{_date(conduct.end)}:累计考核得分{conduct.points}分,"
        f"获表扬{conduct.commendations}次,立功{conduct.merits}次,"
        f"重大立功{conduct.major_merits}次,严重违规{conduct.serious_violations}次。"
    )
    merit = prisoner_selectors.merit_label(case.merit or None) or "未认定"
    parts = [
        _p(f"改造表现认定:{merit}。{case.merit_basis}", s["body"]),
        _p(summary, s["body"]),
    ]
    if conduct.rewards:
        rows = [[_p("日期", s["label"]), _p("奖励类别", s["label"]), _p("事由", s["label"])]]
        rows += [
            [
                _p(_date(r.awarded_on), s["cell"]),
                _p(r.get_kind_display(), s["cell"]),
                _p(r.reason, s["cell"]),
            ]
            for r in conduct.rewards
        ]
        parts.append(Spacer(1, 3))
        parts.append(
            _grid(rows, [width * 0.22, width * 0.16, width * 0.62], label_columns=(), header=True)
        )
    return parts


def _verdict_lines(case: Case) -> list[str]:
    part = selectors.verdict_part(case.kind, case.verdict)
    lines = []
    if case.kind == CaseKind.TEMPORARY:
        lines.append("依法适用暂予监外执行。" if part.get("applicable") else "依法不适用。")
    else:
        if part.get("earliest_date"):
            lines.append(f"最早可提请日期:{part['earliest_date']}。")
        if case.kind == CaseKind.REDUCTION:
            if part.get("commute_to_years"):
                low, high = part["commute_to_years"]
                lines.append(f"依法可减为有期徒刑{low}年至{high}年。")
            elif part.get("commute_to") == "life":
                lines.append("依法减为无期徒刑。")
            elif part.get("max_months") is not None:
                lines.append(f"依法本次最多可减刑{part['max_months']}个月。")
    version = (case.verdict or {}).get("ruleset") or case.ruleset_version
    if version:
        lines.append(f"规则版本:{version}(判断日期{(case.verdict or {}).get('on', '—')})。")
    return lines


def _basis_flowables(case: Case, s) -> list:
    reasons = selectors.passing_reasons(case)
    items = [_p(f"{i}. 〔{r['basis']}〕{r['text']}", s["body"]) for i, r in enumerate(reasons, 1)]
    return items or [_p("(无)", s["body"])]


def _steps_rows(dossier: selectors.CaseDossier, s) -> list[list]:
    rows = [
        [
            _p("环节", s["label"]),
            _p("意见", s["label"]),
            _p("经办人", s["label"]),
            _p("时间", s["label"]),
            _p("意见内容", s["label"]),
        ]
    ]
    for step in dossier.steps:
        rows.append(
            [
                _p(selectors.STEP_LABELS.get(step.step, step.step), s["cell"]),
                _p(selectors.DECISION_LABELS.get(step.decision, step.decision), s["cell"]),
                _p(str(step.actor), s["cell"]),
                _p(f"{timezone.localtime(step.acted_at):%Y-%m-%d %H:%M}", s["cell"]),
                _p(step.opinion, s["cell"]),
            ]
        )
    return rows


def _proposal_story(case, dossier, conduct, prison_name, s, width) -> list:
    prisoner = case.prisoner
    story = [
        _p(prison_name, s["org"]),
        _p(document_title(case), s["title"]),
        _p(f"编号:{case.number}", s["number"]),
        _p("一、罪犯基本情况", s["heading"]),
        _facts_table(case, dossier, s, width),
        _p("二、改造表现", s["heading"]),
        *_conduct_flowables(case, conduct, s, width),
        _p("三、提请意见", s["heading"]),
    ]
    if case.kind == CaseKind.REDUCTION:
        proposal = f"建议对罪犯{prisoner.name}{selectors.amount_text(case)}。"
    else:
        proposal = f"建议对罪犯{prisoner.name}予以假释。"
    story += [_p(proposal, s["body"]), _p(f"提请理由:{case.reasons}", s["body"])]
    if case.kind == CaseKind.PAROLE:
        story.append(_p(f"再犯罪危险评估:{case.risk_assessment}", s["body"]))
    story += [_p(line, s["body"]) for line in _verdict_lines(case)]
    story.append(_p("四、法律依据", s["heading"]))
    story += _basis_flowables(case, s)
    story.append(_p("五、办理过程", s["heading"]))
    story.append(
        _grid(
            _steps_rows(dossier, s),
            [width * 0.2, width * 0.1, width * 0.12, width * 0.18, width * 0.4],
            label_columns=(),
            header=True,
        )
    )
    if case.notice_start:
        answered = sum(1 for o in dossier.objections if o.answered_on)
        story.append(
            _p(
                f"狱内公示:{_date(case.notice_start)}至{_date(case.notice_end)},"
                f"收到异议{len(dossier.objections)}件,已答复{answered}件。",
                s["body"],
            )
        )
    addressee = case.submitted_to or "人民法院"
    story += [
        Spacer(1, 10),
        _p(f"此致\n{addressee}", s["body"]),
        Spacer(1, 14),
        KeepTogether(
            [
                _p(prison_name, s["right"]),
                _p("(公章)", s["right"]),
                _p(_date(case.submitted_on or timezone.localdate()), s["right"]),
            ]
        ),
    ]
    return story


def _facts_table(case, dossier, s, width) -> Table:
    rows = _facts_rows(case, dossier, s)
    table = _grid(
        rows, [width * 0.16, width * 0.34, width * 0.16, width * 0.34], label_columns=(0, 2)
    )
    last = len(rows) - 1
    table.setStyle(
        TableStyle(
            [("SPAN", (1, last), (3, last)), ("BACKGROUND", (1, last), (3, last), colors.white)]
        )
    )
    return table


def _opinion_text(dossier, codes: tuple[str, ...]) -> str:
    """The opinions of the given steps, each with who and when."""
    parts = []
    for step in dossier.steps:
        if step.step in codes:
            verdict = selectors.DECISION_LABELS.get(step.decision, "")
            acted_on = _date(timezone.localtime(step.acted_at).date())
            parts.append(f"{verdict}。{step.opinion}\n经办人:{step.actor}  {acted_on}")
    return "\n".join(parts) or "—"


def _temporary_story(case, dossier, conduct, prison_name, s, width) -> list:
    grounds = case.temporary_grounds or {}
    ground_text = ";".join(
        f"{'■' if grounds.get(name) else '□'}{label}" for name, label in TEMPORARY_GROUNDS
    )
    reviewers = "\n".join(
        f"{r.reviewer}:{selectors.DECISION_LABELS.get(r.decision, '未评审')}。{r.opinion}"
        for r in dossier.reviewers
    )
    notice = (
        f"{_date(case.notice_start)}至{_date(case.notice_end)},收到异议{len(dossier.objections)}件"
        if case.notice_start
        else "—"
    )
    rows = [
        ["暂予监外执行情形", ground_text],
        ["病情诊断或检查证明", case.medical_assessment],
        ["监区意见", _opinion_text(dossier, ("propose",))],
        ["刑罚执行科意见", _opinion_text(dossier, ("section_review",))],
        ["评审中心意见", reviewers or "—"],
        ["评审委员会意见", _opinion_text(dossier, ("committee",))],
        ["狱内公示", notice],
        ["监狱长办公会意见", _opinion_text(dossier, ("director",))],
        ["省监狱管理局审批意见", _opinion_text(dossier, ("bureau_approval",))],
    ]
    table = _grid(
        [[_p(a, s["label"]), _p(b, s["cell"])] for a, b in rows],
        [width * 0.22, width * 0.78],
    )
    basis = _basis_flowables(case, s)
    return [
        _p(prison_name, s["org"]),
        _p(document_title(case), s["title"]),
        _p(f"编号:{case.number}", s["number"]),
        _p("一、罪犯基本情况", s["heading"]),
        _facts_table(case, dossier, s, width),
        _p("二、改造表现", s["heading"]),
        *_conduct_flowables(case, conduct, s, width),
        _p("三、审批意见", s["heading"]),
        table,
        _p("四、法律依据", s["heading"]),
        *basis,
        Spacer(1, 14),
        KeepTogether(
            [
                _p(prison_name, s["right"]),
                _p("(公章)", s["right"]),
                _p(_date(case.submitted_on or timezone.localdate()), s["right"]),
            ]
        ),
    ]


def case_pdf(
    case: Case,
    dossier: selectors.CaseDossier,
    conduct: selectors.ConductRecord,
    *,
    prison_name: str,
) -> bytes:
    """The proposal (reduction, parole) or the approval form (temporary execution)."""
    s = _styles()
    buffer = io.BytesIO()
    doc = _document(buffer, title=f"{document_title(case)} {case.number}")
    width = doc.width
    builder = _temporary_story if case.kind == CaseKind.TEMPORARY else _proposal_story
    doc.build(builder(case, dossier, conduct, prison_name, s, width))
    return buffer.getvalue()


# --- the notice -----------------------------------------------------------------------------

HOW_TO_OBJECT = (
    "公示期间,对上述罪犯的提请有异议的,可以实名或者匿名,以书面或者当面方式向监狱刑罚执行科、"
    "监狱纪检监察部门或者驻监检察室反映。监狱对收到的异议逐件登记、核查,并在公示期满前书面答复。"
)


def notice_rows(cases) -> list[dict]:
    """The notice's rows as plain values (page and PDF show the same)."""
    rows = []
    for case in cases:
        prisoner = case.prisoner
        rows.append(
            {
                "case": case,
                "name": prisoner.name,
                "number": selectors.mask_number(prisoner.number),
                "crimes": prisoner.crimes,
                "sentence": prisoner.sentence_label,
                "proposal": selectors.amount_text(case),
                "merit": prisoner_selectors.merit_label(case.merit or None) or "—",
                "merit_basis": case.merit_basis,
                "unit": case.unit.name,
                "period": f"{case.notice_start:%Y-%m-%d}至{case.notice_end:%Y-%m-%d}"
                if case.notice_start
                else "—",
            }
        )
    return rows


def notice_pdf(prison_name: str, rows: list[dict], *, today: dt.date) -> bytes:
    s = _styles()
    buffer = io.BytesIO()
    doc = _document(buffer, title=f"{prison_name}公示", pagesize=landscape(A4))
    width = doc.width
    header = [
        "序号",
        "姓名",
        "罪犯编号",
        "监区",
        "罪名",
        "原判刑罚",
        "提请事项",
        "改造表现",
        "公示期",
    ]
    table_rows = [[_p(h, s["label"]) for h in header]]
    for i, row in enumerate(rows, 1):
        table_rows.append(
            [
                _p(i, s["cell"]),
                _p(row["name"], s["cell"]),
                _p(row["number"], s["cell"]),
                _p(row["unit"], s["cell"]),
                _p(row["crimes"], s["cell"]),
                _p(row["sentence"], s["cell"]),
                _p(row["proposal"], s["cell"]),
                _p(f"{row['merit']}({row['merit_basis']})", s["small"]),
                _p(row["period"], s["cell"]),
            ]
        )
    fractions = [0.05, 0.07, 0.1, 0.08, 0.14, 0.1, 0.11, 0.23, 0.12]
    story = [
        _p(prison_name, s["org"]),
        _p("减刑、假释、暂予监外执行案件公示", s["title"]),
        _p(
            "根据《监狱法》和有关规定,经监区集体研究、刑罚执行科审查、评审中心评审和监狱"
            "减刑假释暂予监外执行评审委员会评审,拟对下列罪犯提请减刑、假释或者暂予监外执行,"
            "现予公示,公示期不少于五个工作日。",
            s["body"],
        ),
        Spacer(1, 6),
        _grid(table_rows, [width * f for f in fractions], label_columns=(), header=True),
        Spacer(1, 8),
    ]
    if not rows:
        story.insert(4, _p("目前没有公示中的案件。", s["body"]))
    story += [
        _p(HOW_TO_OBJECT, s["body"]),
        Spacer(1, 12),
        _p(prison_name, s["right"]),
        _p(_date(today), s["right"]),
    ]
    doc.build(story)
    return buffer.getvalue()


# --- the list as a workbook -------------------------------------------------------------------

EXPORT_COLUMNS = (
    Column("案件编号", "number", width=20),
    Column("罪犯编号", "prisoner_number", width=14),
    Column("罪犯姓名", "prisoner_name", width=10),
    Column("提请监区", "unit", width=14),
    Column("案件类别", "kind", width=12),
    Column("状态", "status", width=16),
    Column("结果", "outcome", width=16),
    Column("提请事项", "amount", width=18),
    Column("提请日期", "proposed_on", width=12),
    Column("未处置预警", "open_alerts", width=10),
    Column("本环节天数", "days_in_step", width=10),
    Column("公示期", "notice", width=24),
    Column("裁定(批准)", "ruling", width=30),
)


def cases_workbook(cases) -> tuple[bytes, int]:
    """The case list (annotated by ``selectors.cases_for``) as a workbook, streamed; returns
    the bytes and the row count."""
    count = 0
    today = timezone.localdate()

    def rows():
        nonlocal count
        for case in cases.iterator(chunk_size=2000):
            count += 1
            days = selectors.days_in_step(case, today)
            yield [
                case.number,
                case.prisoner.number,
                case.prisoner.name,
                case.unit.name,
                case.get_kind_display(),
                case.get_status_display(),
                case.get_outcome_display() if case.outcome else "",
                selectors.amount_text(case),
                case.proposed_on.isoformat(),
                case.open_alerts,
                "" if days is None else days,
                f"{case.notice_start}至{case.notice_end}" if case.notice_start else "",
                selectors.ruling_text(case),
            ]

    return write_rows(EXPORT_COLUMNS, rows(), "评审案件"), count
