"""Tests for snippets.losses against gluon.loss and nd.log_softmax."""

import math

import numpy as np
import pytest
from mxnet import gluon, nd

from snippets.activations import softmax
from snippets.losses import (
    cross_entropy,
    cross_entropy_four_ways,
    exact_log_softmax,
    log_softmax,
    log_softmax_via_lse,
    logsumexp,
    show_cross_entropy,
    show_double_softmax,
    show_four_ways_extreme,
    show_gluon_ce_options,
    show_l2loss_shapes,
    show_log_softmax_orders,
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
    # label 0 of [1000, 999, 0]: log(1 + e^-1 + e^-1000), to 4 places
    assert round(numbers["large_right"], 4) == 0.3133


def test_shifting_first_keeps_small_log_probabilities_exact():
    """(X - max) - log S is float32-exact; X - (max + log S) loses digits."""
    X = nd.array([[1000.0, 999.0, 0.0], [3.0, 1.0, 0.2], [0.5, 900.0, 1.0]])
    exact = exact_log_softmax(X)
    shifted = log_softmax(X).asnumpy()
    added_back = log_softmax_via_lse(X).asnumpy()
    np.testing.assert_allclose(shifted, exact, rtol=1e-6)
    # the small entry of row 0 inherits the rounding of 1000.3133
    assert abs(added_back[0, 0] - exact[0, 0]) > 1e-5
    assert abs(added_back[0, 0] - exact[0, 0]) <= np.spacing(np.float32(1000))


def test_show_log_softmax_orders():
    """The demo's two orders give 0.3132324 and 0.3132617 (exact 0.3132617)."""
    losses = show_log_softmax_orders()
    assert losses["float64"] == pytest.approx(math.log1p(math.exp(-1)) + 0)
    assert losses["shifted_first"] == pytest.approx(losses["float64"], 1e-6)
    assert losses["added_back"] == pytest.approx(0.3132324, abs=1e-7)


def test_gluon_cross_entropy_options():
    """sparse_label, from_logits and axis change only what they promise."""
    logits = nd.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
    y = nd.array([0, 1])
    loss = gluon.loss.SoftmaxCrossEntropyLoss
    expected = loss()(logits, y).asnumpy()
    one_hot = loss(sparse_label=False)(logits, nd.one_hot(y, 3))
    from_log = loss(from_logits=True)(log_softmax(logits), y)
    transposed = loss(axis=0, batch_axis=1)(logits.T, y)
    for other in (one_hot, from_log, transposed):
        np.testing.assert_allclose(other.asnumpy(), expected, rtol=1e-5)
    # axis=0 alone keeps batch_axis=0: the losses are averaged into one
    averaged = loss(axis=0)(logits.T, y).asnumpy()
    np.testing.assert_allclose(averaged, [expected.mean()], rtol=1e-5)
    # from_logits=True takes its input for log-probabilities: -pick(x, y)
    wrong = loss(from_logits=True)(logits, y).asnumpy()
    np.testing.assert_allclose(wrong, [-2.0, -2.5])
    assert show_gluon_ce_options()["wrong"] == -2.0


def test_l2loss_reshapes_the_label_and_averages_other_axes():
    """L2Loss: (n, 1) against (n,) is per example; (n, k) is a row mean."""
    loss = gluon.loss.L2Loss()
    per_example = loss(nd.array([[1.0], [2.0]]), nd.array([0.0, 0.0]))
    np.testing.assert_allclose(per_example.asnumpy(), [0.5, 2.0])
    Y_hat = nd.array([[1.0, 3.0], [2.0, 0.0]])
    np.testing.assert_allclose(
        loss(Y_hat, nd.zeros((2, 2))).asnumpy(), [(1 + 9) / 4, (4 + 0) / 4]
    )
    assert show_l2loss_shapes() == {"first": 2.5}


def test_four_ways_on_logits_of_plus_minus_1000():
    """Only log-sum-exp and Gluon give 0, 2000 and 1000 for the 3 labels."""
    assert show_four_ways_extreme() == {"log_sum_exp": [0.0, 2000.0, 1000.0]}
    ways = cross_entropy_four_ways(
        nd.array([[1000.0, -1000.0, 0.0]] * 3), nd.array([0, 1, 2])
    )
    assert math.isnan(ways["naive"][0])
    assert ways["stable_softmax"][0] == 0
    assert math.isinf(ways["stable_softmax"][1])
    assert ways["gluon"] == pytest.approx([0, 2000, 1000], abs=1e-3)


def test_probabilities_into_gluon_loss_apply_softmax_twice():
    """Gluon's loss of softmax(o) is the loss of logits softmax(o): wrong."""
    result = show_double_softmax()
    probabilities = nd.softmax(nd.array([[4.0, 1.0, -2.0]]))
    twice = stable_cross_entropy(probabilities, nd.array([0]))
    assert result["twice"] == pytest.approx(twice.asscalar(), rel=1e-5)
    assert result["twice"] > 10 * result["right"]


def test_gluon_ce_options_table_ends_with_its_one_wrong_row():
    """Five rows: the first four agree, the last (row 5) is the wrong one."""
    table = show_gluon_ce_options()
    assert table["num_rows"] == 5
    assert table["num_same"] == 4
    assert table["wrong_row"] == table["num_rows"]
