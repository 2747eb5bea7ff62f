"""Excel workbooks for units and officers: templates, export, and reading uploaded sheets.

Only the file format lives here; validation and writing are in ``imports.py`` (a service).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from tongxin.web.pages import XLSX_CONTENT_TYPE

__all__ = ["XLSX_CONTENT_TYPE"]


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False
    width: int = 14
    note: str = ""


UNIT_COLUMNS = (
    Column("单位代码", "code", True, 14, "唯一;已存在的代码将更新该单位"),
    Column("名称", "name", True, 28),
    Column("简称", "short_name", False, 16),
    Column("类别", "kind", True, 12, "监狱 / 科室 / 监区 / 分监区 / 镇(街道) / 村(社区) 等"),
    Column("上级单位代码", "parent_code", True, 14, "上级单位须已存在或在本表前面的行中"),
    Column("排序", "sort_order", False, 8, "整数,可空"),
)

OFFICER_COLUMNS = (
    Column("警号", "police_number", True, 12, "唯一;已存在的警号将更新该民警"),
    Column("姓名", "name", True, 10),
    Column("性别", "gender", True, 6, "男 / 女,须与身份证号一致"),
    Column("身份证号", "id_number", True, 22, "18位,校验位须正确"),
    Column("单位代码", "unit_code", True, 12),
    Column("职务", "post", False, 12),
    Column("警衔", "rank", False, 10, "如 一级警督"),
    Column("手机号码", "phone", False, 14),
    Column("家庭所在地", "home_region", False, 12),
    Column("配偶工作地", "spouse_work_region", False, 12),
    Column(
        "政治面貌",
        "party_status",
        False,
        12,
        "中共党员 / 中共预备党员 / 共青团员 / 民主党派 / 群众",
    ),
    Column("参加工作日期", "joined_on", False, 14, "YYYY-MM-DD"),
)

_HEADER_FILL = PatternFill("solid", fgColor="B3121B")
_HEADER_FONT = Font(bold=True, color="FFFFFF")


class WorkbookFormatError(ValueError):
    """The file is not a workbook of the expected shape."""


def _style_header(sheet, columns: Iterable[Column]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.fill, cell.font = _HEADER_FILL, _HEADER_FONT
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"


def template_workbook(columns: tuple[Column, ...], example: list, title: str) -> bytes:
    """An empty sheet with headers and one example row, plus a sheet explaining each column."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([c.header for c in columns])
    sheet.append(example)
    _style_header(sheet, columns)
    notes = book.create_sheet("填写说明")
    notes.append(["列", "必填", "说明"])
    for column in columns:
        notes.append([column.header, "是" if column.required else "否", column.note])
    notes.append([])
    notes.append(["第2行为示例,导入前请删除。任何一行有误时整个文件都不会导入。"])
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["C"].width = 60
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_rows(columns: tuple[Column, ...], rows: Iterable[list], title: str) -> bytes:
    """A streaming (write-only) workbook: fine for tens of thousands of rows."""
    return write_sheets([(title, columns, rows)])


def write_sheets(sheets: Iterable[tuple[str, tuple[Column | str, ...], Iterable[list]]]) -> bytes:
    """A streaming workbook of several sheets: (title, columns or plain headers, rows)."""
    book = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title)
        columns = tuple(c if isinstance(c, Column) else Column(c, "") for c in columns)
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        sheet.append([c.header for c in columns])
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(data: bytes, columns: tuple[Column, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line number, {field: text})`` for each non-empty row of the first sheet."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-workbook
        raise WorkbookFormatError("文件不是有效的 Excel(.xlsx)工作簿") from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, ())]
    expected = [c.header for c in columns]
    missing = [h for h in expected if h not in header]
    if missing:
        raise WorkbookFormatError(f"表头缺少列:{'、'.join(missing)}。请使用下载的模板。")
    positions = {c.field: header.index(c.header) for c in columns}
    for line, values in enumerate(rows, start=2):
        texts = [_text(v) for v in values]
        if not any(texts):
            continue
        yield (
            line,
            {field: texts[pos] if pos < len(texts) else "" for field, pos in positions.items()},
        )
    book.close()
