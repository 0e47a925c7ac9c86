"""The registry of `./hl` commands: each command module adds its sub-parsers and handlers here.

It imports nothing of the CLI, so command modules and `cli.py` both depend on it and never on
each other (the CLI imports the command modules; they import only this).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeAlias

Command = Callable[[argparse.Namespace], int]
SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"  # generic to mypy only
AddParsers = Callable[[SubParsers], None]

COMMANDS: dict[str, Command] = {}
PARSERS: list[AddParsers] = []


def command(name: str) -> Callable[[Command], Command]:
    """Register `fn` as the handler of `./hl <name>`."""

    def register(fn: Command) -> Command:
        COMMANDS[name] = fn
        return fn

    return register


def parsers(fn: AddParsers) -> AddParsers:
    """Register `fn` to add a module's sub-parsers to `./hl`'s parser."""
    PARSERS.append(fn)
    return fn
