"""The people (人员): who belongs where, who oversees what, who may approve whose leave (R10, R15, R16)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from xl_appraisal.engine import messages as msg
from xl_appraisal.engine.issues import ERROR, Issue, Source
from xl_appraisal.engine.model import CHAIR, EXEC_VICE, LEADER_ROLES, LEADERSHIP, ROLES, VICE, Person
from xl_appraisal.engine.values import blank_message, has_invisible, invisible_message, normalize_text
from xl_appraisal.policy import Policy

SEPARATORS = re.compile(r"[、,，;；\s]+")

# Approval authority (R10): 1 = the person's 分管领导, 2 = 常务副主席, 3 = 主席.
SUPERVISOR, EXECUTIVE, CHAIRMAN = 1, 2, 3
AUTHORITY_ZH = {SUPERVISOR: "分管领导", EXECUTIVE: "常务副主席", CHAIRMAN: "主席"}
_ROLE_RANK = {VICE: SUPERVISOR, EXEC_VICE: EXECUTIVE, CHAIR: CHAIRMAN}


@dataclass(frozen=True)
class Member:
    name: str
    department: str
    role: str
    overseen: tuple[str, ...]
    src: Source

    @property
    def is_leader(self) -> bool:
        return self.role in LEADER_ROLES


@dataclass
class Roster:
    members: dict[str, Member]

    def get(self, name: str) -> Member | None:
        return self.members.get(name)

    def authority(self, approver: Member, applicant: Member) -> int:
        """What the approver may sign for this applicant: 0 nothing, else SUPERVISOR..CHAIRMAN."""
        if approver.name == applicant.name:
            return 0
        rank = _ROLE_RANK.get(approver.role, 0)
        if rank == SUPERVISOR and applicant.department not in approver.overseen:
            return 0  # a vice-chair signs only for the departments they oversee
        return rank

    def supervisors(self, applicant: Member) -> list[str]:
        """The leaders who oversee the applicant's department (their 分管领导, R10)."""
        return [m.name for m in self.members.values()
                if m.role in (VICE, EXEC_VICE) and applicant.department in m.overseen and m.name != applicant.name]

    def min_authority(self, applicant: Member) -> int:
        """A leader's leave needs someone above them, whatever its length."""
        return _ROLE_RANK.get(applicant.role, 0) + 1 if applicant.is_leader else SUPERVISOR


def split_departments(text: str) -> tuple[str, ...]:
    return tuple(p for p in SEPARATORS.split(normalize_text(text)) if p)


def build_roster(policy: Policy, people: list[Person]) -> tuple[Roster, list[Issue]]:
    issues: list[Issue] = []
    members: dict[str, Member] = {}
    departments = set(policy.department_names)
    if not people:
        issues.append(Issue(ERROR, "人员", "", msg.nobody()))
    for p in people:
        name = normalize_text(p.name)
        dept = normalize_text(p.department)
        role = normalize_text(p.role)
        src = p.src
        if not name:
            issues.append(src.error("姓名", blank_message(p.name, "姓名")))
            continue
        if has_invisible(p.name):
            issues.append(src.warning("姓名", invisible_message(p.name, "姓名")))
        if name in members:
            first = members[name].src.cell("姓名")
            issues.append(src.error("姓名", msg.name_duplicate(name, first)))
            continue
        if role not in ROLES:
            issues.append(src.error("职务", msg.role_unknown(p.role)))
        if role in LEADER_ROLES and dept not in ("", LEADERSHIP):
            issues.append(src.error("部门", msg.leader_department(role, p.department)))
        elif role not in LEADER_ROLES and dept not in departments:
            issues.append(src.error("部门", msg.not_a_department(policy, p.department)))
        overseen = split_departments(p.overseen)
        for d in overseen:
            if d not in departments:
                issues.append(src.error("分管部门", msg.overseen_unknown(d)))
        if role in (EXEC_VICE, VICE) and not overseen:
            issues.append(src.error("分管部门", msg.overseen_missing(policy, name, role)))
        if overseen and role not in LEADER_ROLES:
            issues.append(src.warning("分管部门", msg.overseen_ignored(name)))
        members[name] = Member(name, LEADERSHIP if role in LEADER_ROLES else dept, role, overseen, src)
    return Roster(members), issues
