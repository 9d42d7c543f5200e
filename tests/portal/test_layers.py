"""The layers of docs/architecture.md: common < accounts < networks < practices < conferences <
portal. A lower layer never imports an upper one; import-linter checks the contract written in
pyproject.toml, here and in CI (``make lint-imports``)."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
#: Bottom first, as docs/architecture.md draws them.
LAYERS = ["common", "accounts", "networks", "practices", "conferences", "portal"]

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")


def lint_imports(checkout: Path) -> subprocess.CompletedProcess:
    """Run the contract of ``checkout``'s pyproject.toml over the packages of ``checkout``."""
    # lint-imports finds the packages from its working directory; nothing else on the path.
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(checkout / "pyproject.toml")],
        cwd=checkout,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_contract_lists_every_app_as_a_layer_top_first():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]

    (layers,) = [c for c in config["contracts"] if c["type"] == "layers"]
    assert layers["layers"] == LAYERS[::-1]
    assert sorted(config["root_packages"]) == sorted(LAYERS)
    # A contract that lets some imports through would not be the rule the docs state.
    assert "ignore_imports" not in layers
    assert layers.get("containers", []) == []


def test_no_lower_layer_imports_an_upper_one():
    run = lint_imports(ROOT)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "Contracts: 1 kept, 0 broken." in run.stdout


@pytest.fixture(scope="module")
def checkout_copy(tmp_path_factory):
    """The packages and the contract, copied: the probes below never touch the real tree."""
    copy = tmp_path_factory.mktemp("layers")
    for package in LAYERS:
        shutil.copytree(
            ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("common", "accounts.models"),
        ("accounts", "networks.models"),
        ("networks", "practices.models"),
        ("practices", "conferences.models"),
        ("conferences", "portal.views"),
        ("common", "portal.apps"),  # across several layers
    ],
)
def test_an_upward_import_breaks_the_contract(checkout_copy, lower, upper):
    probe = checkout_copy / lower / "layer_probe.py"
    probe.write_text(f"import {upper}  # upward: the contract must refuse it\n")
    try:
        run = lint_imports(checkout_copy)
    finally:
        probe.unlink()

    assert run.returncode == 1, run.stdout + run.stderr
    assert "Contracts: 0 kept, 1 broken." in run.stdout
    assert f"{lower}.layer_probe -> {upper}" in run.stdout


def test_a_downward_import_keeps_the_contract(checkout_copy):
    probe = checkout_copy / "portal" / "layer_probe.py"
    probe.write_text("import common.text\nimport conferences.models\n")
    try:
        run = lint_imports(checkout_copy)
    finally:
        probe.unlink()

    assert run.returncode == 0, run.stdout + run.stderr
