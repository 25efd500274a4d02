"""argparse in Chinese: usage, help, and every error and choice message the user can meet.

argparse takes its texts from gettext (`argparse._` and `argparse.ngettext`). `ChineseParser` swaps
those two names for a Chinese catalogue while it builds, formats, parses and reports, and puts the
originals back afterwards, so nothing else in the process (pytest, another library) is affected.
Choice and type errors are rewritten whole, to name the value in Chinese quotes instead of Python's repr.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

# argparse's message ids (CPython 3.11-3.13) -> Chinese. Placeholders are kept as they are.
CATALOGUE = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "subcommands": "命令",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必填的参数：%s",
    "one of the arguments %s is required": "参数 %s 必须填写其中一个",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "多余的值 %r",
    "expected one argument": "后面应跟一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面应至少跟一个值",
    "expected %s argument": "后面应跟 %s 个值",
    "expected %s arguments": "后面应跟 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "unexpected option string: %s": "意外的选项：%s",
    "invalid %(type)s value: %(value)r": "值 %(value)r 无效（应为%(type)s）",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择 %(value)r（可选：%(choices)s）",
    "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)":
        "无效的选择 %(value)r，是否想输入 %(closest)r？（可选：%(choices)s）",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "argument \"-\" with mode %r": "参数“-”不能以 %r 方式打开",
    "%(prog)s: error: argument %(argument_name)s: %(message)s\n": "%(prog)s：错误：参数 %(argument_name)s：%(message)s\n",
    "default: %(default)s": "默认：%(default)s",
}

HEADING = re.compile(r"^(\S[^\n]*):$", re.M)
TYPE_ZH = {"int": "整数", "float": "数字", "str": "文字"}


def translate(message: str) -> str:
    return CATALOGUE.get(message, message)


def translate_n(singular: str, plural: str, n: int) -> str:
    return translate(singular if n == 1 else plural)


@contextmanager
def chinese() -> Iterator[None]:
    """argparse speaks Chinese inside this block (re-entrant: subparsers nest inside their parent)."""
    saved: tuple[Callable, Callable] = (argparse._, argparse.ngettext)  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = translate, translate_n  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def _quoted(value: object) -> str:
    return f"“{value}”"


def display_width(text: str) -> int:
    """Columns a text takes in a terminal: CJK and full-width characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class ChineseFormatter(argparse.HelpFormatter):
    """Help text with Chinese headings (the usage prefix comes from the catalogue), and the help column
    aligned by display width: argparse pads by len(), which puts text after a Chinese metavar (工作簿)
    as many columns too far as it has characters."""

    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001 - argparse's signature
        super().add_usage(usage, actions, groups, translate("usage: ") if prefix is None else prefix)

    def _format_usage(self, usage, actions, groups, prefix):  # noqa: ANN001, ANN202 - argparse's signature
        """The usage wrapped to the terminal by display width: argparse measures with len(), so narrow
        its idea of the width by the overflow until the lines fit."""
        width = self._width
        try:
            while True:
                text = super()._format_usage(usage, actions, groups, prefix)
                over = max(map(display_width, text.splitlines() or [""])) - width
                if over <= 0 or self._width <= 30:
                    return text
                self._width -= over
        finally:
            self._width = width

    def add_argument(self, action: argparse.Action) -> None:
        if action.help is argparse.SUPPRESS:
            return
        invocations = [self._format_action_invocation(action)]
        invocations += [self._format_action_invocation(a) for a in self._iter_indented_subactions(action)]
        length = max(map(display_width, invocations)) + self._current_indent
        self._action_max_length = max(self._action_max_length, length)
        self._add_item(self._format_action, [action])

    def _split_lines(self, text: str, width: int) -> list[str]:
        """Help text wrapped by display width (Chinese has no spaces to break at: break anywhere)."""
        lines, line = [], ""
        for ch in " ".join(text.split()):
            if display_width(line + ch) > width:
                lines.append(line.rstrip())
                line = ch.lstrip()
            else:
                line += ch
        return [*lines, line] if line else lines or [""]

    def _format_action(self, action: argparse.Action) -> str:
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent_first = 0
        if not action.help:
            header = " " * self._current_indent + header + "\n"
        elif display_width(header) <= action_width:
            header = " " * self._current_indent + header + " " * (action_width - display_width(header) + 2)
        else:
            header = " " * self._current_indent + header + "\n"
            indent_first = help_position
        parts = [header]
        text = self._expand_help(action) if action.help and action.help.strip() else ""
        if text:
            lines = self._split_lines(text, help_width)
            parts.append(" " * indent_first + lines[0] + "\n")
            parts += [" " * help_position + line + "\n" for line in lines[1:]]
        elif not header.endswith("\n"):
            parts.append("\n")
        parts += [self._format_action(sub) for sub in self._iter_indented_subactions(action)]
        return self._join_parts(parts)


class ChineseParser(argparse.ArgumentParser):
    """An ArgumentParser whose every user-facing text is Chinese; subparsers inherit it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ChineseFormatter)
        with chinese():
            super().__init__(*args, **kwargs)

    def add_subparsers(self, **kwargs: Any):  # noqa: ANN201 - argparse's return type is private
        kwargs.setdefault("title", "可用的命令")
        kwargs.setdefault("parser_class", type(self))
        with chinese():
            return super().add_subparsers(**kwargs)

    def add_argument_group(self, *args: Any, **kwargs: Any):  # noqa: ANN201
        with chinese():
            return super().add_argument_group(*args, **kwargs)

    def parse_known_args(self, args=None, namespace=None):  # noqa: ANN001, ANN201
        with chinese():
            return super().parse_known_args(args, namespace)

    def parse_args(self, args=None, namespace=None):  # noqa: ANN001, ANN201
        with chinese():
            return super().parse_args(args, namespace)

    def format_usage(self) -> str:
        with chinese():
            return super().format_usage()

    def format_help(self) -> str:
        with chinese():
            text = super().format_help()
        return HEADING.sub("\\1：", text)  # section headings end with a Chinese colon

    def error(self, message: str) -> NoReturn:
        with chinese():
            self.print_usage(sys.stderr)
            hint = f"（输入 {self.prog} -h 查看说明）"
            self.exit(2, translate("%(prog)s: error: %(message)s\n") % {"prog": self.prog, "message": message + hint})

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if action.choices is not None and value not in action.choices:
            choices = "、".join(str(c) for c in action.choices)
            raise argparse.ArgumentError(action, f"没有{_quoted(value)}这一项，可选：{choices}")

    def _get_value(self, action: argparse.Action, arg_string: str) -> Any:
        try:
            with chinese():
                return super()._get_value(action, arg_string)
        except argparse.ArgumentError as exc:
            name = getattr(action.type, "__name__", "")
            if name in TYPE_ZH:
                raise argparse.ArgumentError(action, f"应为{TYPE_ZH[name]}，现为{_quoted(arg_string)}") from exc
            raise
