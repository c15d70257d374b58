"""Fixtures shared by the tests of the snippets package."""

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def seeded():
    """Seed NumPy and MXNet and close figures, as the page runner does."""
    mx.random.seed(0)
    np.random.seed(0)
    plt.close("all")
    yield
    plt.close("all")
