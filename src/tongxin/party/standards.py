"""The bureau's default standardisation checklists ("五个基本", "七个体系", "九个规范").

The bureau edits them (items and weights) in the admin; these are the starting point written
into an empty database by ``ensure_default_checklists``. Weights add up to 100.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

DEFAULT_CHECKLISTS: dict[str, tuple[tuple[str, str], ...]] = {
    "五个基本": (
        ("基本组织:支部设置规范,按期换届,支委会配备齐全", "8"),
        ("基本队伍:支部书记由监区(科室)主要负责人担任,党务干部培训到位", "8"),
        ("基本活动:“三会一课”、主题党日、组织生活会按规定频次开展", "8"),
        ("基本制度:发展党员、党费收缴、民主评议等制度健全并落实", "8"),
        ("基本保障:党员活动阵地、经费、时间有保障", "8"),
    ),
    "七个体系": (
        ("政治引领体系:第一议题制度落实", "5"),
        ("理论武装体系:“五学”联动,学习有计划有记录", "5"),
        ("组织建设体系:“1+N”包教覆盖全体党员", "5"),
        ("党员管理体系:党员信息、组织关系转接及时准确", "5"),
        ("作风建设体系:作风纪律教育常态化", "5"),
        ("融合发展体系:党建与执法、安全、改造工作深度融合", "5"),
        ("考核评价体系:支部工作年度考核、党员评议结果运用", "5"),
    ),
    "九个规范": (
        ("会议记录规范", "3"),
        ("党课教案规范", "3"),
        ("主题党日方案规范", "3"),
        ("发展党员档案规范", "3"),
        ("党费收缴台账规范", "3"),
        ("组织生活会程序规范", "3"),
        ("民主评议程序规范", "3"),
        ("党务公开规范", "2"),
        ("阵地标识规范", "2"),
    ),
}


@transaction.atomic
def ensure_default_checklists() -> int:
    """Write the default checklists if the bureau has none yet; returns the items created."""
    from .models import Checklist, ChecklistItem

    if Checklist.objects.exists():
        return 0
    created = 0
    for order, (name, items) in enumerate(DEFAULT_CHECKLISTS.items()):
        checklist = Checklist.objects.create(name=name, sort_order=order)
        ChecklistItem.objects.bulk_create(
            ChecklistItem(checklist=checklist, title=title, weight=Decimal(weight), sort_order=i)
            for i, (title, weight) in enumerate(items)
        )
        created += len(items)
    return created
