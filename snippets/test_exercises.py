"""Tests for snippets.exercises: stability, weight decay, running loss."""

import math

import pytest
from mxnet import gluon, nd

from snippets import exercises
from snippets.batches import data_iter
from snippets.optim import linear_net, trainer_sgd
from snippets.sweep import load_subset, softmax_net
from snippets.training import mean_loss, synthetic_data

pytestmark = pytest.mark.usefixtures("seeded")


def test_fit_converges_or_diverges_with_the_learning_rate():
    """lr 0.1 fits to the noise level; lr 2 (beyond 2 / 2) blows up."""
    features, labels = synthetic_data(nd.array([2, -3.4]), 4.2, 500)
    good = exercises.fit_linreg(features, labels, 0.1, 10, 2)
    bad = exercises.fit_linreg(features, labels, 2.0, 10, 2)
    assert good < 1e-3  # noise std 0.01: squared error ~1e-4
    assert not math.isfinite(bad) or bad > 1e6


def test_final_losses_has_one_loss_per_lr():
    """Every lr gets its final loss, on the same data."""
    losses = exercises.final_losses([0.01, 0.1], batch_size=10, num_epochs=1)
    assert list(losses) == [0.01, 0.1]
    assert losses[0.1] < losses[0.01]


def test_largest_stable_lr_skips_inf_nan_and_large():
    """Infinite, NaN and too large losses do not count as stable."""
    losses = {0.1: 0.01, 0.3: 0.5, 1.0: math.inf, 3.0: math.nan}
    assert exercises.largest_stable_lr(losses) == 0.3
    assert exercises.largest_stable_lr(losses, limit=0.1) == 0.1
    assert exercises.largest_stable_lr({1.0: math.inf}) is None


def test_zero_grad_step_only_decays():
    """With a zero gradient a step multiplies the weights by 1 - lr * wd."""
    net = linear_net(2)
    start = net.weight.data().copy()
    exercises.zero_grad_step(net, trainer_sgd(net, lr=0.1, wd=0.5))
    ratio = (net.weight.data() / start).asnumpy()
    assert ratio == pytest.approx(0.95, rel=1e-6)


@pytest.mark.parametrize(("lr", "wd"), [(0.1, 0.05), (0.5, 0.2)])
def test_decay_steps_match_the_factor_one_minus_lr_wd(lr, wd):
    """The count of steps is that of the factor 1 - lr * wd."""
    expected = exercises.predicted_decay_steps(1 - lr * wd)
    assert exercises.decay_steps(lr, wd) == expected


def test_predicted_decay_steps():
    """0.5 halves in one step; 0.9 needs 7 (0.9 ** 7 = 0.478)."""
    assert exercises.predicted_decay_steps(0.5) == 1
    assert exercises.predicted_decay_steps(0.9) == 7


def test_running_loss_is_the_mean_of_the_batch_losses():
    """Without updates, the running loss equals the loss on all examples;
    with them, it is higher than the loss after the epoch."""
    train, _ = load_subset(600, 1)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    net = softmax_net()
    still = exercises.running_loss_epoch(
        net, data_iter(64, *train), loss, lambda batch_size: None
    )
    assert still == pytest.approx(mean_loss(net, loss, *train), rel=1e-5)
    trainer = gluon.Trainer(
        net.collect_params(), "sgd", {"learning_rate": 0.1}
    )
    running = exercises.running_loss_epoch(
        net, data_iter(64, *train), loss, trainer.step
    )
    assert running > mean_loss(net, loss, *train)
