"""Tests for snippets.activations against MXNet's own operators."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from mxnet import nd

from snippets.activations import (
    derivative,
    relu,
    show_activations,
    show_log_of_softmax,
    show_softmax,
    show_softmax_scaling,
    sigmoid,
    softmax,
    stable_softmax,
    tanh,
)

MODERATE = nd.array([[1, 2, 3], [-1, 0, 1], [0.5, -2, 4]])
LARGE = nd.array([[1000, 1001, 1002], [-1000, 0, 1000]])
GRID = nd.arange(-8, 8, 0.25)


@pytest.mark.parametrize("f", [softmax, stable_softmax])
def test_softmax_matches_mxnet_on_moderate_inputs(f):
    """Both softmax forms equal nd.softmax and their rows sum to 1."""
    np.testing.assert_allclose(
        f(MODERATE).asnumpy(), nd.softmax(MODERATE).asnumpy(), rtol=1e-6
    )
    np.testing.assert_allclose(f(MODERATE).sum(axis=1).asnumpy(), 1, 1e-6)


def test_naive_softmax_overflows_on_large_inputs():
    """exp(1000) overflows float32, so the naive form returns nan."""
    assert np.isnan(softmax(LARGE).asnumpy()).any()


def test_stable_softmax_matches_mxnet_on_large_inputs():
    """Subtracting the row max keeps softmax finite and correct."""
    out = stable_softmax(LARGE).asnumpy()
    np.testing.assert_allclose(out, nd.softmax(LARGE).asnumpy(), atol=1e-7)
    np.testing.assert_allclose(out[0], softmax(MODERATE)[0].asnumpy(), 1e-6)
    np.testing.assert_allclose(out.sum(axis=1), 1, rtol=1e-6)


@pytest.mark.parametrize(
    ("f", "reference"),
    [(relu, nd.relu), (sigmoid, nd.sigmoid), (tanh, nd.tanh)],
)
def test_elementwise_activations_match_mxnet(f, reference):
    """relu, sigmoid and tanh equal MXNet's operators, extremes included."""
    x = nd.concat(GRID, nd.array([-1000, 1000]), dim=0)
    np.testing.assert_allclose(
        f(x).asnumpy(), reference(x).asnumpy(), rtol=1e-5, atol=1e-6
    )


def test_derivative_of_sigmoid_is_sigmoid_times_one_minus_sigmoid():
    """autograd gives sigma'(x) = sigma(x) (1 - sigma(x))."""
    s = nd.sigmoid(GRID)
    np.testing.assert_allclose(
        derivative(sigmoid, GRID).asnumpy(),
        (s * (1 - s)).asnumpy(),
        rtol=1e-5,
        atol=1e-7,
    )


def test_derivative_of_relu_is_the_step_function():
    """ReLU's derivative is 1 for x > 0 and 0 for x < 0."""
    x = nd.array([-2, -0.5, 0.5, 3])
    np.testing.assert_array_equal(derivative(relu, x).asnumpy(), [0, 0, 1, 1])


def test_derivative_leaves_its_input_untouched():
    """derivative() works on a copy, so x gets no gradient buffer."""
    x = nd.array([1.0, 2.0])
    derivative(tanh, x)
    assert x.grad is None


def test_demos_return_the_numbers_the_pages_cite():
    """The page demos run and return the values quoted in the prose."""
    numbers = show_softmax()
    assert numbers["shift"] == 999
    assert numbers["naive_nan"] == 3
    assert numbers["exp_limit"] == pytest.approx(88.72, abs=0.01)
    grads = show_activations()
    plt.close("all")
    assert grads["sigmoid_grad_max"] == pytest.approx(0.25)
    assert grads["tanh_grad_max"] == pytest.approx(1.0)


def test_two_class_softmax_is_sigmoid_of_the_difference():
    """softmax([a, b])[0] == sigmoid(a - b): why the two get confused."""
    X = nd.array([[2.0, -1.0], [0.3, 0.3], [-4.0, 1.5]])
    np.testing.assert_allclose(
        softmax(X)[:, 0].asnumpy(),
        sigmoid(X[:, 0] - X[:, 1]).asnumpy(),
        rtol=1e-6,
    )


def test_log_of_a_stable_softmax_is_minus_infinity():
    """exp(-1000) and exp(-2000) are 0 in float32, so their logs are -inf."""
    assert show_log_of_softmax() == {"zeros": 2}
    log = nd.log(stable_softmax(nd.array([[-1000.0, 0.0, 1000.0]])))
    assert np.isneginf(log.asnumpy()[0, :2]).all()


def test_softmax_ignores_shifts_but_not_scaling():
    """softmax(X + c) = softmax(X); softmax(2X) is sharper."""
    result = show_softmax_scaling()
    assert result["shifted"] == pytest.approx(0.6652, abs=1e-4)
    assert result["scaled"] > result["shifted"]
