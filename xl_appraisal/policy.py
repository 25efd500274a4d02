"""The union's rules as data (python-holidays style): every number and switch named, cited, validated.

A policy comes either from a TOML file in ``policies/`` (the template is built from it) or from the
workbook's own 参数 sheet and department tables (the workbook is the document of record). Both go
through :func:`build_policy`, which explains every problem in Chinese.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from typing import cast

from xl_appraisal.engine.issues import ERROR, Issue, Source
from xl_appraisal.engine.values import is_blank, normalize_text, parse_number, shown
from xl_appraisal.errors import Unusable

DEFAULT_POLICY = "pengze-2018"
ITEM_TOTAL = Decimal(100)  # R1: every department's items sum to exactly 100 (第六条 "各100分")

class WrongApprover(StrEnum):
    """R10: a leave approved by the wrong person is an error, or counted as absence."""

    ERROR = "error"
    ABSENCE = "absence"


class TierRounding(StrEnum):
    """R14: a partial tier counts as a whole tier (ceil) or not at all (floor)."""

    CEIL = "ceil"
    FLOOR = "floor"


class LeaderLink(StrEnum):
    """R16: a vice-chair's bonus splits the amount (split) or blends the scores first (blend)."""

    SPLIT = "split"
    BLEND = "blend"


# Ambiguous readings (RULES.md): the Chinese word in the 参数 sheet -> the engine's value.
SWITCHES: dict[str, dict[str, object]] = {
    "late_as_absence": {"否": False, "是": True},  # R9
    "wrong_approver": {"报错": WrongApprover.ERROR, "计旷工": WrongApprover.ABSENCE},  # R10
    "tier_rounding": {"按一档": TierRounding.CEIL, "不计": TierRounding.FLOOR},  # R14
    "leader_link": {"按金额": LeaderLink.SPLIT, "按分数": LeaderLink.BLEND},  # R16
}
AMOUNTS = ("allowance", "deduct_half_day", "deduct_day", "bonus_full", "tier_amount")
POSITIVE_NUMBERS = ("forfeit_days", "bonus_threshold", "tier_points", "bonus_cap")
SHARES = ("leader_all_share", "leader_overseen_share")
TIMES = ("signin_am", "signout_am", "signin_pm", "signout_pm", "midday_split")
HALF_DAY_COUNTS = ("leave_supervisor_half_days", "leave_executive_half_days")
TEXTS = ("leadership_email",)
# Clause citations of rules that have no number of their own (every number cites its own clause in
# its Param). A policy file lists every one of these under [[clauses]]: messages, hints and
# explanations cite them, never a literal.
CLAUSE_KEYS = ("departments", "process", "self_score", "archive", "attendance", "official", "absence",
               "staff_link", "items", "bonus")


@dataclass(frozen=True)
class Param:
    key: str
    name: str
    value: str
    unit: str
    clause: str
    rule: str


@dataclass(frozen=True)
class Clause:
    """A clause citation for a rule with no number of its own (RULES.md `rule`)."""

    key: str
    name: str
    clause: str
    rule: str


@dataclass(frozen=True)
class Item:
    number: str
    text: str
    max_points: Decimal


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class BonusKind:
    label: str
    points: Decimal | None  # None: discretionary (视情加分), entered by hand with a note (R3)
    clause: str


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    year: int
    params: tuple[Param, ...]
    bonus_kinds: tuple[BonusKind, ...]
    departments: tuple[Department, ...]
    # typed values, derived from params by build_policy
    allowance: Decimal
    deduct_half_day: Decimal
    deduct_day: Decimal
    forfeit_days: Decimal
    bonus_full: Decimal
    bonus_threshold: Decimal
    tier_points: Decimal
    tier_amount: Decimal
    leader_all_share: Decimal
    leader_overseen_share: Decimal
    bonus_cap: Decimal
    signin_am: dt.time
    signout_am: dt.time
    signin_pm: dt.time
    signout_pm: dt.time
    midday_split: dt.time
    leave_supervisor_half_days: int
    leave_executive_half_days: int
    late_as_absence: bool
    wrong_approver: WrongApprover
    tier_rounding: TierRounding
    leader_link: LeaderLink
    leadership_email: str
    clauses: tuple[Clause, ...] = ()

    def param(self, key: str) -> Param:
        return next(p for p in self.params if p.key == key)

    def clause(self, key: str) -> str:
        """The clause text of a parameter or of a [[clauses]] entry, as the policy file writes it."""
        for p in self.params:
            if p.key == key:
                return p.clause
        for c in self.clauses:
            if c.key == key:
                return c.clause
        raise KeyError(key)

    def cite(self, key: str) -> str:
        """A citation for a message: （第五条第1款）. A note in the clause text (（本工具约定）) is left out."""
        return f"（{short_clause(self.clause(key))}）"

    def department(self, name: str) -> Department | None:
        return next((d for d in self.departments if d.name == name), None)

    def bonus_kind(self, label: str) -> BonusKind | None:
        return next((k for k in self.bonus_kinds if k.label == label), None)

    @property
    def department_names(self) -> list[str]:
        return [d.name for d in self.departments]


def short_clause(text: str) -> str:
    """第四条第1款（本工具约定） -> 第四条第1款: the clause itself, without its note."""
    return text.split("（", 1)[0].strip() or text


class PolicyInvalid(Unusable):
    """A policy file that cannot be used; .problems lists every reason in Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("考核办法文件有误：" + "；".join(problems))
        self.problems = problems


def _parse_time(text: str) -> dt.time | None:
    try:
        hh, mm = normalize_text(text).replace("：", ":").split(":")
        return dt.time(int(hh), int(mm))
    except ValueError:
        return None


def _typed_value(p: Param, raw: object) -> tuple[object, str]:
    """(typed value, problem) for one parameter; problem is '' when the value is usable."""
    label = f"参数“{p.name}”"
    if p.key in SWITCHES:
        allowed = SWITCHES[p.key]
        text = normalize_text(raw)
        if text not in allowed:
            return None, f"{label}只能是{'、'.join(allowed)}之一，现为{shown(raw)}"
        return allowed[text], ""
    if p.key in TIMES:
        t = _parse_time(str(raw) if not isinstance(raw, dt.time) else raw.strftime("%H:%M"))
        return (t, "") if t else (None, f"{label}应为时:分，如09:15，现为{shown(raw)}")
    if p.key in TEXTS:
        return ("" if is_blank(raw) else normalize_text(raw)), ""
    number, _ = parse_number(raw)
    if number is None:
        return None, f"{label}应为数字，现为{shown(raw)}"
    if p.key in SHARES and not (0 <= number <= 1):
        return None, f"{label}应在0到1之间，现为{number}"
    if p.key in HALF_DAY_COUNTS:
        if number != number.to_integral_value() or number < 1:
            return None, f"{label}应为正整数，现为{number}"
        return int(number), ""
    if number <= 0:
        return None, f"{label}应为正数，现为{number}"
    return number, ""


def build_policy(
    meta: Mapping[str, object],
    params: list[Param],
    values: Mapping[str, object],
    bonus_kinds: list[BonusKind],
    departments: list[Department],
    where: Mapping[str, Source] | None = None,
    clauses: list[Clause] | None = None,
) -> tuple[Policy | None, list[Issue]]:
    """Validate and assemble a policy. `values` maps param key -> raw value (from TOML or a cell);
    `where` maps a param key or 'dept:<name>' or 'kind:<label>' to the place it came from.
    `clauses` None: the bundled policy's clause citations (callers that vary only the numbers)."""
    where = where or {}
    issues: list[Issue] = []
    if clauses is None:
        clauses = list(load_policy().clauses)
    cited = {c.key: c.clause for c in clauses}
    missing = [k for k in CLAUSE_KEYS if not cited.get(k)]
    if missing:
        issues.append(Issue(ERROR, "参数", "", f"考核办法缺少条款引用（{'、'.join(missing)}）"))
        cited.update({k: "" for k in missing})
    by_key = {p.key: p for p in params}

    def cite(key: str) -> str:
        text = by_key[key].clause if key in by_key else cited.get(key, "")
        return f"（{short_clause(text)}）" if text else ""

    def problem(key: str, message: str) -> None:
        src = where.get(key, Source("参数"))
        issues.append(src.error("值", message))

    typed: dict[str, object] = {}
    for p in params:
        if p.key not in values:
            problem(p.key, f"缺少参数“{p.name}”")
            continue
        value, why = _typed_value(p, values[p.key])
        if why:
            problem(p.key, why)
        typed[p.key] = value
    known = {p.key for p in params}
    for key in (*AMOUNTS, *POSITIVE_NUMBERS, *SHARES, *TIMES, *HALF_DAY_COUNTS, *TEXTS, *SWITCHES):
        if key not in known:
            issues.append(Issue(ERROR, "参数", "", f"参数表缺少必需的参数（{key}）"))
    if not issues:
        shares = cast(Decimal, typed["leader_all_share"]) + cast(Decimal, typed["leader_overseen_share"])
        if shares != 1:
            problem("leader_overseen_share", f"班子成员两部分占比之和应为1{cite('leader_overseen_share')}")
        if cast(int, typed["leave_supervisor_half_days"]) > cast(int, typed["leave_executive_half_days"]):
            problem("leave_executive_half_days",
                    f"常务副主席可批半天数不应少于分管领导可批半天数{cite('leave_executive_half_days')}")

    seen_labels: set[str] = set()
    for kind in bonus_kinds:
        if kind.label in seen_labels:
            issues.append(where.get(f"kind:{kind.label}", Source("参数")).error("加分项目", f"加分项目“{kind.label}”重复"))
        seen_labels.add(kind.label)
        if kind.points is not None and kind.points <= 0:
            issues.append(
                where.get(f"kind:{kind.label}", Source("参数")).error("单项分值", f"加分项目“{kind.label}”的分值应为正数")
            )
    if not departments:
        issues.append(Issue(ERROR, "参数", "", f"没有任何考核部门{cite('departments')}"))
    for dept in departments:
        total = sum((i.max_points for i in dept.items), Decimal(0))
        if total != ITEM_TOTAL:  # R1
            src = where.get(f"dept:{dept.name}", Source(dept.name))
            issues.append(src.error("分值", f"{dept.name}各考核项目分值合计为{total}，应为{ITEM_TOTAL}分{cite('items')}"))
        numbers = [i.number for i in dept.items]
        for n in {n for n in numbers if numbers.count(n) > 1}:
            issues.append(Source(dept.name).error("编号", f"{dept.name}的考核项目编号“{n}”重复"))

    if any(i.level == ERROR for i in issues):
        return None, issues
    policy = Policy(
        id=str(meta.get("id", "")),
        title=str(meta.get("title", "")),
        year=int(str(meta.get("year", 0) or 0)),
        params=tuple(params),
        bonus_kinds=tuple(bonus_kinds),
        departments=tuple(departments),
        clauses=tuple(clauses),
        **typed,  # type: ignore[arg-type]
    )
    return policy, issues


def _item_from_row(row: list[str]) -> Item:
    number, text, points = row
    value, _ = parse_number(points)
    return Item(str(number), str(text), value if value is not None else Decimal(-1))


def parse_policy_toml(text: str) -> Policy:
    """A policy from TOML text; raises PolicyInvalid with every problem, in Chinese."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyInvalid([f"规则文件格式有误：{exc}"]) from exc
    try:
        params = [Param(**{k: str(v) for k, v in p.items()}) for p in data["params"]]
        kinds = [
            BonusKind(k["label"], None if k["points"] == "" else parse_number(k["points"])[0], k["clause"])
            for k in data["bonus_kinds"]
        ]
        depts = [
            Department(d["code"], d["name"], tuple(_item_from_row(r) for r in d["items"])) for d in data["departments"]
        ]
        clauses = [Clause(**{k: str(v) for k, v in c.items()}) for c in data.get("clauses", [])]
        meta = data["policy"]
    except (KeyError, TypeError, ValueError) as exc:
        raise PolicyInvalid([f"规则文件缺少或写错了字段：{exc}"]) from exc
    policy, issues = build_policy(meta, params, {p.key: p.value for p in params}, kinds, depts, clauses=clauses)
    if policy is None:
        raise PolicyInvalid([i.message for i in issues if i.level == ERROR])
    return policy


def load_policy(name: str = DEFAULT_POLICY) -> Policy:
    """A bundled policy by name (e.g. 'pengze-2018'), or a path to a .toml file."""
    if str(name).endswith(".toml"):
        with open(name, encoding="utf-8") as fh:
            return parse_policy_toml(fh.read())
    return _bundled(name)


@functools.lru_cache(maxsize=8)
def _bundled(name: str) -> Policy:
    """Bundled policies are parsed once per process (a Policy is immutable)."""
    try:
        text = resources.files("xl_appraisal.policies").joinpath(f"{name}.toml").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PolicyInvalid([f"找不到规则“{name}”"]) from exc
    return parse_policy_toml(text)
