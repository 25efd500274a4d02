"""The two ways a command fails on purpose, and the exit codes every front door uses.

- `Unusable`: a file or path that cannot be used at all (missing, not a workbook, open in Excel,
  read-only, an output that would overwrite an input, disk full). Exit 2, one Chinese sentence.
- `Refused`: the file was read, but the command will not do what was asked (the workbook has errors
  and the command needs a clean one; a handout that does not belong to this book). Exit 1 unless the
  refusal says otherwise, with its reason.

Anything else that escapes a command is a bug: the CLI prints one sentence, writes the traceback to a
log file and exits with EXIT_INTERNAL. Nothing here imports openpyxl, xlwings or the engine.
"""

from __future__ import annotations

EXIT_OK = 0  # done, no errors in the workbook
EXIT_ERRORS = 1  # done or refused: the workbook has errors (listed), or the command refused with a reason
EXIT_UNUSABLE = 2  # a file or path could not be used; nothing was written
EXIT_INTERNAL = 3  # a bug: the traceback is in the log file named on screen


class AppError(Exception):
    """A failure the user is meant to read: `message` is one Chinese sentence."""

    exit_code = EXIT_UNUSABLE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Unusable(AppError):
    """This file or path cannot be used (exit 2)."""

    exit_code = EXIT_UNUSABLE


class Refused(AppError):
    """The command refuses, with its reason (exit 1 by default)."""

    exit_code = EXIT_ERRORS

    def __init__(self, message: str, *, details: list[str] | None = None, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.details = list(details or [])
        if exit_code is not None:
            self.exit_code = exit_code
