"""Every Pharos option in one object.

Each group lives next to the code it configures; :class:`Settings` joins them, so
``Settings()`` holds every ``PHAROS_*`` variable. ``python -m pharos.settings`` prints the
Markdown reference that is committed as ``CONFIGURATION.md``.
"""

from __future__ import annotations

import importlib
import sys

from pharos._config import PharosSettings, env_name, flag_name

__all__ = ["Settings", "GROUPS", "reference_markdown"]

# (module, class) of every settings group, in the order CONFIGURATION.md lists them.
_GROUP_PATHS = [
    ("pharos.collector.settings", "StoreSettings"),
    ("pharos.collector.settings", "AccessSettings"),
    ("pharos.collector.settings", "ServerSettings"),
    ("pharos.sdk.settings", "SdkSettings"),
    ("pharos.evaluators.settings", "EvaluatorSettings"),
    ("pharos.dashboards.settings", "DashboardSettings"),
    ("pharos.sandbox.settings", "SandboxSettings"),
]


def _load_groups() -> list[type[PharosSettings]]:
    groups = []
    for module, cls in _GROUP_PATHS:
        try:
            groups.append(getattr(importlib.import_module(module), cls))
        except ModuleNotFoundError as exc:  # a part not written yet
            if exc.name != module:
                raise
    return groups


GROUPS: list[type[PharosSettings]] = _load_groups()


class Settings(*reversed(GROUPS)):  # type: ignore[misc]
    """All of Pharos' settings: every group's fields in one object."""


def reference_markdown() -> str:
    lines = [
        "# Configuration",
        "",
        "Every option is an environment variable with the `PHAROS_` prefix and, for the commands that use it,",
        "a CLI flag of the same name (`PHAROS_DATA_DIR` = `--data-dir`). Flags win over variables.",
        "This file is generated: `python -m pharos.settings > CONFIGURATION.md`.",
        "",
    ]
    seen: set[str] = set()  # an option shared by several groups (database) is listed with the first
    for group in GROUPS:
        title = (group.__doc__ or group.__name__).strip().splitlines()[0]
        lines += [f"## {title}", "", "| variable | flag | default | meaning |", "|---|---|---|---|"]
        for name, field in group.model_fields.items():
            if name in seen:
                continue
            seen.add(name)
            default = "(per user data dir)" if field.default_factory else repr(field.default)
            desc = (field.description or "").replace("|", "\\|")
            lines.append(f"| `{env_name(name)}` | `{flag_name(name)}` | `{default}` | {desc} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(reference_markdown())
