"""The navigation, built from the user's permissions: an item shows only if the user holds one
of its permissions. Labels are translated where they are shown. Later apps append here."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permissions: tuple[str, ...] = ()  # any one suffices; empty: every signed-in user


@dataclass(frozen=True)
class NavSection:
    label: str
    items: tuple[NavItem, ...] = field(default_factory=tuple)


NAVIGATION: tuple[NavSection, ...] = (
    NavSection(
        gettext_noop("组织机构"),
        (
            NavItem(gettext_noop("单位"), "org:unit-list", ("org.view_unit",)),
            NavItem(gettext_noop("民警"), "org:officer-list", ("org.view_officer",)),
            NavItem(
                gettext_noop("导入"), "org:import", ("org.import_units", "org.import_officers")
            ),
            NavItem(gettext_noop("账号与权限"), "org:user-list", ("org.change_user",)),
        ),
    ),
    NavSection(
        gettext_noop("智慧党建"),
        (
            NavItem(gettext_noop("党建首页"), "party:home", ("party.view_partyorganization",)),
            NavItem(gettext_noop("我的党建"), "party:me", ()),
            NavItem(gettext_noop("组织生活"), "party:activity-list", ("party.view_activity",)),
            NavItem(gettext_noop("党员"), "party:member-list", ("party.view_partymember",)),
            NavItem(gettext_noop("组织生活达标"), "party:compliance", ("party.view_activity",)),
            NavItem(gettext_noop("党建统计"), "party:statistics", ("party.view_party_statistics",)),
        ),
    ),
    NavSection(
        gettext_noop("刑罚执行"),
        (
            NavItem(gettext_noop("罪犯"), "prisoners:list", ("prisoners.view_prisoner",)),
            NavItem(
                gettext_noop("减刑假释案件"), "sentencing:case-list", ("sentencing.view_case",)
            ),
            NavItem(
                gettext_noop("我的待办"),
                "sentencing:tasks",
                (
                    "sentencing.propose_case",
                    "sentencing.review_section",
                    "sentencing.review_centre",
                    "sentencing.decide_committee",
                    "sentencing.decide_director",
                    "sentencing.approve_temporary",
                ),
            ),
            NavItem(
                gettext_noop("案件统计"),
                "sentencing_statistics:page",
                ("sentencing.view_case_statistics",),
            ),
            NavItem(
                gettext_noop("条件筛查"),
                "sentencing_screening:home",
                ("sentencing.screen_eligibility",),
            ),
            NavItem(
                gettext_noop("规则版本"), "sentencing_rules:page", ("sentencing.manage_rules",)
            ),
        ),
    ),
    NavSection(
        gettext_noop("审计"),
        (NavItem(gettext_noop("审计日志"), "audit:entry-list", ("audit.view_auditentry",)),),
    ),
    NavSection(
        gettext_noop("接口"),
        (NavItem(gettext_noop("API 文档"), "api-docs", ()),),
    ),
)


def navigation_for(user, current_path: str = "") -> list[dict]:
    """Sections with the items this user may open; a section with none is left out."""
    sections = []
    for section in NAVIGATION:
        items = []
        for item in section.items:
            if item.permissions and not any(user.has_perm(p) for p in item.permissions):
                continue
            url = reverse(item.url_name)
            items.append({"label": item.label, "url": url, "active": current_path.startswith(url)})
        if items:
            sections.append({"label": section.label, "items": items})
    return sections
