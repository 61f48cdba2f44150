# pytest set-up for the Python module's tests (ctest `python_module`): SNNSIM_BIN is the CLI,
# SNNSIM_DATA the MNIST directory; the module comes from PYTHONPATH (build/python).
import os
import pathlib

import pytest


@pytest.fixture(scope="session")
def cli():
    return os.environ.get("SNNSIM_BIN", str(pathlib.Path(__file__).resolve().parents[2] / "build" / "snnsim"))


@pytest.fixture(scope="session")
def data_dir():
    return os.environ.get("SNNSIM_DATA", str(pathlib.Path(__file__).resolve().parents[2] / "data" / "mnist"))


@pytest.fixture(scope="session")
def mnist(data_dir):
    import snnsim
    X, y = snnsim.load_idx(data_dir, max_count=200)
    Xt, yt = snnsim.load_idx(data_dir, "test", max_count=100)
    return X, y, Xt, yt
