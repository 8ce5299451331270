"""Periodic jobs the features add to the worker (registered from their ``ready()``).

The worker attaches them when it starts (:func:`tousu.jobs.queue.attach_periodic`), so the
order in which the apps become ready does not matter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Periodic:
    name: str
    # A huey crontab field for minutes: "*" every minute, "*/15", "0" once an hour.
    minute: str
    fn: Callable[[], object]


_periodic: dict[str, Periodic] = {}
PERIODIC: Mapping[str, Periodic] = MappingProxyType(_periodic)


def periodic(name: str, minute: str, fn: Callable[[], object]) -> None:
    if apps.ready:
        raise ImproperlyConfigured(f"Registration is closed once every app is ready ({name})")
    if name in _periodic:
        raise ImproperlyConfigured(f"Periodic job {name!r} is registered twice")
    _periodic[name] = Periodic(name, minute, fn)


# Jobs the features run on demand (registered from their ``ready()``): name → function of
# one integer (the row it works on). The worker runs them by name (tousu.jobs.queue.run_job).
_on_demand: dict[str, Callable[[int], object]] = {}
ON_DEMAND: Mapping[str, Callable[[int], object]] = MappingProxyType(_on_demand)


def on_demand(name: str, fn: Callable[[int], object]) -> None:
    if apps.ready:
        raise ImproperlyConfigured(f"Registration is closed once every app is ready ({name})")
    if name in _on_demand:
        raise ImproperlyConfigured(f"On-demand job {name!r} is registered twice")
    _on_demand[name] = fn
