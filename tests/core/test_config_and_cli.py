"""One settings object, documented in one file; `pharos --help` lists the subcommands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pharos._config import env_name, flag_name
from pharos.settings import GROUPS, Settings, reference_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_configuration_md_is_generated_from_the_settings():
    assert (ROOT / "CONFIGURATION.md").read_text() == reference_markdown(), \
        "CONFIGURATION.md is stale: run `python -m pharos.settings > CONFIGURATION.md`"


def test_every_option_is_documented_once_with_its_env_var_and_flag():
    doc = (ROOT / "CONFIGURATION.md").read_text()
    declared: dict[str, tuple] = {}
    for group in GROUPS:
        for name, field in group.model_fields.items():
            # an option may appear in several groups only as the same shared declaration
            assert declared.setdefault(name, (field.default, field.description)) == (field.default, field.description), \
                f"two settings groups define {name} differently"
    assert set(declared) == set(Settings.model_fields)
    for name in declared:
        assert doc.count(f"| `{env_name(name)}` |") == 1, f"{name} documented more than once"
    for group in GROUPS:
        for name, field in group.model_fields.items():
            assert field.description, f"{name} has no description"
            assert f"`{env_name(name)}` | `{flag_name(name)}`" in doc


def test_env_vars_and_flags_reach_the_settings(monkeypatch, tmp_path):
    from pharos._config import add_options, from_args
    from pharos.collector.settings import ServerSettings, StoreSettings

    monkeypatch.setenv("PHAROS_DATA_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("PHAROS_SQL_PORT", "9999")
    assert Settings().data_dir == tmp_path / "from-env"
    import argparse

    parser = argparse.ArgumentParser()
    add_options(parser, StoreSettings)
    add_options(parser, ServerSettings)
    args = parser.parse_args(["--data-dir", str(tmp_path / "from-flag")])
    assert from_args(StoreSettings, args).data_dir == tmp_path / "from-flag"  # the flag wins
    assert from_args(ServerSettings, args).sql_port == 9999  # no flag: the env var


def test_help_lists_the_subcommands():
    out = subprocess.run([sys.executable, "-m", "pharos", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for command in ("serve", "migrate", "status"):
        assert command in out.stdout
    serve = subprocess.run([sys.executable, "-m", "pharos", "serve", "--help"], capture_output=True, text=True,
                           timeout=60).stdout
    assert "--data-dir" in serve and "PHAROS_DATA_DIR" in serve and "--sql-port" in serve


def test_migrate_print_sql_for_a_cluster():
    out = subprocess.run([sys.executable, "-m", "pharos", "migrate", "--print-sql", "--cluster", "prod"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("ON CLUSTER `prod`") > 10 and "ReplicatedMergeTree" in out.stdout


def test_sdk_install_stays_light():
    """`import pharos` and the settings do not pull in the server stack."""
    code = ("import sys, pharos, pharos.settings; "
            "heavy = [m for m in ('chdb', 'clickhouse_connect', 'fastapi', 'grpc', 'uvicorn') if m in sys.modules];"
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
