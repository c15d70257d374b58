"""Tests for snippets.initialization and for how Gluon initializes."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
from mxnet import gluon, init, nd
from mxnet.gluon.parameter import DeferredInitializationError

from snippets.initialization import (
    get_params,
    mlp,
    show_deferred_init,
    show_init_histogram,
    show_scratch_params,
)


def test_get_params_shapes_values_and_gradients():
    """W ~ N(0, sigma^2) and zero b, each with a zero gradient buffer."""
    W, b = get_params(1000, 50, sigma=0.1)
    assert W.shape == (1000, 50)
    assert b.shape == (50,)
    assert W.asnumpy().std() == pytest.approx(0.1, rel=0.03)
    assert abs(W.asnumpy().mean()) < 0.01
    np.testing.assert_array_equal(b.asnumpy(), 0)
    for param in (W, b):
        assert param.grad.shape == param.shape
        np.testing.assert_array_equal(param.grad.asnumpy(), 0)


def test_get_params_matches_the_2017_form():
    """normal(scale=0.1) draws what the note's normal() * 0.1 draws."""
    W, _ = get_params(2000, 20, sigma=0.1)
    note = nd.random.normal(shape=(2000, 20)) * 0.1
    assert W.asnumpy().std() == pytest.approx(note.asnumpy().std(), rel=0.03)


def test_init_normal_draws_weights_with_std_sigma():
    """init.Normal(sigma=0.01) gives a weight std close to 0.01, zero bias."""
    net = gluon.nn.Dense(256, in_units=784)
    net.initialize(init.Normal(sigma=0.01))
    assert net.weight.data().asnumpy().std() == pytest.approx(0.01, rel=0.02)
    np.testing.assert_array_equal(net.bias.data().asnumpy(), 0)


def test_default_initializer_is_uniform_007():
    """net.initialize() draws weights from U(-0.07, 0.07), biases 0."""
    net = gluon.nn.Dense(256, in_units=784)
    net.initialize()
    W = net.weight.data().asnumpy()
    assert np.abs(W).max() <= 0.07
    assert W.std() == pytest.approx(0.07 / math.sqrt(3), rel=0.02)
    np.testing.assert_array_equal(net.bias.data().asnumpy(), 0)


def test_uninitialized_parameter_raises_runtime_error():
    """Reading a parameter before initialize() is a RuntimeError."""
    net = gluon.nn.Dense(3, in_units=4)
    with pytest.raises(RuntimeError, match="has not been initialized"):
        net.weight.data()


def test_initialization_is_deferred_until_the_first_forward():
    """Without in_units, data() raises until a forward pass sets shapes."""
    net = mlp(8, 3)
    net.initialize(init.Normal(sigma=0.01))
    assert net[0].weight.shape == (8, 0)
    with pytest.raises(DeferredInitializationError):
        net[0].weight.data()
    assert net(nd.ones((2, 5))).shape == (2, 3)
    assert net[0].weight.shape == (8, 5)
    assert net[1].weight.shape == (3, 8)


def test_in_units_avoids_deferred_initialization():
    """Giving in_units lets initialize() allocate the weight at once."""
    net = gluon.nn.Dense(3, in_units=4)
    net.initialize()
    assert net.weight.data().shape == (3, 4)


def test_second_initialize_warns_and_force_reinit_redraws():
    """initialize() twice warns and keeps the weights; force_reinit redraws."""
    net = gluon.nn.Dense(3, in_units=4)
    net.initialize()
    before = net.weight.data().asnumpy()
    with pytest.warns(UserWarning, match="already initialized"):
        net.initialize()
    np.testing.assert_array_equal(net.weight.data().asnumpy(), before)
    net.initialize(init.Normal(sigma=0.01), force_reinit=True)
    assert not np.array_equal(net.weight.data().asnumpy(), before)


def test_demos_return_the_numbers_the_pages_cite():
    """The page demos run and return the values quoted in the prose."""
    assert show_scratch_params()["num_params"] == 7850
    assert show_deferred_init()["in_units"] == 784
    stats = show_init_histogram()
    plt.close("all")
    assert stats["normal_std"] == pytest.approx(0.01, rel=0.05)
    assert stats["uniform_std"] == pytest.approx(0.0404, rel=0.05)
