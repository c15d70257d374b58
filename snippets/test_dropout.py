"""Tests for snippets.dropout: the mask, the rescale, modes, the gap."""

import contextlib

import numpy as np
import pytest
from mxnet import autograd, gluon, nd

from snippets import dropout
from snippets.mlp import ArrayLoader

MODES = {  # mode -> whether dropout acts in it
    "plain call": (contextlib.nullcontext, False),
    "record()": (autograd.record, True),
    "record(train_mode=False)": (lambda: autograd.record(False), False),
    "train_mode()": (autograd.train_mode, True),
}


def test_dropout_zero_and_one():
    """drop_prob 0 changes nothing; drop_prob 1 zeros everything."""
    X = nd.arange(16).reshape((2, 8))
    assert (dropout.dropout(X, 0) == X).min().asscalar() == 1
    assert dropout.dropout(X, 1).abs().sum().asscalar() == 0


@pytest.mark.parametrize("drop_prob", [0.2, 0.5, 0.8])
def test_dropout_keeps_the_expectation(drop_prob):
    """About drop_prob of the elements are 0, the rest X / (1 - p)."""
    X = nd.ones((200, 500))
    out = dropout.dropout(X, drop_prob).asnumpy()
    kept = out[out != 0]
    assert (out == 0).mean() == pytest.approx(drop_prob, abs=0.01)
    np.testing.assert_allclose(kept, 1 / (1 - drop_prob), rtol=1e-6)
    assert out.mean() == pytest.approx(1, abs=0.02)


def test_dropout_gradient_is_the_scaled_mask():
    """The gradient through dropout is 0 or 1/(1-p), where X was kept."""
    X = nd.ones((10, 10))
    X.attach_grad()
    with autograd.record():
        out = dropout.dropout(X, 0.5)
    out.backward()
    np.testing.assert_allclose(X.grad.asnumpy(), out.asnumpy(), rtol=1e-6)


@pytest.mark.parametrize("mode", MODES)
def test_dropout_acts_only_in_training_mode(mode):
    """nn.Dropout and dropout_layer drop exactly in training mode."""
    context, acts = MODES[mode]
    X, layer = nd.ones((1, 1000)), gluon.nn.Dropout(0.5)
    with context():
        outs = [layer(X), dropout.dropout_layer(X, 0.5)]
    for out in outs:
        zeros = (out == 0).sum().asscalar()
        assert (400 < zeros < 600) if acts else zeros == 0
        assert out.max().asscalar() == (2 if acts else 1)


def test_dropout_modes_demo_counts_zeros():
    """The demo's record() row drops about half of 100 ones."""
    result = dropout.show_dropout_modes()
    assert 30 < result["recorded_zeros"] < 70


def test_dropout_mlp_layers():
    """Dense, Dropout, Dense, Dropout, Dense(10) with the given rates."""
    net = dropout.dropout_mlp(0.2, 0.5, 256)
    kinds = [type(layer).__name__ for layer in net]
    assert kinds == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    assert [net[1]._rate, net[3]._rate] == [0.2, 0.5]
    assert net(nd.ones((3, 1, 28, 28))).shape == (3, 10)


def test_corrupt_labels_changes_about_the_fraction():
    """A random class replaces 30% of labels: 9 in 10 of those change."""
    y = nd.array(np.arange(10000) % 10, dtype="int32")
    noisy = dropout.corrupt_labels(y, 0.3).asnumpy()
    changed = (noisy != y.asnumpy()).mean()
    assert changed == pytest.approx(0.3 * 0.9, abs=0.02)
    assert noisy.dtype == np.int32
    assert set(np.unique(noisy)) == set(range(10))


def test_gap_summary():
    """Averages of the last k epochs and train minus test."""
    history = {"train_acc": [0.5, 0.9, 1.0], "test_acc": [0.5, 0.7, 0.6]}
    summary = dropout.gap_summary(history, k=2)
    assert summary == pytest.approx(
        {"train_acc": 0.95, "test_acc": 0.65, "gap": 0.3}
    )


def test_last_mean():
    """The mean of the last k values (all if fewer)."""
    assert dropout.last_mean([0, 1, 2, 3], k=2) == 2.5
    assert dropout.last_mean([4.0], k=10) == 4.0


def test_dropout_narrows_the_gap_on_noisy_labels():
    """300 noisy images, 40 epochs: dropout's train-test gap is smaller."""
    train_iter, test_iter = dropout.noisy_fashion_mnist(300, 0.3, 64)
    test_iter = ArrayLoader(test_iter.X[:1000], test_iter.y[:1000], 1000)
    gaps = []
    for drop_prob in (0, 0.5):
        history = dropout.train_dropout_mlp(
            drop_prob, 256, (train_iter, test_iter), num_epochs=40, lr=0.1
        )
        gaps.append(dropout.gap_summary(history, k=10)["gap"])
    assert gaps[1] < gaps[0] - 0.05


def test_without_rescale_the_mean_halves():
    """The mask alone keeps half the mean that prediction sees."""
    result = dropout.show_dropout_without_rescale()
    assert result["mask_only"] == pytest.approx(1 - result["drop_prob"], 0.01)
