"""The JSON input format of the eligibility engine, parsed and validated into ``CaseFacts``.

A file (or request body) is a list of cases::

    {"id": "4201-0001",
     "sentence": {"type": "fixed_term", "years": 6, "months": 0,
                  "execution_start": "2020-03-01", "detention_days": 100,
                  "restricted_reduction": false},
     "categories": ["duty_crime"],
     "merit": "repentance",
     "reductions": [{"ruling_date": "2021-09-10", "kind": "reduction", "months": 9}]}

Every error is a ``FactsError`` naming the field by its path (``[2].sentence.execution_start``,
``[0].categories[1]``, ``[1].reductions[0].months``; the list itself is ``""``) with a Chinese
message, so that whoever prepared the file can find and fix it. The first error stops parsing.

Decisions:

* Unknown keys are ignored at every level (a newer exporter may add fields); unknown values of
  the closed vocabularies (type, category, merit, kind) are errors that list the valid values.
* ``null`` for an optional field means its default; for a required field it is an error.
* Integers must be JSON integers: ``true`` (a ``bool``, which Python counts as an ``int``),
  ``9.0`` and ``"9"`` are rejected. Dates are strings ``YYYY-MM-DD`` naming a real day.
* A fixed term needs ``years`` (0–25) and may have ``months`` (0–11, default 0); the total must
  be more than zero and at most 25 years (刑法第六十九条: a combined fixed term never exceeds
  25 years). Life and death with reprieve take no term: ``years``/``months`` absent, ``null``
  or 0. ``restricted_reduction`` only for death with reprieve (刑法第五十条第二款).
* ``detention_days`` may not use up the whole fixed term before execution began.
* Duplicate categories and duplicate case ids are errors (a duplicate is a data mistake).
* Reductions must already be in ruling-date order (strictly increasing) and none may precede
  ``execution_start``; the parser does not sort them, so an ordering mistake is reported at the
  ruling that breaks the order. A ``reduction`` needs ``months`` > 0 and no ``to_years``; a
  ``commutation`` has ``to_years`` (0 or ``null``: commuted to life) and no ``months``. Whether
  a ruling could have happened at all (a commutation of a fixed term, a reduction of an
  uncommuted life sentence, reductions that use up the whole term …) is checked by replaying
  the history with ``engine.standing_of``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

from .engine import CaseFacts, HistoryError, Reduction, Sentence, add_months, standing_of
from .rules import Category, Merit, ReductionKind, SentenceType

__all__ = ["FactsError", "case_to_json", "parse_case", "parse_cases"]

#: 刑法第六十九条: a combined fixed-term sentence never exceeds 25 years.
MAX_FIXED_TERM_YEARS = 25

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_Choice = TypeVar("_Choice", bound=StrEnum)


class FactsError(ValueError):
    """Bad input: ``field`` is the path of the offending value, ``message`` says what is wrong
    in Chinese."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}：{message}" if field else message)
        self.field = field
        self.message = message


# --- Field readers ------------------------------------------------------------------------


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise FactsError(path, f"应为 JSON 对象，而不是 {_describe(value)}")
    return value


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "布尔值 true" if value else "布尔值 false"
    if isinstance(value, str):
        return f"字符串 {value!r}"
    if isinstance(value, list):
        return "数组"
    if isinstance(value, Mapping):
        return "对象"
    return repr(value)


def _required(obj: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in obj:
        raise FactsError(f"{path}.{key}", "缺少字段")
    value = obj[key]
    if value is None:
        raise FactsError(f"{path}.{key}", "不能为 null")
    return value


def _integer(value: Any, path: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FactsError(path, f"应为整数，而不是 {_describe(value)}")
    if value < 0:
        raise FactsError(path, f"不能为负数：{value}")
    if value < minimum:
        raise FactsError(path, f"应大于等于 {minimum}：{value}")
    if maximum is not None and value > maximum:
        raise FactsError(path, f"不能大于 {maximum}：{value}")
    return value


def _optional_integer(obj: Mapping[str, Any], key: str, path: str, **limits: int) -> int:
    value = obj.get(key)
    return 0 if value is None else _integer(value, f"{path}.{key}", **limits)


def _date(value: Any, path: str) -> dt.date:
    if not isinstance(value, str):
        raise FactsError(path, f"应为 YYYY-MM-DD 格式的日期字符串，而不是 {_describe(value)}")
    if not _DATE.fullmatch(value):
        raise FactsError(path, f"日期格式应为 YYYY-MM-DD：{value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FactsError(path, f"日期格式应为 YYYY-MM-DD：{value!r} 不是有效日期") from None


def _choice(value: Any, path: str, choices: type[_Choice], what: str) -> _Choice:
    options = ", ".join(member.value for member in choices)
    if not isinstance(value, str):
        raise FactsError(path, f"应为字符串，而不是 {_describe(value)}；可选：{options}")
    try:
        return choices(value)
    except ValueError:
        raise FactsError(path, f"未知的{what} {value!r}，可选：{options}") from None


def _list(obj: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FactsError(f"{path}.{key}", f"应为数组，而不是 {_describe(value)}")
    return value


# --- The case -----------------------------------------------------------------------------


def _sentence(value: Any, path: str) -> Sentence:
    obj = _object(value, path)
    kind = _choice(_required(obj, "type", path), f"{path}.type", SentenceType, "刑罚类型")
    execution_start = _date(_required(obj, "execution_start", path), f"{path}.execution_start")
    detention_days = _optional_integer(obj, "detention_days", path)
    restricted = obj.get("restricted_reduction")
    if restricted is None:
        restricted = False
    elif not isinstance(restricted, bool):
        raise FactsError(
            f"{path}.restricted_reduction", f"应为 true 或 false，而不是 {_describe(restricted)}"
        )
    if restricted and kind is not SentenceType.DEATH_REPRIEVE:
        raise FactsError(f"{path}.restricted_reduction", "限制减刑仅适用于死刑缓期执行")

    if kind is not SentenceType.FIXED_TERM:
        for key in ("years", "months"):
            if obj.get(key) is not None and _integer(obj[key], f"{path}.{key}") != 0:
                raise FactsError(f"{path}.{key}", f"{kind.label}没有刑期年月，应为 0 或省略")
        return Sentence(kind, execution_start, 0, 0, detention_days, restricted)

    years = _integer(_required(obj, "years", path), f"{path}.years", maximum=MAX_FIXED_TERM_YEARS)
    months = _optional_integer(obj, "months", path, maximum=11)
    total = years * 12 + months
    if total == 0:
        raise FactsError(f"{path}.years", "有期徒刑刑期不能为零")
    if total > MAX_FIXED_TERM_YEARS * 12:
        raise FactsError(f"{path}.months", f"有期徒刑最高不能超过{MAX_FIXED_TERM_YEARS}年")
    sentence = Sentence(kind, execution_start, years, months, detention_days, restricted)
    if add_months(sentence.term_start, total) <= execution_start:
        raise FactsError(
            f"{path}.detention_days",
            f"先行羁押{detention_days}日折抵后，刑期在判决执行之日（{execution_start}）前已届满",
        )
    return sentence


def _categories(obj: Mapping[str, Any], path: str) -> frozenset[Category]:
    seen: set[Category] = set()
    for index, value in enumerate(_list(obj, "categories", path)):
        item_path = f"{path}.categories[{index}]"
        category = _choice(value, item_path, Category, "类别")
        if category in seen:
            raise FactsError(item_path, f"重复的类别 {category.value!r}")
        seen.add(category)
    return frozenset(seen)


def _reduction(value: Any, path: str) -> Reduction:
    obj = _object(value, path)
    ruling_date = _date(_required(obj, "ruling_date", path), f"{path}.ruling_date")
    kind = _choice(_required(obj, "kind", path), f"{path}.kind", ReductionKind, "裁定种类")
    if kind is ReductionKind.REDUCTION:
        months = _integer(_required(obj, "months", path), f"{path}.months")
        if months == 0:
            raise FactsError(f"{path}.months", "减刑月数应大于0")
        if _optional_integer(obj, "to_years", path):
            raise FactsError(f"{path}.to_years", "减刑（reduction）不填写 to_years，应为 0 或省略")
        return Reduction(ruling_date, kind, months, None)
    if _optional_integer(obj, "months", path):
        raise FactsError(f"{path}.months", "减为无期徒刑或有期徒刑（commutation）不填写 months")
    to_years = _optional_integer(obj, "to_years", path)
    return Reduction(ruling_date, kind, 0, to_years or None)


def parse_case(obj: object, index: int) -> CaseFacts:
    """One case from its JSON object; ``index`` is its position in the list (for paths)."""
    path = f"[{index}]"
    case = _object(obj, path)
    case_id = _required(case, "id", path)
    if not isinstance(case_id, str) or not case_id.strip():
        raise FactsError(f"{path}.id", f"应为非空字符串，而不是 {_describe(case_id)}")
    sentence = _sentence(_required(case, "sentence", path), f"{path}.sentence")
    categories = _categories(case, path)
    merit = _choice(_required(case, "merit", path), f"{path}.merit", Merit, "立功表现等级")
    reductions = tuple(
        _reduction(value, f"{path}.reductions[{position}]")
        for position, value in enumerate(_list(case, "reductions", path))
    )
    facts = CaseFacts(case_id, sentence, merit, categories, reductions)
    try:
        standing_of(facts)
    except HistoryError as error:
        raise FactsError(f"{path}.reductions[{error.index}].{error.field}", error.message) from None
    return facts


def parse_cases(data: object) -> list[CaseFacts]:
    """All cases of a JSON document (already decoded, e.g. by ``json.load``)."""
    if not isinstance(data, list):
        raise FactsError("", f"顶层应为数组（每个元素是一名罪犯），而不是 {_describe(data)}")
    cases: list[CaseFacts] = []
    first_index: dict[str, int] = {}
    for index, obj in enumerate(data):
        facts = parse_case(obj, index)
        if facts.id in first_index:
            raise FactsError(
                f"[{index}].id", f"id {facts.id!r} 重复（与 [{first_index[facts.id]}] 相同）"
            )
        first_index[facts.id] = index
        cases.append(facts)
    return cases


def case_to_json(facts: CaseFacts) -> dict[str, Any]:
    """The inverse of ``parse_case``: the JSON object a case is read from."""
    sentence = facts.sentence
    return {
        "id": facts.id,
        "sentence": {
            "type": sentence.type.value,
            "years": sentence.years,
            "months": sentence.months,
            "execution_start": sentence.execution_start.isoformat(),
            "detention_days": sentence.detention_days,
            "restricted_reduction": sentence.restricted_reduction,
        },
        "categories": [category.value for category in Category if category in facts.categories],
        "merit": facts.merit.value,
        "reductions": [
            {
                "ruling_date": ruling.ruling_date.isoformat(),
                "kind": ruling.kind.value,
                "months": ruling.months,
                "to_years": ruling.to_years,
            }
            for ruling in facts.reductions
        ],
    }
