"""What features plug into: the functions behind the actions, hooks and effects.

The core dispatches; it does not know the features. Each feature registers from its
``AppConfig.ready()``:

- its rows of the transition table (:func:`tousu.cases.lifecycle.add`), each with its
  event type and the roles its policy chooses;
- the functions staff and the API call for its actions, with their input schemas
  (:func:`actions`), and the functions the job worker calls for its system actions
  (:func:`system_actions`); the desk and the API build their forms and endpoints from these;
- **in-transaction hooks** (:func:`hook`) for facts that must be atomic with a change (a
  case registered after hours lands with the duty officer);
- **effects** (:func:`effect`): what happens after the change commits (a notice delivered,
  the reporter told), written as outbox rows in the change's own transaction and claimed
  by the worker (:mod:`tousu.cases.outbox`), so nothing is lost if a process dies between
  commit and dispatch;
- **sweeps** (:func:`sweep`): what the worker's periodic sweep also runs.

Registration is refused once every app is ready: the tables are closed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from datetime import datetime
from types import MappingProxyType
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from pydantic import BaseModel

from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case

ActionFn = Callable[..., Case]
Effect = Callable[[dict[str, Any]], object]
Sweep = Callable[[datetime], dict[str, int]]

_functions: dict[str, tuple[ActionFn, type[BaseModel]]] = {}
_system: dict[str, ActionFn] = {}
_hooks: dict[str, list[Callable[..., object]]] = {}
_effects: dict[str, Effect] = {}
_sweeps: dict[str, Sweep] = {}
# Context managers that gather what a registration writes and finish it together (the
# audit's seals of a new case's rows); each yields an object with ``flush()``.
_batchers: list[Callable[[], AbstractContextManager[Any]]] = []

# Staff and API actions: name → (function, input schema). The desk and the API offer these.
ACTION_FUNCTIONS: Mapping[str, tuple[ActionFn, type[BaseModel]]] = MappingProxyType(_functions)
# The job worker's actions: name → function.
SYSTEM_FUNCTIONS: Mapping[str, ActionFn] = MappingProxyType(_system)
EFFECTS: Mapping[str, Effect] = MappingProxyType(_effects)
SWEEPS: Mapping[str, Sweep] = MappingProxyType(_sweeps)

# Moments a hook may attach to, and what each is called with.
HOOK_MOMENTS = {
    # register(): inside its transaction, after parties, subject and clocks are saved.
    # Called as hook(case, policy, actor=actor, now=now).
    "registered",
    # assign(): inside its step, after the lead department is set. Called as hook(step).
    "assigned",
}


def _open(what: str, name: str, taken: Mapping[str, object], *, core: bool = False) -> None:
    if apps.ready and not core:
        raise ImproperlyConfigured(f"Registration is closed once every app is ready ({name})")
    if name in taken:
        raise ImproperlyConfigured(f"{what} {name!r} is registered twice")


def actions(table: Mapping[str, tuple[ActionFn, type[BaseModel]]], *, core: bool = False) -> None:
    """The staff and API functions of actions already in the transition table."""
    for name, entry in table.items():
        _open("Action", name, _functions, core=core)
        transition = TABLE.get(name)
        if transition is None or transition.system or transition.reporter:
            raise ImproperlyConfigured(f"Action {name!r} is not a staff action of the table")
        _functions[name] = entry


def system_actions(table: Mapping[str, ActionFn], *, core: bool = False) -> None:
    """The job worker's functions for system actions of the transition table."""
    for name, fn in table.items():
        _open("System action", name, _system, core=core)
        transition = TABLE.get(name)
        if transition is None or not transition.system:
            raise ImproperlyConfigured(f"Action {name!r} is not a system action of the table")
        _system[name] = fn


def hook(moment: str, fn: Callable[..., object]) -> None:
    """Run ``fn`` inside the transaction of every change at ``moment``."""
    if moment not in HOOK_MOMENTS:
        raise ImproperlyConfigured(f"No hook moment {moment!r}")
    if apps.ready:
        raise ImproperlyConfigured(f"Registration is closed once every app is ready ({moment})")
    _hooks.setdefault(moment, []).append(fn)


def run_hooks(moment: str, *args: Any, **kwargs: Any) -> None:
    for fn in _hooks.get(moment, ()):
        fn(*args, **kwargs)


def batcher(factory: Callable[[], AbstractContextManager[Any]]) -> None:
    """Register what gathers a registration's writes (the audit's seal batch)."""
    if apps.ready:
        raise ImproperlyConfigured("Registration is closed once every app is ready (batcher)")
    _batchers.append(factory)


@contextmanager
def batched_writes() -> Iterator[Callable[[], None]]:
    """Enter every registered batcher; yields a function flushing them all now (before
    the counter row is taken). Each finishes when the block ends."""
    with ExitStack() as stack:
        batches = [stack.enter_context(factory()) for factory in _batchers]

        def flush() -> None:
            for batch in batches:
                batch.flush()

        yield flush


def effect(kind: str, handler: Effect) -> None:
    """What the worker does with an outbox row of this kind (its payload as argument).

    The handler runs in one transaction with the row's completion: what it writes to the
    database happens exactly once. What it sends out (e-mail, SMS) it must make idempotent
    itself (mark what it sent in that same transaction).
    """
    _open("Effect", kind, _effects)
    _effects[kind] = handler


def sweep(name: str, fn: Sweep) -> None:
    """Run ``fn(now)`` in every periodic sweep of the worker; it returns counts to log."""
    _open("Sweep", name, _sweeps)
    _sweeps[name] = fn
