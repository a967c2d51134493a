"""A small evaluator of the part of Obsidian Bases' expression language People.base uses.

Written from Obsidian's help (Bases syntax, Functions): `if` is lazy, `+` adds a
duration string to a date (`M` month, `m` minute, refused here so a month written
`m` fails a test), `number(date)` is milliseconds, a comparison with null is false.
It checks what vtb generates against vtb's own rules; it is no copy of Obsidian.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from vault_touchbase.core.cadence import add_months

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d+)?)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<regex>/(?:[^/\\]|\\.)+/[a-z]*)
  | (?P<op>\|\||&&|==|!=|>=|<=|[-+*/()<>!\[\].,])
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
)""",
    re.VERBOSE,
)


def tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    at = 0
    previous = ""
    while at < len(text.rstrip()):
        match = _TOKEN.match(text, at)
        assert match, f"cannot read {text[at:]!r}"
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "regex" and previous not in ("(", ","):  # a `/` after a value divides
            kind, value = "op", "/"
            match = re.compile(r"\s*/").match(text, at)
            assert match
        out.append((kind, value))
        previous = value
        at = match.end()
    return out


@dataclass(frozen=True)
class Link:
    target: str
    display: str


def _duration(text: str) -> tuple[int, str]:
    match = re.fullmatch(r"\s*(\d+)\s*([A-Za-z]+)\s*", text)
    assert match, f"not a duration: {text!r}"
    count, unit = int(match.group(1)), match.group(2)
    units = {
        "y": "y", "year": "y", "years": "y", "M": "M", "month": "M", "months": "M",
        "w": "w", "week": "w", "weeks": "w", "d": "d", "day": "d", "days": "d",
    }  # fmt: skip
    assert unit in units, f"{text!r}: not a unit of days or more (`m` is a minute)"
    return count, units[unit]


def _plus(a: Any, b: Any) -> Any:
    if isinstance(a, date):
        count, unit = b if isinstance(b, tuple) else _duration(b)
        if unit == "y":
            return add_months(a, 12 * count)
        if unit == "M":
            return add_months(a, count)
        return date.fromordinal(a.toordinal() + count * (7 if unit == "w" else 1))
    if isinstance(a, str) or isinstance(b, str):
        return f"{a}{b}"
    return a + b


def _compare(op: str, a: Any, b: Any) -> bool:
    if op == "==":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    if a is None or b is None:
        return False
    return {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op]


class Note:
    """One note as Bases sees it: its frontmatter and its file."""

    def __init__(self, path: str, meta: dict[str, Any], formulas: dict[str, str], today: date):
        self.path, self.meta, self.formulas, self.today = path, meta, formulas, today
        self.cache: dict[str, Any] = {}

    def formula(self, name: str) -> Any:
        if name not in self.cache:
            self.cache[name] = self.eval(self.formulas[name])
        return self.cache[name]

    def eval(self, text: str) -> Any:
        parser = _Parser(tokens(text), self)
        value = parser.expr()
        assert parser.at == len(parser.toks), f"left over in {text!r}"
        return value()


class _Parser:
    """Recursive descent to closures: `if` evaluates only the branch it takes."""

    def __init__(self, toks: list[tuple[str, str]], note: Note) -> None:
        self.toks, self.at, self.note = toks, 0, note

    def peek(self) -> str:
        return self.toks[self.at][1] if self.at < len(self.toks) else ""

    def take(self, want: str | None = None) -> tuple[str, str]:
        tok = self.toks[self.at]
        assert want is None or tok[1] == want, f"expected {want}, got {tok}"
        self.at += 1
        return tok

    def expr(self) -> Callable[[], Any]:
        left = self.conj()
        while self.peek() == "||":
            self.take()
            a, b = left, self.conj()
            left = lambda a=a, b=b: bool(a()) or bool(b())  # noqa: E731
        return left

    def conj(self) -> Callable[[], Any]:
        left = self.cmp()
        while self.peek() == "&&":
            self.take()
            a, b = left, self.cmp()
            left = lambda a=a, b=b: bool(a()) and bool(b())  # noqa: E731
        return left

    def cmp(self) -> Callable[[], Any]:
        left = self.add()
        if self.peek() in ("==", "!=", ">", "<", ">=", "<="):
            op = self.take()[1]
            a, b = left, self.add()
            return lambda: _compare(op, a(), b())
        return left

    def add(self) -> Callable[[], Any]:
        left = self.mul()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            a, b = left, self.mul()
            plus = op == "+"
            left = lambda a=a, b=b, plus=plus: _plus(a(), b()) if plus else a() - b()  # noqa: E731
        return left

    def mul(self) -> Callable[[], Any]:
        left = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            a, b = left, self.unary()
            left = (lambda a=a, b=b: a() * b()) if op == "*" else (lambda a=a, b=b: a() / b())
        return left

    def unary(self) -> Callable[[], Any]:
        if self.peek() == "!":
            self.take()
            inner = self.unary()
            return lambda: not inner()
        return self.postfix()

    def args(self) -> list[Callable[[], Any]]:
        self.take("(")
        found: list[Callable[[], Any]] = []
        while self.peek() != ")":
            found.append(self.expr())
            if self.peek() == ",":
                self.take()
        self.take(")")
        return found

    def postfix(self) -> Callable[[], Any]:
        value = self.primary()
        while self.peek() in (".", "["):
            if self.take()[1] == "[":
                key = self.expr()
                self.take("]")
                base = value
                value = lambda base=base, key=key: base()[key()]  # noqa: E731
                continue
            name = self.take()[1]
            args = self.args() if self.peek() == "(" else None
            value = self.method(value, name, args)
        return value

    def method(self, value: Callable[[], Any], name: str, args: Any) -> Callable[[], Any]:
        def call() -> Any:
            subject = value()
            given = [a() for a in args or []]
            if name == "toString":
                return subject.isoformat() if isinstance(subject, date) else str(subject)
            if name == "isType":
                return {"string": isinstance(subject, str)}[given[0]]
            if name == "lower":
                return subject.lower()
            if name == "trim":
                return subject.strip()
            if name == "round":
                return round(subject)
            if name == "format":
                assert given == ["YYYY-MM"], given
                return subject.strftime("%Y-%m")
            if name == "replace":
                pattern, new = given
                assert isinstance(pattern, re.Pattern)
                return pattern.sub(re.sub(r"\$(\d)", r"\\\1", new), subject, count=1)
            raise AssertionError(f"no method {name}")

        return call

    def primary(self) -> Callable[[], Any]:
        kind, value = self.take()
        note = self.note
        if kind == "num":
            number = float(value) if "." in value else int(value)
            return lambda: number
        if kind == "str":
            text = re.sub(r"\\(.)", r"\1", value[1:-1])
            return lambda: text
        if kind == "regex":
            body = value[1 : value.rindex("/")]
            pattern = re.compile(body)
            return lambda: pattern
        if value == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if value in ("null", "true", "false"):
            constant = {"null": None, "true": True, "false": False}[value]
            return lambda: constant
        if value == "formula":
            self.take(".")
            name = self.take()[1]
            return lambda: note.formula(name)
        if value == "note":
            self.take("[")
            key = self.expr()
            self.take("]")
            return lambda: note.meta.get(key())
        if value == "file":
            self.take(".")
            what = self.take()[1]
            stem = note.path.rsplit("/", 1)[-1].removesuffix(".md")
            if what == "basename":
                return lambda: stem
            if what == "path":
                return lambda: note.path
            if what == "ext":
                return lambda: note.path.rsplit(".", 1)[-1]
            args = self.args()
            if what == "asLink":
                return lambda: Link(note.path, args[0]())
            if what == "inFolder":
                return lambda: note.path.startswith(args[0]() + "/")
            raise AssertionError(f"no file.{what}")
        args = self.args()
        if value == "if":
            test, yes, *no = args
            return lambda: yes() if test() else (no[0]() if no else None)
        functions: dict[str, Callable[..., Any]] = {
            "today": lambda: note.today,
            "date": _date,
            "duration": _duration,
            "number": _number,
        }
        assert value in functions, f"no function {value}"
        function = functions[value]
        return lambda: function(*(a() for a in args))


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _number(value: Any) -> float:
    if isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=UTC)
        return moment.timestamp() * 1000
    return float(value)
