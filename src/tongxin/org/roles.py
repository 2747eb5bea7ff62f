"""Roles are Django groups with permissions; ``sync_roles`` makes the database match this list.

Data scope is separate (``User.scope_units``): a role says what a user may do, the scope
where. Later apps add their permissions to these roles here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    description: str
    permissions: tuple[str, ...]


_VIEW_ORG = ("org.view_unit", "org.view_officer")
_MANAGE_ORG = (
    *_VIEW_ORG,
    "org.add_unit",
    "org.change_unit",
    "org.add_officer",
    "org.change_officer",
    "org.import_units",
    "org.import_officers",
    "org.export_officers",
    "org.view_id_number",
)

_VIEW_PARTY = (
    "party.view_partyorganization",
    "party.view_partymember",
    "party.view_activity",
    "party.view_studyrecord",
    "party.view_duespayment",
    "party.view_party_statistics",
)
_BRANCH_WORK = (
    *_VIEW_PARTY,
    "party.add_activity",
    "party.change_activity",
    "party.add_studyrecord",
    "party.add_duespayment",
)
_PARTY_OFFICE = (
    *_BRANCH_WORK,
    "party.add_partyorganization",
    "party.change_partyorganization",
    "party.add_partymember",
    "party.change_partymember",
    "party.change_committeeseat",
    "party.add_duesclosing",
    "party.manage_party_rules",
)

_VIEW_PRISONERS = (
    "prisoners.view_prisoner",
    "prisoners.view_pointsentry",
    "prisoners.view_reward",
    "prisoners.view_punishment",
    "prisoners.view_violation",
)
_DISTRICT_PRISONER_WORK = (
    *_VIEW_PRISONERS,
    "prisoners.add_pointsentry",
    "prisoners.add_reward",
    "prisoners.add_punishment",
    "prisoners.add_violation",
    "prisoners.add_jobassignment",
)
_PENALTY_REGISTRY = (
    *_VIEW_PRISONERS,
    "prisoners.add_prisoner",
    "prisoners.change_prisoner",
    "prisoners.view_prisoner_id_number",
    "prisoners.export_prisoners",
)

_VIEW_CASES = ("sentencing.view_case", "sentencing.view_riskalert")
_CASE_STATISTICS = (*_VIEW_CASES, "sentencing.view_case_statistics")

ROLES: tuple[Role, ...] = (
    Role(
        "provincial_admin",
        "省局系统管理员",
        "管理全省单位、民警、用户与角色,查看审计日志",
        (
            *_MANAGE_ORG,
            *_VIEW_PARTY,
            *_VIEW_PRISONERS,
            *_CASE_STATISTICS,
            "audit.view_auditentry",
            "org.view_user",
            "org.change_user",
        ),
    ),
    Role(
        "prison_admin",
        "监狱系统管理员",
        "管理本监狱的单位与民警,查看本监狱审计日志",
        (
            *_MANAGE_ORG,
            *_VIEW_PARTY,
            *_VIEW_PRISONERS,
            *_CASE_STATISTICS,
            "audit.view_auditentry",
        ),
    ),
    Role("party_affairs", "党务干部", "党组织、党员与组织生活管理", (*_VIEW_ORG, *_PARTY_OFFICE)),
    Role(
        "branch_secretary",
        "党支部书记",
        "本支部党员、会议与学习",
        ("org.view_officer", *_BRANCH_WORK),
    ),
    Role(
        "penalty_officer",
        "刑罚执行民警",
        "罪犯计分考核与减刑、假释、暂予监外执行提请",
        (
            *_VIEW_ORG,
            *_PENALTY_REGISTRY,
            *_CASE_STATISTICS,
            "sentencing.review_section",
            "sentencing.screen_eligibility",
        ),
    ),
    Role(
        "reviewer",
        "评审中心评审员",
        "刑罚执行评审中心案件评审",
        (*_VIEW_ORG, *_VIEW_PRISONERS, *_VIEW_CASES, "sentencing.review_centre"),
    ),
    Role(
        "review_committee",
        "评审委员会委员",
        "监狱减刑假释暂予监外执行评审委员会评审",
        (*_VIEW_ORG, *_VIEW_PRISONERS, *_CASE_STATISTICS, "sentencing.decide_committee"),
    ),
    Role(
        "warden",
        "监狱长",
        "监狱长办公会决定减刑、假释、暂予监外执行案件",
        (*_VIEW_ORG, *_VIEW_PRISONERS, *_CASE_STATISTICS, "sentencing.decide_director"),
    ),
    Role(
        "bureau_penalty",
        "省局刑罚执行处",
        "全省刑罚执行监督、暂予监外执行审批与条件筛查",
        (
            *_VIEW_ORG,
            *_VIEW_PRISONERS,
            *_CASE_STATISTICS,
            "sentencing.approve_temporary",
            "sentencing.screen_eligibility",
            "sentencing.manage_rules",
        ),
    ),
    Role(
        "district_officer",
        "监区民警",
        "本监区罪犯计分与日常管理",
        ("org.view_officer", *_DISTRICT_PRISONER_WORK, *_VIEW_CASES, "sentencing.propose_case"),
    ),
    Role(
        "discipline_inspector",
        "纪检监察员",
        "巡察、整改台账与审计日志查阅",
        (
            *_VIEW_ORG,
            *_VIEW_PARTY,
            *_VIEW_PRISONERS,
            *_CASE_STATISTICS,
            "audit.view_auditentry",
        ),
    ),
    Role("safety_liaison", "平安建设联络员", "武穴平安建设联系点工作", ("org.view_unit",)),
    Role("member", "普通党员", "本人的学习、会议签到与党费", ()),
)

ROLE_BY_KEY = {role.key: role for role in ROLES}


def _permission(label: str) -> Permission:
    app_label, codename = label.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def sync_roles() -> dict[str, Group]:
    """Create or update one group per role with exactly the listed permissions."""
    groups = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.name)
        group.permissions.set([_permission(p) for p in role.permissions])
        groups[role.key] = group
    return groups


def role_group(key: str) -> Group:
    return Group.objects.get(name=ROLE_BY_KEY[key].name)
