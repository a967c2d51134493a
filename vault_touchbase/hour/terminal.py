"""The hour's keys and answers: one keypress on a TTY, one line per answer otherwise."""

from __future__ import annotations

import sys

import click


class Quit(Exception):
    """The person asked to stop (q, or the input ended)."""


class Terminal:
    """Asks for keys and lines: one keypress on a TTY, one line per answer otherwise."""

    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def key(self, prompt: str) -> str:
        click.echo(f"{prompt} ", nl=False)
        if self.tty:
            try:
                char = click.getchar()
            except EOFError:  # Ctrl-D
                click.echo()
                raise Quit from None
            click.echo(char if char.isprintable() else "")
            return char.lower()
        line = sys.stdin.readline()  # the stream click.prompt reads too
        if not line:
            click.echo()
            raise Quit
        answer = line.strip()[:1].lower()
        click.echo(answer)
        return answer

    def line(self, prompt: str, default: str = "") -> str:
        try:
            answer = click.prompt(prompt, default=default, show_default=bool(default))
        except click.exceptions.Abort:  # end of input, or Ctrl-D
            click.echo()
            raise Quit from None
        return " ".join(str(answer).split())
