"""The registry's workbook format: the import template's columns, shared by the export.

An export (with full ID numbers) is in the template's columns plus two for reading
(所在监区, 状态), which the import ignores. Validation and writing are in ``imports.py``.
"""

from __future__ import annotations

from tongxin.org.excel import Column, template_workbook

CATEGORY_SEPARATOR = "、"

PRISONER_COLUMNS = (
    Column("罪犯编号", "number", True, 14, "唯一;已在名册中的编号不能再导入"),
    Column("姓名", "name", True, 10),
    Column("性别", "gender", True, 6, "男 / 女,须与身份证号一致"),
    Column("身份证号", "id_number", True, 22, "18位,校验位须正确"),
    Column("出生日期", "birth_date", True, 12, "YYYY-MM-DD,须与身份证号一致"),
    Column("单位代码", "unit_code", True, 12, "所在监区或分监区的单位代码,须在您的数据范围内"),
    Column("罪名", "crimes", True, 24),
    Column(
        "从严类别",
        "categories",
        False,
        30,
        "可空;多个用“、”分隔,填中文名称或代码,如 职务犯罪、累犯(累犯与“确有履行能力而不履行"
        "财产性判项”也在此填写)",
    ),
    Column("刑种", "sentence_type", True, 14, "有期徒刑 / 无期徒刑 / 死刑缓期二年执行"),
    Column("刑期(年)", "term_years", False, 8, "有期徒刑填写;整数"),
    Column("刑期(月)", "term_months", False, 8, "有期徒刑填写;0至11"),
    Column("限制减刑", "restricted_reduction", False, 8, "是 / 否,可空(否)"),
    Column("判决执行之日", "execution_start", True, 14, "YYYY-MM-DD"),
    Column("判决前羁押天数", "detention_days", False, 12, "整数,可空(0)"),
    Column("入监日期", "admitted_on", True, 12, "YYYY-MM-DD"),
    Column("判决法院", "court", False, 20),
    Column("判决书号", "judgment_number", False, 20),
    Column("财产性判项金额(元)", "property_amount", False, 14, "可空(0)"),
    Column("已履行金额(元)", "property_paid", False, 14, "可空(0),不能超过判项金额"),
    Column("健康状况", "health", False, 12, "可空(健康)"),
)

EXPORT_COLUMNS = (
    *PRISONER_COLUMNS,
    Column("所在监区", "unit_name", False, 20, "导出时附带,导入时不读"),
    Column("状态", "status", False, 10, "导出时附带,导入时不读"),
)

TEMPLATE_EXAMPLE = [
    "4201230001",
    "张三",
    "男",
    "420106199001011231",
    "1990-01-01",
    "P01D01",
    "盗窃罪",
    "累犯",
    "有期徒刑",
    8,
    6,
    "否",
    "2021-03-15",
    120,
    "2021-05-10",
    "武汉市中级人民法院",
    "(2021)鄂01刑初12号",
    20000,
    5000,
    "健康",
]


def template() -> bytes:
    return template_workbook(PRISONER_COLUMNS, TEMPLATE_EXAMPLE, "罪犯名册")
