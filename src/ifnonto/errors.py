"""Errors that the CLI turns into one clear message and a documented exit code."""

from __future__ import annotations

# Exit codes (documented in the README).
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_MISSING_TOOL = 3


class IfnontoError(Exception):
    """Bad input or usage: reported as ``file:line: column: problem``, exit code 2."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: str | None = None):
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        super().__init__(self.__str__())

    def __reduce__(self):
        # errors cross process boundaries (query workers): keep keyword arguments and subclass fields, which
        # the default (the class called with the message alone) loses or cannot rebuild
        return _restore, (type(self), dict(self.__dict__))

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        if self.column:
            where += f"{self.column}: "
        return where + self.message


class MissingToolError(IfnontoError):
    """An external tool (Java) the command needs is not installed: exit code 3."""

    exit_code = EXIT_MISSING_TOOL


class IfnontoErrors(IfnontoError):
    """Several bad-input problems found in one pass (for example every broken row of the curated tables)."""

    def __init__(self, errors: list[IfnontoError]):
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.message, path=first.path, line=first.line, column=first.column)

    def __str__(self) -> str:
        lines = [IfnontoError.__str__(e) for e in self.errors]
        more = f"\n({len(lines)} problems)" if len(lines) > 1 else ""
        return "\n".join(lines) + more


def _restore(cls: type, state: dict) -> IfnontoError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, str(error))
    return error
