"""Tests for snippets.losses against gluon.loss and nd.log_softmax."""

import math

import numpy as np
import pytest
from mxnet import gluon, nd

from snippets.activations import softmax
from snippets.losses import (
    cross_entropy,
    cross_entropy_four_ways,
    log_softmax,
    logsumexp,
    show_cross_entropy,
    show_squared_loss,
    squared_loss,
    stable_cross_entropy,
)

LOGITS = nd.array([[2.0, 1.0, 0.1], [-1.0, 3.0, 0.5], [0.0, 0.0, 0.0]])
LABELS = nd.array([0, 2, 1])
LARGE = nd.array([[1000.0, 999.0, 0.0], [-1000.0, 0.0, 1000.0]])


def test_squared_loss_is_twice_gluon_l2loss():
    """gluon's L2Loss is (y_hat - y)^2 / 2: half the scratch squared loss."""
    y_hat = nd.array([[1.0], [2.5], [-3.0], [0.0]])
    y = nd.array([1.5, 2.0, 0.0, 4.0])
    scratch = squared_loss(y_hat, y)
    assert scratch.shape == y_hat.shape
    np.testing.assert_allclose(
        scratch.reshape(-1).asnumpy(),
        2 * gluon.loss.L2Loss()(y_hat, y).asnumpy(),
        rtol=1e-6,
    )


def test_squared_loss_reshape_avoids_broadcasting():
    """Without the reshape, (n, 1) - (n,) would broadcast to (n, n)."""
    y_hat, y = nd.zeros((4, 1)), nd.ones(4)
    assert (y_hat - y).shape == (4, 4)
    assert squared_loss(y_hat, y).shape == (4, 1)


def test_scratch_cross_entropy_equals_gluon_on_the_same_logits():
    """-pick(log(softmax(z))) equals SoftmaxCrossEntropyLoss, given logits."""
    np.testing.assert_allclose(
        cross_entropy(softmax(LOGITS), LABELS).asnumpy(),
        gluon.loss.SoftmaxCrossEntropyLoss()(LOGITS, LABELS).asnumpy(),
        rtol=1e-5,
    )


def test_cross_entropy_of_uniform_prediction_is_log_classes():
    """A uniform prediction over 3 classes costs log 3."""
    loss = cross_entropy(softmax(LOGITS), LABELS)[2].asscalar()
    assert loss == pytest.approx(math.log(3), rel=1e-6)


def test_logsumexp_and_log_softmax_match_mxnet():
    """logsumexp and log_softmax agree with NumPy and nd.log_softmax."""
    np.testing.assert_allclose(
        logsumexp(LOGITS).asnumpy().ravel(),
        np.log(np.exp(LOGITS.asnumpy()).sum(axis=1)),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        log_softmax(LOGITS).asnumpy(),
        nd.log_softmax(LOGITS).asnumpy(),
        rtol=1e-5,
    )


def test_stable_cross_entropy_equals_naive_on_moderate_logits():
    """On moderate logits the stable and the naive forms agree."""
    np.testing.assert_allclose(
        stable_cross_entropy(LOGITS, LABELS).asnumpy(),
        cross_entropy(softmax(LOGITS), LABELS).asnumpy(),
        rtol=1e-5,
    )


def test_stable_cross_entropy_stays_finite_on_large_logits():
    """With logits near 1000 the naive form breaks, log-sum-exp does not."""
    y = nd.array([2, 0])
    naive = cross_entropy(softmax(LARGE), y).asnumpy()
    stable = stable_cross_entropy(LARGE, y).asnumpy()
    assert not np.isfinite(naive).any()
    np.testing.assert_allclose(stable, [1000 + math.log1p(math.exp(-1)), 2000])
    np.testing.assert_allclose(
        stable, gluon.loss.SoftmaxCrossEntropyLoss()(LARGE, y).asnumpy()
    )


def test_four_ways_agree_only_where_they_should():
    """Stable softmax avoids nan but not log(0); log-sum-exp avoids both."""
    logits = nd.array([[1000.0, 999.0, 0.0], [1000.0, 999.0, 0.0]])
    ways = cross_entropy_four_ways(logits, nd.array([0, 2]))
    assert math.isnan(ways["naive"][0])
    assert math.isinf(ways["naive"][1])
    assert ways["stable_softmax"][0] == pytest.approx(ways["gluon"][0], 1e-4)
    assert math.isinf(ways["stable_softmax"][1])
    # float32 near 1000 resolves only about 6e-5
    assert ways["log_sum_exp"] == pytest.approx(ways["gluon"], abs=1e-4)


def test_demos_return_the_numbers_the_pages_cite():
    """The page demos run and return the values quoted in the prose."""
    assert show_squared_loss()["ratio"] == pytest.approx(2.0)
    numbers = show_cross_entropy()
    assert numbers["large_wrong"] == pytest.approx(1000.3133, abs=1e-3)
    assert numbers["moderate"] == pytest.approx(0.4170, abs=1e-4)
