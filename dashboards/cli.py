"""``pharos dashboards build|push``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pharos._config import add_options, from_args
from pharos.dashboards.settings import DashboardSettings

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("dashboards", help="Grafana dashboards, alert rules and provisioning files.",
                                   description="Grafana dashboards, alert rules and provisioning files, as code.")
    sub = parser.add_subparsers(dest="dashboards_command", metavar="SUBCOMMAND", required=True)

    build = sub.add_parser("build", help="Regenerate the dashboard JSON and provisioning YAML.",
                           description="Write dashboards/json/*.json and dashboards/provisioning/**.yaml.")
    build.add_argument("--out", type=Path, default=None,
                       help="Directory to write into (default: the installed pharos/dashboards folder).")
    build.add_argument("--check", action="store_true",
                       help="Write nothing; exit 1 if any generated file differs from what build would write.")
    add_options(build, DashboardSettings)
    build.set_defaults(func=_build)

    push = sub.add_parser("push", help="Create or update folder, data source, dashboards and alert rules in Grafana.",
                          description="Idempotent: a second push with the same settings changes nothing.")
    push.add_argument("--dry-run", action="store_true", help="Report what would change; change nothing.")
    add_options(push, DashboardSettings)
    push.set_defaults(func=_push)


def _build(args: argparse.Namespace) -> int:
    from pharos.dashboards import build

    settings = from_args(DashboardSettings, args)
    out = args.out or build.PACKAGE_DIR
    if args.check:
        stale = build.diff(out, settings)
        for rel in stale:
            print(f"stale: {out / rel}")
        print(f"{len(stale)} generated file(s) out of date" if stale else "generated files up to date")
        return 1 if stale else 0
    changed = build.write(out, settings)
    for rel in changed:
        print(f"wrote {out / rel}")
    print(f"{len(changed)} file(s) changed under {out}")
    return 0


def _push(args: argparse.Namespace) -> int:
    from pharos.dashboards import push

    settings = from_args(DashboardSettings, args)
    try:
        report = push.push(settings, dry_run=args.dry_run)
    except push.PushError as exc:
        print(f"pharos dashboards push: {exc}", file=sys.stderr)
        return 1
    for line in report.lines():
        print(line)
    return 0
