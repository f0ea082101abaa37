"""Callbacks other apps register to follow changes of the tree.

federation sits at the bottom of the dependency graph: it must not import the apps
built on it. An app that keeps per-unit state (portal keeps people's roles and
memberships) registers here in its AppConfig.ready, and the tree services call
the callbacks inside their transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol


class UnitMergedCallback(Protocol):
    def __call__(self, *, source, target, effective_date: dt.date, actor, event) -> None: ...


_unit_merged: list[Callable] = []


def on_unit_merged(callback: UnitMergedCallback) -> UnitMergedCallback:
    """Register `callback` to run for every unit merged away (usable as a decorator)."""
    if callback not in _unit_merged:
        _unit_merged.append(callback)
    return callback


def unit_merged(*, source, target, effective_date: dt.date, actor, event) -> None:
    for callback in list(_unit_merged):
        callback(
            source=source, target=target, effective_date=effective_date, actor=actor, event=event
        )
