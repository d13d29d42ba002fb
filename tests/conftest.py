"""Shared fixtures: the committed generated modules. Imports no torch, so that the engine's tests
run without it (tests/test_engine_without_torch.py checks that)."""

import importlib

import pytest

from grouptheory import catalog_names, load

MODULE_NAMES = [load(name).name.lower() for name in catalog_names()]
PLANAR = [name for name in MODULE_NAMES if load(name).dimension == 2]


def generated(name: str):
    return importlib.import_module(f"generated.{name}")


@pytest.fixture(params=MODULE_NAMES)
def group_module(request):
    """Each committed generated module in turn."""
    return generated(request.param)


@pytest.fixture(params=PLANAR)
def planar_module(request):
    """Each committed generated module for a planar group."""
    return generated(request.param)
