"""The ``pharos`` command. Each part registers its own subcommands (``<part>/cli.py``,
function ``register(subparsers)``); flags come from the settings groups (:mod:`pharos._config`)."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from pharos import __version__

__all__ = ["main", "build_parser"]

_COMMAND_MODULES = [
    "pharos.collector.cli",
    "pharos.collector.keys_cli",
    "pharos.evaluators.cli",
    "pharos.dashboards.cli",
    "pharos.sandbox.cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pharos", description="Pharos: LLM observability and evaluation.")
    parser.add_argument("--version", action="version", version=f"pharos {__version__}")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR (default INFO).")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _COMMAND_MODULES:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        mod.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except ImportError as exc:
        print(f"pharos {args.command}: missing dependency ({exc}); install the matching extra, "
              f"e.g. pip install 'pharos[server]'", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
