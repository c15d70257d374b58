"""Fixtures shared by the tests of the teaching code."""

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import pytest


@pytest.fixture
def seeded():
    """Seed MXNet and NumPy and close figures, as the page runner does."""
    mx.random.seed(0)
    np.random.seed(0)
    plt.close("all")
    yield
    plt.close("all")
