"""The rule table for penalty execution, as versioned data.

Every number the eligibility engine (``engine.py``) applies lives in one frozen ``RuleSet``:
start thresholds, amounts per merit level, intervals, commutation ranges, floors on the term
actually executed, parole waits. ``DEFAULT_RULESET`` is the national rule, 最高人民法院
《关于办理减刑、假释案件具体应用法律的规定》 (法释〔2016〕23号, in force 2017-01-01, "规定")
together with 刑法 arts. 50, 78 and 81.

A province may tighten a number through configuration but never loosen it, so
``RuleSet.with_overrides`` refuses any change in the lenient direction and names the number it
refused. The database stores each version as JSON (``to_dict`` / ``from_dict``).

What is not here, on purpose:

* The vocabulary (merit levels, categories, sentence types) and the category groups of 规定
  arts. 7, 9 and 11: they are the law's words, not numbers a province configures.
* The two-year reprieve of a death sentence (刑法 art. 50) and the 25 years a reprieve is
  commuted to for major merit: statutory, identical everywhere, see ``DEATH_REPRIEVE_MONTHS``.
* The fixed-term ceiling of 刑法 art. 78 (reductions at most half the original term): a statute
  stated as a fraction, applied directly by the engine.

Pure: standard library only, no Django.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

__all__ = [
    "ART7_PARA1_CATEGORIES",
    "CATEGORY_LABELS",
    "DEATH_REPRIEVE_MONTHS",
    "DEFAULT_RULESET",
    "MERIT_LABELS",
    "REPRIEVE_MAJOR_MERIT_YEARS",
    "STRICT_LONG_CATEGORIES",
    "VIOLENT_AND_COMBINED_CATEGORIES",
    "Category",
    "Merit",
    "ReductionKind",
    "RuleSet",
    "SentenceType",
]


# --- Vocabulary ---------------------------------------------------------------------------


class SentenceType(StrEnum):
    FIXED_TERM = "fixed_term"
    LIFE = "life"
    DEATH_REPRIEVE = "death_reprieve"

    @property
    def label(self) -> str:
        return _SENTENCE_LABELS[self]


_SENTENCE_LABELS = {
    SentenceType.FIXED_TERM: "有期徒刑",
    SentenceType.LIFE: "无期徒刑",
    SentenceType.DEATH_REPRIEVE: "死刑缓期二年执行",
}


class ReductionKind(StrEnum):
    """A court ruling: ``reduction`` shortens a fixed term by months; ``commutation`` changes
    a life or death-with-reprieve sentence into a lighter one (life, or a fixed term)."""

    REDUCTION = "reduction"
    COMMUTATION = "commutation"


class Merit(StrEnum):
    """The evidence a reduction rests on (规定 arts. 3–5)."""

    REPENTANCE = "repentance"
    MERITORIOUS = "meritorious"
    REPENTANCE_AND_MERITORIOUS = "repentance_and_meritorious"
    MAJOR_MERITORIOUS = "major_meritorious"
    REPENTANCE_AND_MAJOR_MERITORIOUS = "repentance_and_major_meritorious"

    @property
    def label(self) -> str:
        return MERIT_LABELS[self]

    @property
    def is_major(self) -> bool:
        """Major merit (重大立功) lifts start and interval limits (规定 arts. 6–9)."""
        return self in _MAJOR_MERITS


_MAJOR_MERITS = frozenset({Merit.MAJOR_MERITORIOUS, Merit.REPENTANCE_AND_MAJOR_MERITORIOUS})

MERIT_LABELS: dict[Merit, str] = {
    Merit.REPENTANCE: "确有悔改表现",
    Merit.MERITORIOUS: "有立功表现",
    Merit.REPENTANCE_AND_MERITORIOUS: "确有悔改表现并有立功表现",
    Merit.MAJOR_MERITORIOUS: "有重大立功表现",
    Merit.REPENTANCE_AND_MAJOR_MERITORIOUS: "确有悔改表现并有重大立功表现",
}


class Category(StrEnum):
    """The offender categories that the 规定 treats strictly (arts. 7, 9, 11, 25, 27).

    ``violent_10y``: sentenced to 10 years or more, life or death with reprieve for 故意杀人,
    强奸, 抢劫, 绑架, 放火, 爆炸, 投放危险物质 or organised violence. ``combined_10y``: a combined
    sentence in which two or more crimes were each sentenced to 10 years or more.
    """

    DUTY_CRIME = "duty_crime"
    FINANCIAL = "financial"
    MAFIA = "mafia"
    STATE_SECURITY = "state_security"
    TERRORISM = "terrorism"
    DRUG_RINGLEADER = "drug_ringleader"
    DRUG_RECIDIVIST = "drug_recidivist"
    RECIDIVIST = "recidivist"
    PROPERTY_UNFULFILLED = "property_unfulfilled"
    VIOLENT_10Y = "violent_10y"
    COMBINED_10Y = "combined_10y"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[Category, str] = {
    Category.DUTY_CRIME: "职务犯罪",
    Category.FINANCIAL: "破坏金融管理秩序和金融诈骗犯罪",
    Category.MAFIA: "黑社会性质组织犯罪",
    Category.STATE_SECURITY: "危害国家安全犯罪",
    Category.TERRORISM: "恐怖活动犯罪",
    Category.DRUG_RINGLEADER: "毒品犯罪集团的首要分子",
    Category.DRUG_RECIDIVIST: "毒品再犯",
    Category.RECIDIVIST: "累犯",
    Category.PROPERTY_UNFULFILLED: "确有履行能力而不履行财产性判项",
    Category.VIOLENT_10Y: "故意杀人等暴力性犯罪被判处十年以上",
    Category.COMBINED_10Y: "数罪并罚两罪以上被判处十年以上",
}

#: 规定 art. 7 para. 1: strict for every fixed term.
ART7_PARA1_CATEGORIES: frozenset[Category] = frozenset(
    {
        Category.DUTY_CRIME,
        Category.FINANCIAL,
        Category.MAFIA,
        Category.STATE_SECURITY,
        Category.TERRORISM,
        Category.DRUG_RINGLEADER,
        Category.DRUG_RECIDIVIST,
        Category.RECIDIVIST,
        Category.PROPERTY_UNFULFILLED,
    }
)
#: The violent and combined groups: strict only from 10 years (规定 art. 7 para. 2) and for
#: life or death with reprieve (arts. 9, 11).
VIOLENT_AND_COMBINED_CATEGORIES: frozenset[Category] = frozenset(
    {Category.VIOLENT_10Y, Category.COMBINED_10Y}
)
#: Strict for a fixed term of 10 years or more, for life and for death with reprieve.
STRICT_LONG_CATEGORIES: frozenset[Category] = (
    ART7_PARA1_CATEGORIES | VIOLENT_AND_COMBINED_CATEGORIES
)

#: 刑法 art. 50: the reprieve lasts two years; a reprieve with major merit becomes 25 years.
#: Statutory, hence constants rather than configurable numbers.
DEATH_REPRIEVE_MONTHS = 24
REPRIEVE_MAJOR_MERIT_YEARS = 25


# --- The rule table -----------------------------------------------------------------------

# How a number may move when a province tightens it.
_HIGHER = "higher"  # a longer wait, a longer term, a higher floor is stricter
_LOWER = "lower"  # a smaller amount, a smaller cap is stricter


def _number(default: int, stricter: str, label: str) -> Any:
    return field(default=default, metadata={"stricter": stricter, "label": label})


def _per_merit(default: Mapping[str, Any], stricter: str, label: str) -> Any:
    return field(
        default_factory=lambda: dict(default),
        metadata={"stricter": stricter, "label": label, "per_merit": True},
    )


_ORDINARY_AMOUNTS = {
    Merit.REPENTANCE: 9,
    Merit.MERITORIOUS: 9,
    Merit.REPENTANCE_AND_MERITORIOUS: 12,
    Merit.MAJOR_MERITORIOUS: 18,
    Merit.REPENTANCE_AND_MAJOR_MERITORIOUS: 24,
}
_LIFE_COMMUTATION = {
    Merit.REPENTANCE: (22, 22),
    Merit.MERITORIOUS: (22, 22),
    Merit.REPENTANCE_AND_MERITORIOUS: (21, 22),
    Merit.MAJOR_MERITORIOUS: (20, 21),
    Merit.REPENTANCE_AND_MAJOR_MERITORIOUS: (19, 20),
}
_DEATH_LIFE_COMMUTATION = {
    Merit.REPENTANCE: (25, 25),
    Merit.MERITORIOUS: (25, 25),
    Merit.REPENTANCE_AND_MERITORIOUS: (24, 25),
    Merit.MAJOR_MERITORIOUS: (23, 24),
    Merit.REPENTANCE_AND_MAJOR_MERITORIOUS: (22, 23),
}


@dataclass(frozen=True, eq=True)
class RuleSet:
    """All the numbers, in months unless the name says years. Keyword-only construction is
    recommended; ``from_dict`` and ``with_overrides`` are the normal ways to make one."""

    version: str = "法释〔2016〕23号"
    effective_from: dt.date = dt.date(2017, 1, 1)

    # 规定第六条: fixed-term sentences, ordinary column.
    first_threshold_under_5_years: int = _number(12, _HIGHER, "不满五年有期徒刑首次减刑起始时间")
    first_threshold_5_to_10_years: int = _number(
        18, _HIGHER, "五年以上不满十年有期徒刑首次减刑起始时间"
    )
    first_threshold_10_years_or_more: int = _number(24, _HIGHER, "十年以上有期徒刑首次减刑起始时间")
    reduction_amounts: Mapping[Merit, int] = _per_merit(
        _ORDINARY_AMOUNTS, _LOWER, "一次减刑幅度上限"
    )
    interval_under_10_years: int = _number(12, _HIGHER, "不满十年有期徒刑减刑间隔")
    interval_10_years_or_more: int = _number(18, _HIGHER, "十年以上有期徒刑减刑间隔")

    # 规定第七条: fixed-term sentences, special categories.
    special_first_threshold: int = _number(24, _HIGHER, "从严类别首次减刑起始时间")
    special_amount_cap: int = _number(12, _LOWER, "从严类别一次减刑上限")
    special_interval_under_10_years: int = _number(12, _HIGHER, "从严类别不满十年减刑间隔")
    special_interval_10_years_or_more: int = _number(18, _HIGHER, "从严类别十年以上减刑间隔")

    # 规定第八条、第九条; 刑法第七十八条: life imprisonment.
    life_first_threshold: int = _number(24, _HIGHER, "无期徒刑减刑起始时间")
    life_special_first_threshold: int = _number(36, _HIGHER, "从严类别无期徒刑减刑起始时间")
    life_commutation_years: Mapping[Merit, tuple[int, int]] = _per_merit(
        _LIFE_COMMUTATION, _HIGHER, "无期徒刑减为有期徒刑的年限"
    )
    life_special_min_commutation_years: int = _number(
        20, _HIGHER, "从严类别无期徒刑减刑后最低刑期（年）"
    )
    life_interval: int = _number(24, _HIGHER, "无期徒刑减为有期徒刑后减刑间隔")
    life_special_amount_cap: int = _number(12, _LOWER, "从严类别无期徒刑减为有期后一次减刑上限")
    life_min_executed: int = _number(156, _HIGHER, "无期徒刑减刑后最低实际执行刑期")

    # 规定第十条至第十四条: death with reprieve, once commuted.
    death_life_first_threshold: int = _number(36, _HIGHER, "死缓减为无期徒刑后减刑起始时间")
    death_life_commutation_years: Mapping[Merit, tuple[int, int]] = _per_merit(
        _DEATH_LIFE_COMMUTATION, _HIGHER, "死缓减为无期徒刑后减为有期徒刑的年限"
    )
    death_special_min_commutation_years: int = _number(
        23, _HIGHER, "从严类别死缓减为有期徒刑的最低年限"
    )
    death_interval: int = _number(24, _HIGHER, "死缓减为有期徒刑后减刑间隔")
    death_special_amount_cap: int = _number(12, _LOWER, "从严类别死缓减为有期后一次减刑上限")
    death_min_executed: int = _number(180, _HIGHER, "死缓最低实际执行刑期（不含缓期二年）")
    restricted_life_first_threshold: int = _number(
        60, _HIGHER, "限制减刑死缓减为无期徒刑后减刑起始时间"
    )
    restricted_amount_cap: int = _number(6, _LOWER, "限制减刑死缓减为有期后一次减刑上限")
    restricted_major_merit_amount_cap: int = _number(
        12, _LOWER, "限制减刑死缓有重大立功时一次减刑上限"
    )
    restricted_interval: int = _number(24, _HIGHER, "限制减刑死缓减为有期后减刑间隔")
    restricted_min_executed_if_life: int = _number(
        300, _HIGHER, "限制减刑死缓减为无期徒刑的最低实际执行刑期"
    )
    restricted_min_executed_if_25_years: int = _number(
        240, _HIGHER, "限制减刑死缓减为二十五年有期徒刑的最低实际执行刑期"
    )

    # 刑法第八十一条; 规定第二十三条、第二十八条: parole.
    parole_life_min_executed: int = _number(156, _HIGHER, "无期徒刑假释最低实际执行刑期")
    parole_death_min_executed: int = _number(180, _HIGHER, "死缓假释最低实际执行刑期")
    parole_after_reduction: int = _number(12, _HIGHER, "减刑后假释间隔")
    parole_after_large_reduction: int = _number(18, _HIGHER, "一次减刑一年以上后假释间隔")
    parole_large_reduction: int = _number(12, _LOWER, "视为一次减去一年以上的减刑月数")

    def __post_init__(self) -> None:
        if not isinstance(self.version, str) or not self.version.strip():
            raise ValueError("version：应为非空字符串")
        if not isinstance(self.effective_from, dt.date):
            raise ValueError("effective_from：应为日期")
        for spec in dataclasses.fields(self):
            if "stricter" not in spec.metadata:
                continue
            value = getattr(self, spec.name)
            if spec.metadata.get("per_merit"):
                object.__setattr__(self, spec.name, _check_per_merit(spec.name, value))
            else:
                _check_int(spec.name, value)

    # --- Tightening ---------------------------------------------------------------------

    def with_overrides(self, **changes: Any) -> RuleSet:
        """A copy with some numbers tightened, e.g. ``with_overrides(life_interval=30)``.

        Per-merit tables take a partial mapping: ``reduction_amounts={"repentance": 6}``.
        ``version`` and ``effective_from`` may be renamed and moved later (never earlier).
        Each number is compared with this rule set, so a copy of ``DEFAULT_RULESET`` (or of a
        copy of it) is never looser than the national rule. A looser number, an unknown name
        or a non-integer raises ``ValueError`` naming the number.
        """
        values: dict[str, Any] = {}
        fields_by_name = {spec.name: spec for spec in dataclasses.fields(self)}
        for name, value in changes.items():
            spec = fields_by_name.get(name)
            if spec is None:
                raise ValueError(f"{name}：未知的规则数值")
            if name == "version":
                values[name] = value
            elif name == "effective_from":
                if not isinstance(value, dt.date):
                    raise ValueError("effective_from：应为日期")
                if value < self.effective_from:
                    raise ValueError(
                        f"effective_from：{value.isoformat()} 早于所依据规则的施行日期 "
                        f"{self.effective_from.isoformat()}"
                    )
                values[name] = value
            elif spec.metadata.get("per_merit"):
                values[name] = self._tightened_table(spec, value)
            else:
                _check_int(name, value)
                _check_stricter(name, spec, value, getattr(self, name))
                values[name] = value
        return dataclasses.replace(self, **values)

    def _tightened_table(self, spec: dataclasses.Field, changes: Any) -> dict[Merit, Any]:
        if not isinstance(changes, Mapping):
            raise ValueError(f"{spec.name}：应为按立功等级的映射")
        table = dict(getattr(self, spec.name))
        for key, value in changes.items():
            try:
                merit = Merit(key)
            except ValueError:
                raise ValueError(f"{spec.name}[{key!r}]：未知的立功等级") from None
            name = f"{spec.name}[{merit.value}]"
            current = table[merit]
            if isinstance(current, tuple):
                value = _check_range(name, value)
                _check_stricter(f"{name}[0]", spec, value[0], current[0])
                _check_stricter(f"{name}[1]", spec, value[1], current[1])
            else:
                _check_int(name, value)
                _check_stricter(name, spec, value, current)
            table[merit] = value
        return table

    # --- Storage ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings, per-merit tables keyed by the merit's value,
        ranges as two-element lists."""
        data: dict[str, Any] = {}
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, Mapping):
                value = {
                    merit.value: list(item) if isinstance(item, tuple) else item
                    for merit, item in value.items()
                }
            data[spec.name] = value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleSet:
        """The inverse of ``to_dict``. Every number must be present: a stored version that
        silently fell back to the national default would misstate the rule it recorded."""
        if not isinstance(data, Mapping):
            raise ValueError("规则集应为 JSON 对象")
        names = [spec.name for spec in dataclasses.fields(cls)]
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise ValueError(f"{unknown[0]}：未知的规则数值")
        missing = [name for name in names if name not in data]
        if missing:
            raise ValueError(f"{missing[0]}：缺少字段")
        values = dict(data)
        try:
            values["effective_from"] = dt.date.fromisoformat(data["effective_from"])
        except (TypeError, ValueError):
            raise ValueError("effective_from：日期格式应为 YYYY-MM-DD") from None
        return cls(**values)

    def __hash__(self) -> int:
        # The per-merit tables are read-only mappings, which do not hash; their JSON form does.
        return hash(repr(sorted(self.to_dict().items())))

    def label(self, name: str) -> str:
        """The Chinese name of a number, for configuration screens."""
        for spec in dataclasses.fields(self):
            if spec.name == name:
                return spec.metadata.get("label", name)
        raise KeyError(name)


def _check_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name}：应为整数，而不是 {value!r}")
    if value <= 0:
        raise ValueError(f"{name}：应为正整数，而不是 {value}")


def _check_range(name: str, value: Any) -> tuple[int, int]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(f"{name}：应为 [最低, 最高] 两个整数")
    low, high = value
    _check_int(f"{name}[0]", low)
    _check_int(f"{name}[1]", high)
    if low > high:
        raise ValueError(f"{name}：最低 {low} 大于最高 {high}")
    return (low, high)


def _check_per_merit(name: str, value: Any) -> Mapping[Merit, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{name}：应为按立功等级的映射")
    table: dict[Merit, Any] = {}
    for key, item in value.items():
        try:
            merit = Merit(key)
        except ValueError:
            raise ValueError(f"{name}[{key!r}]：未知的立功等级") from None
        item_name = f"{name}[{merit.value}]"
        if isinstance(item, list | tuple):
            table[merit] = _check_range(item_name, item)
        else:
            _check_int(item_name, item)
            table[merit] = item
    for merit in Merit:
        if merit not in table:
            raise ValueError(f"{name}[{merit.value}]：缺少字段")
    return MappingProxyType(table)


def _check_stricter(name: str, spec: dataclasses.Field, value: int, current: int) -> None:
    label = spec.metadata.get("label", spec.name)
    if spec.metadata["stricter"] == _HIGHER and value < current:
        raise ValueError(
            f"{name}（{label}）：{value} 比现行的 {current} 宽松；地方只能从严，不得小于 {current}"
        )
    if spec.metadata["stricter"] == _LOWER and value > current:
        raise ValueError(
            f"{name}（{label}）：{value} 比现行的 {current} 宽松；地方只能从严，不得大于 {current}"
        )


DEFAULT_RULESET = RuleSet()
