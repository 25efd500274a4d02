"""Column letters and numbers ('C' <-> 3): plain arithmetic shared by the package format, the change log
and the trial functions. Imports nothing, so pure modules can use it."""

from __future__ import annotations


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def col_letters(index: int) -> str:
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out
