"""The one way Pharos is configured: settings objects read from ``PHAROS_*`` environment
variables, overridable by CLI flags of the same name (``PHAROS_DATA_DIR`` == ``--data-dir``).

Each part of Pharos declares its own group of options next to its code (``pharos.collector.settings``,
``pharos.sdk.settings``, ...) by subclassing :class:`PharosSettings`; ``pharos.settings.Settings``
joins every group into one object, and ``CONFIGURATION.md`` is generated from it
(``python -m pharos.settings > CONFIGURATION.md``; a test keeps the two in sync).

This module is deliberately tiny and light so the SDK can use it.
"""

from __future__ import annotations

import argparse
from typing import Any, TypeVar

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PharosSettings", "ENV_PREFIX", "add_options", "from_args", "flag_name", "env_name"]

ENV_PREFIX = "PHAROS_"
T = TypeVar("T", bound="PharosSettings")


class PharosSettings(BaseSettings):
    """Base of every settings group: ``PHAROS_`` prefix, unknown variables ignored."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", validate_default=True)


def flag_name(field: str) -> str:
    return "--" + field.replace("_", "-")


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def add_options(parser: argparse.ArgumentParser, group: type[PharosSettings]) -> None:
    """Add one CLI flag per field of ``group``; unset flags fall back to env vars, then defaults."""
    title = (group.__doc__ or group.__name__).strip().splitlines()[0]
    section = parser.add_argument_group(title)
    for name, field in group.model_fields.items():
        help_text = f"{field.description or ''} [env {env_name(name)}; default {field.default!r}]"
        if field.annotation is bool:
            section.add_argument(flag_name(name), dest=name, default=None,
                                 action=argparse.BooleanOptionalAction, help=help_text)
        else:
            section.add_argument(flag_name(name), dest=name, default=None, metavar=name.upper(), help=help_text)


def from_args(group: type[T], args: argparse.Namespace | None = None, **overrides: Any) -> T:
    """Build ``group`` from (highest first) explicit overrides, CLI flags, env vars, defaults."""
    values: dict[str, Any] = {}
    if args is not None:
        values = {k: v for k, v in vars(args).items() if k in group.model_fields and v is not None}
    values.update(overrides)
    return group(**values)
