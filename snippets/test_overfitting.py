"""Tests for snippets.overfitting: the gap, its cure, and wd_mult."""

import functools

import matplotlib.pyplot as plt
import numpy as np
import pytest
from mxnet import gluon, nd

from snippets import overfitting
from snippets.batches import load_array
from snippets.initialization import get_params
from snippets.optim import l2_penalty, sgd
from snippets.training import dense_twin, linreg, train_epoch

pytestmark = pytest.mark.usefixtures("seeded")


def test_high_dim_data_shapes_and_model():
    """20 + 100 examples of 200 features, y = 0.05 + 0.01 sum(x) + noise."""
    (X, y), (X_test, y_test), true_w = overfitting.high_dim_data(20, 100, 200)
    np.testing.assert_array_equal(true_w.asnumpy(), np.full(200, 0.01, "f"))
    assert (X.shape, y.shape) == ((20, 200), (20,))
    assert (X_test.shape, y_test.shape) == ((100, 200), (100,))
    noise = y_test - (0.05 + 0.01 * X_test.sum(axis=1))
    assert noise.asnumpy().std() == pytest.approx(0.01, rel=0.3)


def test_penalized_loss_adds_lambda_times_half_the_squared_norm():
    """penalized(loss, w, lambd) = loss + lambd * ||w||^2 / 2, per example."""
    w = nd.array([[3.0], [4.0]])
    loss = overfitting.penalized(overfitting.half_squared_loss, w, 0.1)
    values = loss(nd.array([[1.0], [0.0]]), nd.array([0.0, 0.0]))
    np.testing.assert_allclose(values.asnumpy().ravel(), [0.5 + 1.25, 1.25])


def test_scratch_penalty_and_gluon_wd_take_the_same_steps():
    """Same lr and lambda: loss + penalty with sgd == Trainer wd, bias free."""
    (X, y), _, _ = overfitting.high_dim_data(20, 1, 5)
    batches = list(load_array(X, y, 1, shuffle=False))
    lr, lambd = 0.003, 3.0
    w, b = get_params(5, 1, sigma=1)
    net = dense_twin(w, b)
    net.collect_params(".*bias").setattr("wd_mult", 0)
    loss = overfitting.penalized(overfitting.half_squared_loss, w, lambd)
    scratch_net = functools.partial(linreg, w=w, b=b)
    train_epoch(scratch_net, batches, loss, functools.partial(sgd, [w, b], lr))
    hyper = {"learning_rate": lr, "wd": lambd}
    trainer = gluon.Trainer(net.collect_params(), "sgd", hyper)
    train_epoch(net, batches, gluon.loss.L2Loss(), trainer.step)
    np.testing.assert_allclose(
        net.weight.data().T.asnumpy(), w.asnumpy(), 1e-5
    )
    np.testing.assert_allclose(net.bias.data().asnumpy(), b.asnumpy(), 1e-5)
    assert l2_penalty([w]).asscalar() > 0


@pytest.mark.parametrize(
    "demo", ["show_weight_decay_scratch", "show_weight_decay_gluon"]
)
def test_decay_closes_the_gap(demo):
    """Without decay train loss ~0 and test loss > 1; with it both small."""
    result = getattr(overfitting, demo)()
    assert (result["num_train"], result["num_inputs"]) == (20, 200)
    assert result["true_norm"] == pytest.approx(0.01 * 200**0.5)
    assert (result["num_epochs"], result["lr"], result["batch_size"]) == (
        100,
        0.003,
        1,
    )
    assert (result["strength_0"], result["strength_1"]) == (0, 3)
    assert result["train_loss_0"] < 1e-6
    assert result["test_loss_0"] > 1
    assert result["test_loss_3"] < 0.1
    assert result["norm_3"] < result["norm_0"] / 10
    assert result["norm_0"] > 10 * result["true_norm"]
    panels = plt.gcf().axes
    assert [ax.get_yscale() for ax in panels] == ["log", "log"]
    assert [len(ax.lines) for ax in panels] == [3, 3]  # with the constant


def test_wd_mult_zero_keeps_the_bias():
    """With zero gradient, wd shrinks w by 1 - lr * wd and leaves b alone."""
    assert overfitting.show_bias_not_decayed() == pytest.approx(
        {"weight": 1 - 0.1 * 0.5, "bias": 1.0}
    )


def test_decay_sweep_tries_two_more_strengths():
    """The exercise's sweep: decays 1 and 10 both beat the page's 0."""
    result = overfitting.show_decay_sweep()
    assert result["test_loss_1"] < 0.1
    assert result["test_loss_10"] < 0.1
    assert result["norm_10"] < result["norm_1"]
    assert result["train_loss_10"] > result["train_loss_1"]
    assert len(plt.gcf().axes) == 2
