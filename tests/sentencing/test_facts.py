"""The JSON input format: good input becomes engine facts, bad input is named by its path."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from tongxin.sentencing.engine import (
    CaseFacts,
    Reduction,
    Sentence,
    assess,
    assessment_to_json,
)
from tongxin.sentencing.facts import FactsError, case_to_json, parse_case, parse_cases
from tongxin.sentencing.rules import Category, Merit, ReductionKind, SentenceType

D = dt.date


def fixed_case(**changes: Any) -> dict[str, Any]:
    case = {
        "id": "4201-0001",
        "sentence": {
            "type": "fixed_term",
            "years": 6,
            "months": 0,
            "execution_start": "2020-03-01",
            "detention_days": 100,
            "restricted_reduction": False,
        },
        "categories": ["duty_crime", "financial"],
        "merit": "repentance",
        "reductions": [
            {"ruling_date": "2021-09-10", "kind": "reduction", "months": 9, "to_years": 0},
            {"ruling_date": "2022-09-10", "kind": "reduction", "months": 6, "to_years": None},
        ],
    }
    case.update(changes)
    return case


def life_case(**changes: Any) -> dict[str, Any]:
    case = {
        "id": "4201-0002",
        "sentence": {"type": "life", "execution_start": "2015-07-01"},
        "merit": "meritorious",
        "reductions": [
            {"ruling_date": "2017-09-15", "kind": "commutation", "months": 0, "to_years": 22}
        ],
    }
    case.update(changes)
    return case


def death_case(**changes: Any) -> dict[str, Any]:
    case = {
        "id": "4201-0003",
        "sentence": {
            "type": "death_reprieve",
            "years": 0,
            "months": 0,
            "execution_start": "2018-03-01",
            "restricted_reduction": True,
        },
        "merit": "repentance",
        "reductions": [
            {"ruling_date": "2020-03-10", "kind": "commutation", "to_years": None},
            {"ruling_date": "2025-03-20", "kind": "commutation", "to_years": 25},
        ],
    }
    case.update(changes)
    return case


# --- Good input ---------------------------------------------------------------------------


def test_parse_fixed_term() -> None:
    (facts,) = parse_cases([fixed_case()])
    assert facts == CaseFacts(
        "4201-0001",
        Sentence(SentenceType.FIXED_TERM, D(2020, 3, 1), 6, 0, 100, False),
        Merit.REPENTANCE,
        frozenset({Category.DUTY_CRIME, Category.FINANCIAL}),
        (
            Reduction(D(2021, 9, 10), ReductionKind.REDUCTION, 9, None),
            Reduction(D(2022, 9, 10), ReductionKind.REDUCTION, 6, None),
        ),
    )


def test_parse_life_and_death() -> None:
    life, death = parse_cases([life_case(), death_case()])
    assert life.sentence == Sentence(SentenceType.LIFE, D(2015, 7, 1))
    assert life.reductions == (Reduction(D(2017, 9, 15), ReductionKind.COMMUTATION, 0, 22),)
    assert death.sentence.restricted_reduction is True
    assert death.reductions == (
        Reduction(D(2020, 3, 10), ReductionKind.COMMUTATION, 0, None),
        Reduction(D(2025, 3, 20), ReductionKind.COMMUTATION, 0, 25),
    )


def test_defaults_and_nulls() -> None:
    minimal = {
        "id": "x",
        "sentence": {"type": "fixed_term", "years": 2, "execution_start": "2020-03-01"},
        "merit": "repentance",
    }
    facts = parse_case(minimal, 0)
    assert facts.sentence.months == 0
    assert facts.sentence.detention_days == 0
    assert facts.sentence.restricted_reduction is False
    assert facts.categories == frozenset()
    assert facts.reductions == ()
    nulls = copy.deepcopy(minimal)
    nulls["sentence"].update(months=None, detention_days=None, restricted_reduction=None)
    nulls.update(categories=None, reductions=None)
    assert parse_case(nulls, 0) == facts


def test_unknown_keys_are_ignored() -> None:
    case = fixed_case(exported_by="4201监狱", notes={"free": "text"})
    case["sentence"]["court"] = "武汉市中级人民法院"
    case["reductions"][0]["court"] = "武汉市中级人民法院"
    assert parse_case(case, 0) == parse_case(fixed_case(), 0)


@pytest.mark.parametrize(
    "term", [{}, {"years": 0}, {"months": 0}, {"years": None, "months": None}], ids=repr
)
def test_life_takes_no_term(term: dict) -> None:
    case = life_case()
    case["sentence"].update(term)
    assert parse_case(case, 0).sentence.term_months == 0


@pytest.mark.parametrize("to_years", [0, None], ids=["zero", "null"])
def test_commutation_to_life(to_years: int | None) -> None:
    case = death_case(reductions=[{"ruling_date": "2020-03-10", "kind": "commutation"}])
    case["reductions"][0]["to_years"] = to_years
    assert parse_case(case, 0).reductions[0].to_years is None


def test_round_trip() -> None:
    for case in (fixed_case(), life_case(), death_case()):
        facts = parse_case(case, 0)
        assert parse_case(json.loads(json.dumps(case_to_json(facts))), 0) == facts


def test_parse_then_assess_end_to_end() -> None:
    (facts,) = parse_cases([fixed_case(categories=[])])
    result = assessment_to_json(assess(facts, D(2023, 6, 1)))
    # Interval: max(12, previous 6) months after 2022-09-10; term start 2019-11-22 (100 days
    # credited), half of 72 months 2022-11-22, 12 months after the 6-month ruling 2023-09-10.
    assert result["reduction"]["earliest_date"] == "2023-09-10"
    assert result["reduction"]["eligible"] is False
    assert result["reduction"]["max_months"] == 9
    assert result["parole"]["earliest_date"] == "2023-09-10"


# --- Bad input: every error names its field ---------------------------------------------------


def _sentence(**changes: Any) -> Callable[[dict], None]:
    return lambda case: case["sentence"].update(changes)


def _drop_sentence(key: str) -> Callable[[dict], None]:
    return lambda case: case["sentence"].pop(key)


def _set(**changes: Any) -> Callable[[dict], None]:
    return lambda case: case.update(changes)


def _drop(key: str) -> Callable[[dict], None]:
    return lambda case: case.pop(key)


def _ruling(index: int, **changes: Any) -> Callable[[dict], None]:
    return lambda case: case["reductions"][index].update(changes)


def _drop_ruling(index: int, key: str) -> Callable[[dict], None]:
    return lambda case: case["reductions"][index].pop(key)


def _rulings(*rulings: dict) -> Callable[[dict], None]:
    return lambda case: case.update(reductions=list(rulings))


BAD_FIXED_TERM = [
    pytest.param(_drop("id"), "[0].id", "缺少字段", id="id-missing"),
    pytest.param(_set(id=""), "[0].id", "应为非空字符串", id="id-empty"),
    pytest.param(_set(id="   "), "[0].id", "应为非空字符串", id="id-blank"),
    pytest.param(_set(id=17), "[0].id", "应为非空字符串", id="id-int"),
    pytest.param(_set(id=None), "[0].id", "不能为 null", id="id-null"),
    pytest.param(_drop("sentence"), "[0].sentence", "缺少字段", id="sentence-missing"),
    pytest.param(_set(sentence=[6]), "[0].sentence", "应为 JSON 对象", id="sentence-list"),
    pytest.param(_drop_sentence("type"), "[0].sentence.type", "缺少字段", id="type-missing"),
    pytest.param(
        _sentence(type="probation"),
        "[0].sentence.type",
        "未知的刑罚类型 'probation'，可选：fixed_term, life, death_reprieve",
        id="type-unknown",
    ),
    pytest.param(_sentence(type=1), "[0].sentence.type", "应为字符串", id="type-int"),
    pytest.param(
        _drop_sentence("execution_start"),
        "[0].sentence.execution_start",
        "缺少字段",
        id="start-missing",
    ),
    pytest.param(
        _sentence(execution_start="2023-02-30"),
        "[0].sentence.execution_start",
        "日期格式应为 YYYY-MM-DD：'2023-02-30' 不是有效日期",
        id="start-feb-30",
    ),
    pytest.param(
        _sentence(execution_start="2021-02-29"),
        "[0].sentence.execution_start",
        "不是有效日期",
        id="start-feb-29-non-leap",
    ),
    pytest.param(
        _sentence(execution_start="2023/02/01"),
        "[0].sentence.execution_start",
        "日期格式应为 YYYY-MM-DD：'2023/02/01'",
        id="start-slashes",
    ),
    pytest.param(
        _sentence(execution_start="2023-2-1"),
        "[0].sentence.execution_start",
        "日期格式应为 YYYY-MM-DD",
        id="start-short",
    ),
    pytest.param(
        _sentence(execution_start="20230201"),
        "[0].sentence.execution_start",
        "日期格式应为 YYYY-MM-DD",
        id="start-compact",
    ),
    pytest.param(
        _sentence(execution_start=20230201),
        "[0].sentence.execution_start",
        "应为 YYYY-MM-DD 格式的日期字符串",
        id="start-int",
    ),
    pytest.param(_drop_sentence("years"), "[0].sentence.years", "缺少字段", id="years-missing"),
    pytest.param(_sentence(years=-1), "[0].sentence.years", "不能为负数", id="years-negative"),
    pytest.param(_sentence(years=True), "[0].sentence.years", "应为整数", id="years-bool"),
    pytest.param(_sentence(years=6.0), "[0].sentence.years", "应为整数", id="years-float"),
    pytest.param(_sentence(years="6"), "[0].sentence.years", "应为整数", id="years-string"),
    pytest.param(_sentence(years=26), "[0].sentence.years", "不能大于 25", id="years-26"),
    pytest.param(
        _sentence(years=25, months=1), "[0].sentence.months", "不能超过25年", id="over-25-years"
    ),
    pytest.param(_sentence(months=12), "[0].sentence.months", "不能大于 11", id="months-12"),
    pytest.param(_sentence(months=-2), "[0].sentence.months", "不能为负数", id="months-neg"),
    pytest.param(_sentence(months=False), "[0].sentence.months", "应为整数", id="months-bool"),
    pytest.param(
        _sentence(years=0, months=0), "[0].sentence.years", "刑期不能为零", id="zero-term"
    ),
    pytest.param(
        _sentence(detention_days=-5),
        "[0].sentence.detention_days",
        "不能为负数",
        id="detention-negative",
    ),
    pytest.param(
        _sentence(detention_days=True),
        "[0].sentence.detention_days",
        "应为整数",
        id="detention-bool",
    ),
    pytest.param(
        # One year from 2019-03-01 (366 days credited) ended on 2020-02-29.
        _sentence(years=1, detention_days=366),
        "[0].sentence.detention_days",
        "已届满",
        id="detention-uses-up-term",
    ),
    pytest.param(
        _sentence(restricted_reduction=1),
        "[0].sentence.restricted_reduction",
        "应为 true 或 false",
        id="restricted-int",
    ),
    pytest.param(
        _sentence(restricted_reduction=True),
        "[0].sentence.restricted_reduction",
        "仅适用于死刑缓期执行",
        id="restricted-on-fixed",
    ),
    pytest.param(_set(categories="duty_crime"), "[0].categories", "应为数组", id="cat-string"),
    pytest.param(
        _set(categories=["duty_crime", "foo"]),
        "[0].categories[1]",
        "未知的类别 'foo'，可选：duty_crime, financial, mafia, state_security, terrorism, "
        "drug_ringleader, drug_recidivist, recidivist, property_unfulfilled, violent_10y, "
        "combined_10y",
        id="cat-unknown",
    ),
    pytest.param(_set(categories=[3]), "[0].categories[0]", "应为字符串", id="cat-int"),
    pytest.param(
        _set(categories=["mafia", "recidivist", "mafia"]),
        "[0].categories[2]",
        "重复的类别",
        id="cat-duplicate",
    ),
    pytest.param(_drop("merit"), "[0].merit", "缺少字段", id="merit-missing"),
    pytest.param(_set(merit=None), "[0].merit", "不能为 null", id="merit-null"),
    pytest.param(
        _set(merit="excellent"),
        "[0].merit",
        "未知的立功表现等级 'excellent'，可选：repentance, meritorious, "
        "repentance_and_meritorious, major_meritorious, repentance_and_major_meritorious",
        id="merit-unknown",
    ),
    pytest.param(_set(reductions={}), "[0].reductions", "应为数组", id="reductions-object"),
    pytest.param(
        _set(reductions=["2021-09-10"]), "[0].reductions[0]", "应为 JSON 对象", id="ruling-str"
    ),
    pytest.param(
        _drop_ruling(1, "ruling_date"),
        "[0].reductions[1].ruling_date",
        "缺少字段",
        id="ruling-date-missing",
    ),
    pytest.param(
        _ruling(1, ruling_date="2022-09-31"),
        "[0].reductions[1].ruling_date",
        "不是有效日期",
        id="ruling-date-invalid",
    ),
    pytest.param(_drop_ruling(0, "kind"), "[0].reductions[0].kind", "缺少字段", id="kind-missing"),
    pytest.param(
        _ruling(0, kind="pardon"),
        "[0].reductions[0].kind",
        "未知的裁定种类 'pardon'，可选：reduction, commutation",
        id="kind-unknown",
    ),
    pytest.param(
        _drop_ruling(0, "months"), "[0].reductions[0].months", "缺少字段", id="months-missing"
    ),
    pytest.param(_ruling(0, months=0), "[0].reductions[0].months", "应大于0", id="months-zero"),
    pytest.param(
        _ruling(1, months=-3), "[0].reductions[1].months", "不能为负数", id="months-negative"
    ),
    pytest.param(_ruling(0, months=True), "[0].reductions[0].months", "应为整数", id="m-bool"),
    pytest.param(
        _ruling(0, to_years=20), "[0].reductions[0].to_years", "不填写 to_years", id="to-years"
    ),
    pytest.param(
        _ruling(0, kind="commutation", months=0, to_years=3),
        "[0].reductions[0].kind",
        "只能减刑",
        id="commutation-of-fixed-term",
    ),
    pytest.param(
        _ruling(0, ruling_date="2020-02-29"),
        "[0].reductions[0].ruling_date",
        "早于判决执行之日 2020-03-01",
        id="ruling-before-execution-start",
    ),
    pytest.param(
        _ruling(1, ruling_date="2021-05-01"),
        "[0].reductions[1].ruling_date",
        "应晚于上一次裁定 2021-09-10",
        id="rulings-out-of-order",
    ),
    pytest.param(
        _ruling(1, ruling_date="2021-09-10"),
        "[0].reductions[1].ruling_date",
        "应晚于上一次裁定",
        id="rulings-same-day",
    ),
    pytest.param(
        # Six years from 2019-11-22 less 9 months end on 2025-02-21.
        _ruling(1, ruling_date="2025-02-22"),
        "[0].reductions[1].ruling_date",
        "晚于当时的刑期届满日 2025-02-21",
        id="ruling-after-release",
    ),
    pytest.param(
        _rulings(
            {"ruling_date": "2021-09-10", "kind": "reduction", "months": 36},
            {"ruling_date": "2022-09-10", "kind": "reduction", "months": 36},
        ),
        "[0].reductions[1].months",
        "已达到或超过刑期",
        id="reductions-use-up-term",
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_FIXED_TERM)
def test_bad_fixed_term_case(change: Callable[[dict], None], field: str, message: str) -> None:
    case = fixed_case()
    change(case)
    with pytest.raises(FactsError) as raised:
        parse_cases([case])
    assert raised.value.field == field
    assert message in raised.value.message
    assert str(raised.value) == f"{field}：{raised.value.message}"


BAD_LIFE_AND_DEATH = [
    pytest.param(life_case, _sentence(years=5), "[0].sentence.years", "没有刑期年月", id="life-y"),
    pytest.param(
        life_case, _sentence(months=3), "[0].sentence.months", "应为 0 或省略", id="life-months"
    ),
    pytest.param(
        life_case, _sentence(years=-1), "[0].sentence.years", "不能为负数", id="life-negative"
    ),
    pytest.param(
        life_case,
        _sentence(restricted_reduction=True),
        "[0].sentence.restricted_reduction",
        "仅适用于死刑缓期执行",
        id="life-restricted",
    ),
    pytest.param(
        life_case,
        _ruling(0, to_years=0),
        "[0].reductions[0].to_years",
        "只有死缓的首次减刑可以减为无期徒刑",
        id="life-to-life",
    ),
    pytest.param(
        life_case,
        _ruling(0, to_years=26),
        "[0].reductions[0].to_years",
        "应在1到25之间",
        id="life-to-26",
    ),
    pytest.param(
        life_case,
        _ruling(0, to_years=-22),
        "[0].reductions[0].to_years",
        "不能为负数",
        id="to-years-negative",
    ),
    pytest.param(
        life_case,
        _ruling(0, to_years=True),
        "[0].reductions[0].to_years",
        "应为整数",
        id="to-years-bool",
    ),
    pytest.param(
        life_case,
        _ruling(0, months=6),
        "[0].reductions[0].months",
        "不填写 months",
        id="commutation-with-months",
    ),
    pytest.param(
        life_case,
        _rulings({"ruling_date": "2017-09-15", "kind": "reduction", "months": 9}),
        "[0].reductions[0].kind",
        "尚未减为有期徒刑",
        id="life-reduced-before-commutation",
    ),
    pytest.param(
        life_case,
        _rulings(
            {"ruling_date": "2017-09-15", "kind": "commutation", "to_years": 22},
            {"ruling_date": "2019-09-15", "kind": "commutation", "to_years": 20},
        ),
        "[0].reductions[1].kind",
        "已减为有期徒刑",
        id="life-commuted-twice",
    ),
    pytest.param(
        death_case,
        _rulings({"ruling_date": "2020-03-10", "kind": "reduction", "months": 9}),
        "[0].reductions[0].kind",
        "尚未减为有期徒刑",
        id="death-reduced-before-commutation",
    ),
    pytest.param(
        death_case,
        _ruling(1, to_years=None),
        "[0].reductions[1].to_years",
        "只有死缓的首次减刑可以减为无期徒刑",
        id="death-to-life-twice",
    ),
    pytest.param(
        death_case,
        _sentence(execution_start="2018-02-30"),
        "[0].sentence.execution_start",
        "不是有效日期",
        id="death-bad-start",
    ),
    pytest.param(
        death_case,
        _sentence(restricted_reduction="yes"),
        "[0].sentence.restricted_reduction",
        "应为 true 或 false",
        id="death-restricted-string",
    ),
]


@pytest.mark.parametrize(("build", "change", "field", "message"), BAD_LIFE_AND_DEATH)
def test_bad_life_and_death_case(
    build: Callable[[], dict], change: Callable[[dict], None], field: str, message: str
) -> None:
    case = build()
    change(case)
    with pytest.raises(FactsError) as raised:
        parse_cases([case])
    assert raised.value.field == field
    assert message in raised.value.message


@pytest.mark.parametrize(
    "data", [{"id": "x"}, "[]", None, 3, ({},)], ids=["object", "string", "null", "int", "tuple"]
)
def test_top_level_must_be_a_list(data: object) -> None:
    with pytest.raises(FactsError) as raised:
        parse_cases(data)
    assert raised.value.field == ""
    assert "顶层应为数组" in raised.value.message


@pytest.mark.parametrize(
    ("item", "message"),
    [
        pytest.param(None, "应为 JSON 对象，而不是 null", id="null"),
        pytest.param([1, 2], "应为 JSON 对象，而不是 数组", id="list"),
        pytest.param("case", "应为 JSON 对象", id="string"),
    ],
)
def test_each_case_must_be_an_object(item: object, message: str) -> None:
    with pytest.raises(FactsError) as raised:
        parse_cases([fixed_case(), item])
    assert raised.value.field == "[1]"
    assert message in raised.value.message


def test_error_path_names_the_index_of_the_bad_case() -> None:
    bad = life_case(id="second")
    bad["reductions"][0]["ruling_date"] = "2017-13-01"
    with pytest.raises(FactsError) as raised:
        parse_cases([fixed_case(), death_case(), bad])
    assert raised.value.field == "[2].reductions[0].ruling_date"


def test_duplicate_ids() -> None:
    with pytest.raises(FactsError) as raised:
        parse_cases([fixed_case(), life_case(), fixed_case()])
    assert raised.value.field == "[2].id"
    assert "重复" in raised.value.message and "[0]" in raised.value.message


def test_parse_case_uses_the_given_index() -> None:
    with pytest.raises(FactsError) as raised:
        parse_case(fixed_case(merit="none"), 41)
    assert raised.value.field == "[41].merit"


def test_empty_list_is_fine() -> None:
    assert parse_cases([]) == []


def test_facts_error_is_a_value_error() -> None:
    assert issubclass(FactsError, ValueError)
    error = FactsError("[0].id", "缺少字段")
    assert (error.field, error.message, str(error)) == ("[0].id", "缺少字段", "[0].id：缺少字段")
