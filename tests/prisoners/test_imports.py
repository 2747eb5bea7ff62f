"""Registry import from Excel: every row checked first; any bad row and nothing is written, each
error named with its line and reason; the template, the page, and export → import."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from tests.prisoners.conftest import make_prisoner
from tongxin.audit.models import AuditEntry
from tongxin.audit.services import snapshot
from tongxin.org import idcard
from tongxin.prisoners import excel
from tongxin.prisoners.imports import import_prisoners
from tongxin.prisoners.models import Prisoner, SentenceType

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in excel.PRISONER_COLUMNS]
BIRTH = dt.date(1988, 3, 9)


def an_id(sequence: int, male: bool = True, birth: dt.date = BIRTH) -> str:
    return idcard.make("420106", birth, sequence * 2 + (1 if male else 0))


def row(number: str, name: str, id_number: str, **extra) -> list:
    values = dict.fromkeys(HEADERS, "")
    values.update(
        {
            "罪犯编号": number,
            "姓名": name,
            "性别": "男" if idcard.gender(id_number) == "M" else "女",
            "身份证号": id_number,
            "出生日期": f"{BIRTH}",
            "单位代码": "P01D01",
            "罪名": "盗窃罪",
            "刑种": "有期徒刑",
            "刑期(年)": 8,
            "刑期(月)": 6,
            "判决执行之日": "2021-03-15",
            "入监日期": "2021-05-10",
        }
    )
    values.update(extra)
    return [values[h] for h in HEADERS]


def workbook(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_good_file_adds_the_prisoners(penalty_a, tree):
    data = workbook(
        [
            row(
                "4201000001",
                "周某",
                an_id(1),
                从严类别="职务犯罪、financial、组织、领导、参加、包庇、纵容黑社会性质组织犯罪;累犯",
                判决前羁押天数=120,
                判决法院="武汉市中级人民法院",
                判决书号="(2021)鄂01刑初12号",
                **{"财产性判项金额(元)": 20000, "已履行金额(元)": "5000.5"},
                限制减刑="否",
            ),
            row(
                "4201000002",
                "吴某",
                an_id(2, male=False),
                单位代码="P01D02",
                刑种="无期徒刑",
                **{"刑期(年)": "", "刑期(月)": ""},
                从严类别="确有履行能力而不履行财产性判项",
                限制减刑="是",
                健康状况="糖尿病",
                出生日期=dt.datetime(1988, 3, 9),  # a date cell, not text
            ),
        ]
    )
    report = import_prisoners(user=penalty_a, data=data)
    assert report.ok, report.errors
    assert report.created == 2
    zhou = Prisoner.objects.get(number="4201000001")
    assert zhou.unit == tree.district_a1
    assert zhou.categories == ["duty_crime", "financial", "mafia"]
    assert zhou.is_recidivist and not zhou.property_able_unfulfilled
    assert zhou.birth_date == BIRTH and zhou.gender == "M"
    assert (zhou.term_years, zhou.term_months, zhou.detention_days) == (8, 6, 120)
    assert zhou.property_paid == Decimal("5000.50") and zhou.health == "健康"
    assert zhou.status == "in_custody"
    wu = Prisoner.objects.get(number="4201000002")
    assert wu.sentence_type == SentenceType.LIFE and wu.term_years == 0
    assert wu.property_able_unfulfilled and wu.restricted_reduction and wu.health == "糖尿病"
    entry = AuditEntry.objects.get(action="prisoners.prisoner.import")
    assert entry.actor == penalty_a and entry.summary == "导入罪犯名册:新增 2 人"
    assert entry.unit_name == "湖北省洪山监狱"


def test_one_bad_row_writes_nothing_and_names_each_line(penalty_a, tree, people):
    good = an_id(3)
    bad_checksum = good[:-1] + ("0" if good[-1] != "0" else "1")
    future = f"{timezone.localdate() + dt.timedelta(days=3)}"
    rows = [
        row("4201000010", "好人", an_id(10)),  # line 2: fine
        row("4201000011", "甲", bad_checksum),  # 3
        row("4201000012", "乙", an_id(12), 性别="女"),  # 4
        row("4201000013", "丙", an_id(13), 出生日期="1988-03-10"),  # 5
        row("4201000014", "丁", an_id(14), 单位代码="P07D01"),  # 6: prison B
        row("4201000015", "戊", an_id(15), 单位代码="P01"),  # 7: a prison, not a district
        row("4201000016", "己", an_id(16), 从严类别="职务犯罪、贪污"),  # 8
        row("4201000017", "庚", an_id(17), **{"刑期(年)": "", "刑期(月)": ""}),  # 9
        row("4201000018", "辛", an_id(18), 刑种="无期徒刑"),  # 10: life with a term
        row("4201000019", "壬", an_id(19), **{"刑期(月)": 12}),  # 11
        row("4201000020", "癸", an_id(20), 判决执行之日=future),  # 12
        row("4201000010", "重号", an_id(21)),  # 13: number of line 2
        row("4201000022", "重证", an_id(10)),  # 14: ID of line 2
        row(people.a.number, "已在册", an_id(23)),  # 15
        row("4201000024", "证已在册", people.a.id_number, 性别="男"),  # 16
        row("4201000025", "多缴", an_id(25), **{"财产性判项金额(元)": 10, "已履行金额(元)": 20}),
        row("4201000026", "缺项", an_id(26), 罪名=""),  # 18
        row("4201000027", "坏日期", an_id(27), 入监日期="2021/05/10"),  # 19
        row("4201000028", "限减", an_id(28), 限制减刑="也许"),  # 20
        row("4201000029", "刑种", an_id(29), 刑种="拘役"),  # 21
        row("4201000030", "羁押", an_id(30), 判决前羁押天数="-3"),  # 22
    ]
    report = import_prisoners(user=penalty_a, data=workbook(rows))
    assert not report.ok and report.created == 0
    reasons = {e.line: e.reason for e in report.errors}
    assert sorted(reasons) == list(range(3, 23))
    assert reasons[3] == "身份证号校验位不正确"
    assert reasons[4] == "性别与身份证号不一致"
    assert reasons[5] == "出生日期与身份证号不一致"
    assert reasons[6] == "单位代码 P07D01 不存在或不在您的数据范围内"
    assert reasons[7] == "单位 湖北省洪山监狱 不是监区或分监区"
    assert reasons[8].startswith("从严类别“贪污”无效,可选:职务犯罪")
    assert reasons[9] == "有期徒刑须填写刑期(年或月)"
    assert reasons[10] == "无期徒刑不填写刑期年月"
    assert reasons[11] == "刑期(月)须为0至11的整数"
    assert reasons[12] == f"判决执行之日{future}晚于今天"
    assert reasons[13] == "罪犯编号 4201000010 与第 2 行重复"
    assert reasons[14] == "身份证号与第 2 行重复"
    assert reasons[15] == f"罪犯编号 {people.a.number} 已在名册中"
    assert reasons[16] == "身份证号已属于名册中的另一名罪犯"
    assert reasons[17] == "已履行金额不能超过财产性判项金额"
    assert reasons[18] == "“罪名”不能为空"
    assert reasons[19] == "入监日期“2021/05/10”不是有效日期(YYYY-MM-DD)"
    assert reasons[20] == "限制减刑“也许”无效,请填“是”或“否”"
    assert reasons[21].startswith("刑种“拘役”无效")
    assert reasons[22] == "判决前羁押天数须为0至20000的整数"
    assert Prisoner.objects.count() == 3  # only the fixture's
    assert not AuditEntry.objects.exists()


def test_a_model_rule_is_reported_on_its_line(penalty_a):
    report = import_prisoners(
        user=penalty_a, data=workbook([row("4201000040", "名" * 60, an_id(40))])
    )
    ((line, reason),) = [(e.line, e.reason) for e in report.errors]
    assert line == 2 and reason.startswith("姓名:")


@pytest.mark.parametrize(
    ("data", "line", "reason"),
    [
        (b"not a workbook", 1, "文件不是有效的 Excel(.xlsx)工作簿"),
        (workbook([], headers=["罪犯编号", "姓名"]), 1, "表头缺少列"),
        (workbook([]), 2, "文件中没有数据行"),
    ],
)
def test_the_file_itself_is_checked(penalty_a, data, line, reason):
    report = import_prisoners(user=penalty_a, data=data)
    assert report.errors[0].line == line and reason in report.errors[0].reason
    assert not Prisoner.objects.exists()


def test_import_needs_the_permission(district_a):
    with pytest.raises(PermissionDenied):
        import_prisoners(user=district_a, data=workbook([row("4201000050", "某", an_id(50))]))


def test_export_can_be_imported_back(client, tree, penalty_a):
    original = make_prisoner(
        tree.district_a2,
        "循环",
        categories=["mafia"],
        is_recidivist=True,
        property_amount=Decimal("300.50"),
        court="襄阳中院",
    )
    before = snapshot(original, ["number", "name", "id_number", "unit", "categories"])
    client.force_login(penalty_a)
    content = client.get(reverse("prisoners:export")).content
    original.delete()
    report = import_prisoners(user=penalty_a, data=content)
    assert report.ok, report.errors
    again = Prisoner.objects.get(number=before["number"])
    assert snapshot(again, ["number", "name", "id_number", "unit", "categories"]) == before
    assert again.is_recidivist and again.property_amount == Decimal("300.50")
    assert again.court == "襄阳中院" and again.sentence_label == original.sentence_label


# --- the page ---------------------------------------------------------------------------------


def test_template_download(client, penalty_a):
    client.force_login(penalty_a)
    response = client.get(reverse("prisoners:import-template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    example = [c.value for c in sheet[2]]
    assert idcard.problem(example[HEADERS.index("身份证号")]) is None
    assert book.worksheets[1].title == "填写说明"


def test_import_page(client, penalty_a, district_a):
    client.force_login(district_a)
    assert client.get(reverse("prisoners:import")).status_code == 403
    assert client.get(reverse("prisoners:import-template")).status_code == 403
    client.force_login(penalty_a)
    url = reverse("prisoners:import")
    html = client.get(url).content.decode()
    assert "下载导入模板" in html
    bad = workbook(
        [row("4201000060", "某", an_id(60)), row("4201000061", "某", an_id(61), 性别="女")]
    )
    response = client.post(url, {"file": SimpleUploadedFile("名册.xlsx", bad)})
    html = response.content.decode()
    assert "文件中有 1 处错误,未导入任何数据。" in html
    assert "<td>3</td><td>性别与身份证号不一致</td>" in html
    assert not Prisoner.objects.exists()
    good = workbook([row("4201000060", "某", an_id(60))])
    response = client.post(url, {"file": SimpleUploadedFile("名册.xlsx", good)}, follow=True)
    assert "导入成功:新增罪犯 1 人。" in response.content.decode()
    assert Prisoner.objects.count() == 1
    response = client.post(url, {"file": SimpleUploadedFile("名册.csv", b"a,b")})
    assert "请上传 .xlsx 格式的 Excel 文件" in response.content.decode()
