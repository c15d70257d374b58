"""Tests for snippets.initialization and for how Gluon initializes."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
from mxnet import gluon, init, nd
from mxnet.gluon.parameter import DeferredInitializationError

from snippets.initialization import (
    get_params,
    initialize_twice,
    layer_stds,
    mlp,
    show_constant_init,
    show_deferred_init,
    show_dense_layout,
    show_init_histogram,
    show_initialize_twice,
    show_scratch_params,
    show_xavier,
    show_xavier_bound,
    xavier_bound,
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


def test_second_initialize_replaces_a_pending_initializer():
    """Before the first forward pass the second initializer silently wins."""
    net = mlp(8, 3)
    warned = initialize_twice(net, init.Normal(sigma=0.01), init.Constant(2))
    assert warned == ["bias"]  # biases have a known shape: created at once
    net(nd.ones((1, 5)))
    np.testing.assert_array_equal(net[0].weight.data().asnumpy(), 2)
    np.testing.assert_array_equal(net[0].bias.data().asnumpy(), 0)


def test_show_initialize_twice():
    """The demo finds the weight kept in one case and replaced in the other."""
    assert show_initialize_twice() == {"kept": True, "replaced": True}


def test_dense_computes_x_times_weight_transposed():
    """Dense(10, in_units=784) stores (10, 784) and computes X W^T + b."""
    layout = show_dense_layout()
    assert layout["scratch_shape"] == "(784, 10)"
    assert layout["dense_shape"] == "(10, 784)"
    assert layout["max_diff"] < 1e-5  # the page calls it float32 rounding
    net = gluon.nn.Dense(3, in_units=4)
    net.initialize(init.Normal(sigma=1))
    X = nd.random.normal(shape=(5, 4))
    W, b = net.weight.data(), net.bias.data()
    expected = X.asnumpy() @ W.asnumpy().T + b.asnumpy()
    np.testing.assert_allclose(net(X).asnumpy(), expected, rtol=1e-5)
    operator = nd.FullyConnected(X, W, b, num_hidden=3)
    np.testing.assert_allclose(operator.asnumpy(), expected, rtol=1e-5)


@pytest.mark.parametrize(("fan_in", "fan_out"), [(784, 256), (784, 10)])
def test_xavier_draws_from_the_documented_uniform(fan_in, fan_out):
    """init.Xavier() is U(-a, a) with a = sqrt(6 / (fan_in + fan_out))."""
    net = gluon.nn.Dense(fan_out, in_units=fan_in)
    net.initialize(init.Xavier())
    W = net.weight.data().asnumpy()
    bound = xavier_bound(fan_in, fan_out)
    assert np.abs(W).max() <= bound
    assert np.abs(W).max() == pytest.approx(bound, rel=0.01)
    assert W.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)


def test_xavier_keeps_the_scale_through_layers():
    """Through 8 layers Xavier keeps the std near 1; the others shrink it."""
    result = show_xavier()
    plt.close("all")
    assert (result["num_layers"], result["width"]) == (8, 256)
    assert 0.5 < result["xavier"] < 2
    assert result["uniform"] < 0.1
    assert result["normal"] < 1e-5


def test_layer_stds_follow_the_variance_rule():
    """A layer multiplies the variance by fan_in * Var(w): 256 * a^2 / 3."""
    stds = layer_stds(init.Uniform(scale=0.07), num_layers=1, width=256)
    assert stds[0] == pytest.approx(math.sqrt(256 * 0.07**2 / 3), rel=0.1)


def test_show_xavier_bound():
    """Dense(10, in_units=784): a = sqrt(6 / 794), reached by the draws."""
    result = show_xavier_bound()
    assert result["bound"] == pytest.approx(math.sqrt(6 / 794))
    assert result["bound"] * 0.99 < result["largest"] <= result["bound"]


def test_constant_init_keeps_hidden_units_equal():
    """Equal initial weights get equal gradients: the rows never differ."""
    assert show_constant_init() == {"rows_equal": True}


def test_demos_return_the_numbers_the_pages_cite():
    """The page demos run and return the values quoted in the prose."""
    result = show_scratch_params()
    assert result["num_params"] == 784 * 10 + 10
    assert (result["num_inputs"], result["num_outputs"]) == (784, 10)
    assert result["w_std"] == pytest.approx(result["sigma"], rel=0.05)
    assert show_deferred_init()["in_units"] == 784
    stats = show_init_histogram()
    plt.close("all")
    assert stats["normal_std"] == pytest.approx(0.01, rel=0.05)
    assert stats["uniform_std"] == pytest.approx(0.0404, rel=0.05)
