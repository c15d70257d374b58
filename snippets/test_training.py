"""Tests for snippets.training: both loops, both regressions, real data."""

import functools
import random

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon, nd

from snippets import training
from snippets.batches import data_iter, load_array
from snippets.fashion_mnist import load_data_fashion_mnist, load_fashion_mnist
from snippets.initialization import get_params
from snippets.losses import squared_loss
from snippets.metrics import evaluate_accuracy
from snippets.optim import sgd

TRUE_W, TRUE_B = nd.array([2, -3.4]), 4.2
WEIGHT_TOL = 0.01  # noise std 0.01 on 1000 examples: errors are ~1e-3
NOISE_FLOOR = 0.01**2 / 2  # L2Loss of the noise alone: half its variance


pytestmark = pytest.mark.usefixtures("seeded")


@pytest.fixture(scope="module")
def fashion_iters():
    """Fashion-MNIST DataLoaders with batch 256, read once per module."""
    return load_data_fashion_mnist(256)


def test_train_epoch_updates_once_per_batch_with_its_size():
    """updater gets each batch's own size, also for the short last batch."""
    X, y = training.synthetic_data(TRUE_W, TRUE_B, 10)
    w, b = get_params(2, 1)
    sizes = []
    net = functools.partial(training.linreg, w=w, b=b)
    training.train_epoch(net, data_iter(4, X, y), squared_loss, sizes.append)
    assert sizes == [4, 4, 2]
    assert w.grad.abs().sum().asscalar() > 0


def test_scratch_and_gluon_loops_take_the_same_steps():
    """Scratch sgd on squared loss = Trainer on L2Loss (half of it) at 2 lr."""
    result = training.show_matching_lr()
    assert result["max_diff"] < 1e-6
    X, y = training.synthetic_data(TRUE_W, TRUE_B, 22)
    batches = list(load_array(X, y, 5, shuffle=False))
    w, b = get_params(2, 1)
    w_start = w.copy()
    net = training.dense_twin(w, b)
    scratch_net = functools.partial(training.linreg, w=w, b=b)
    training.train_epoch(
        scratch_net, batches, squared_loss, functools.partial(sgd, [w, b], 0.1)
    )
    trainer = gluon.Trainer(
        net.collect_params(), "sgd", {"learning_rate": 0.2}
    )
    training.train_epoch(net, batches, gluon.loss.L2Loss(), trainer.step)
    np.testing.assert_allclose(
        net.weight.data().asnumpy().T, w.asnumpy(), rtol=1e-5
    )
    np.testing.assert_allclose(net.bias.data().asnumpy(), b.asnumpy(), 1e-5)
    assert (w - w_start).abs().min().asscalar() > 0.1  # both really moved


def test_train_epoch_refactor_changes_nothing():
    """The written-out loop and train_epoch with an updater agree exactly."""
    X, y = training.synthetic_data(TRUE_W, TRUE_B, 95)
    results = []
    for train in (
        training.train_linreg_scratch,
        training.train_linreg_updater,
    ):
        mx.random.seed(3)
        random.seed(3)
        results.append(train(X, y, num_epochs=2, lr=0.03, batch_size=10))
    for first, second in zip(*results, strict=True):
        np.testing.assert_array_equal(first.asnumpy(), second.asnumpy())


def test_gluon_loop_recovers_the_weights():
    """The written-out Gluon loop finds w and b within WEIGHT_TOL."""
    X, y = training.synthetic_data(TRUE_W, TRUE_B, 1000)
    w, b = training.train_linreg_gluon(X, y, 3, lr=0.03, batch_size=10)
    np.testing.assert_allclose(w.asnumpy().ravel(), [2, -3.4], atol=WEIGHT_TOL)
    assert b.asscalar() == pytest.approx(4.2, abs=WEIGHT_TOL)


def test_synthetic_data_follows_the_model():
    """y - (Xw + b) is noise with standard deviation about 0.01."""
    X, y = training.synthetic_data(TRUE_W, TRUE_B, 2000)
    assert (X.shape, y.shape) == ((2000, 2), (2000,))
    noise = (y - training.linreg(X, TRUE_W, TRUE_B)).asnumpy()
    assert noise.std() == pytest.approx(0.01, rel=0.1)


def test_linreg_scratch_recovers_the_weights():
    """Three epochs of scratch SGD find w and b within WEIGHT_TOL."""
    X, y = training.synthetic_data(TRUE_W, TRUE_B, 1000)
    w, b = training.train_linreg_scratch(X, y, 3, lr=0.03, batch_size=10)
    np.testing.assert_allclose(w.asnumpy().ravel(), [2, -3.4], atol=WEIGHT_TOL)
    assert b.asscalar() == pytest.approx(4.2, abs=WEIGHT_TOL)


def test_train_linear_regression_recovers_weights_and_records_losses():
    """Gluon finds w and b; the losses fall to the noise floor."""
    X_train, y_train = training.synthetic_data(TRUE_W, TRUE_B, 1000)
    X_test, y_test = training.synthetic_data(TRUE_W, TRUE_B, 100)
    w, b, history = training.train_linear_regression(
        (X_train, y_train),
        (X_test, y_test),
        num_epochs=4,
        lr=0.03,
        batch_size=10,
    )
    np.testing.assert_allclose(w.asnumpy().ravel(), [2, -3.4], atol=WEIGHT_TOL)
    assert b.asscalar() == pytest.approx(4.2, abs=WEIGHT_TOL)
    for losses in history.values():
        assert len(losses) == 4
        assert all(isinstance(loss, float) for loss in losses)
        assert losses[-1] < 3 * NOISE_FLOOR < losses[0]


def test_mean_loss_is_the_plain_mean():
    """mean_loss averages the per-example loss over the whole arrays."""
    X, y = nd.array([[1.0], [2.0]]), nd.array([0.0, 0.0])
    net = gluon.nn.Dense(1, in_units=1, use_bias=False)
    net.initialize(mx.init.One())
    loss = gluon.loss.L2Loss()
    assert training.mean_loss(net, loss, X, y) == pytest.approx(1.25)


def test_softmax_regression_gives_probabilities():
    """Rows are nd.softmax of the affine scores of the flattened images."""
    X = nd.random.uniform(shape=(5, 28, 28, 1))
    W, b = get_params(784, 10, sigma=0.1)
    y_hat = training.softmax_regression(X, W, b)
    expected = nd.softmax(nd.dot(X.reshape((5, 784)), W) + b)
    np.testing.assert_allclose(y_hat.asnumpy(), expected.asnumpy(), 1e-5)


def test_untrained_net_scores_about_chance(fashion_iters):
    """Untrained, softmax regression is right about one time in ten."""
    W, b = get_params(784, 10)
    net = functools.partial(training.softmax_regression, W=W, b=b)
    assert 0.03 < evaluate_accuracy(fashion_iters[1], net) < 0.2


@pytest.mark.parametrize(
    "train", [training.train_softmax_scratch, training.train_softmax_gluon]
)
def test_softmax_regression_learns_fashion_mnist(train, fashion_iters):
    """Within four epochs on a fifth of the training images, test accuracy
    reaches 0.75 (0.78 seen; the site's build trains on all of them)."""
    subset = load_fashion_mnist(train=True).take(12000)
    train_iter = gluon.data.DataLoader(subset, 256, shuffle=True)
    history = train(train_iter, fashion_iters[1], num_epochs=4, lr=0.1)
    assert [len(accs) for accs in history.values()] == [4, 4]
    assert max(history["test_acc"]) >= 0.75  # epochs swing by about 0.01
    assert max(history["train_acc"]) >= 0.75


def test_print_history_prints_a_row_per_epoch(capsys):
    """One header and one row per epoch, with every column."""
    training.print_history({"train_acc": [0.5, 0.75], "test_acc": [0.4, 0.7]})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["epoch", "train_acc", "test_acc"]
    assert lines[2].split() == ["2", "0.75", "0.7"]


def test_plot_history_draws_one_line_per_list():
    """Each list becomes a line over epochs 1..n, labelled by its key."""
    fig = training.plot_history({"a": [3, 2, 1], "b": [1, 2, 3]}, "loss")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["a", "b"]
    assert ax.lines[0].get_xdata().tolist() == [1, 2, 3]


def assert_recovered(result, prefix=""):
    """Learned w0, w1, b are plain floats within WEIGHT_TOL of the truth."""
    truths = {"w0": 2.0, "w1": -3.4, "b": 4.2}
    for name, true in truths.items():
        assert result[f"{prefix}true_{name}"] == true
        assert type(result[prefix + name]) is float
        assert abs(result[prefix + name] - true) < WEIGHT_TOL


def test_compare_params_prints_and_returns_floats(capsys):
    """One printed line per parameter; learned and true values returned."""
    result = training.compare_params(
        nd.array([[1.5], [-2.0]]), nd.array([0.5]), [1.0, -2.0], 0.0
    )
    assert result == {
        "w0": 1.5, "true_w0": 1.0, "w1": -2.0, "true_w1": -2.0,
        "b": 0.5, "true_b": 0.0,
    }  # fmt: skip
    assert capsys.readouterr().out.splitlines()[0] == (
        "w0 learned   1.5000, true   1.0"
    )


def test_show_two_loops():
    """Both written-out loops recover w and b; the settings are returned."""
    result = training.show_two_loops()
    assert_recovered(result, "scratch_")
    assert_recovered(result, "gluon_")
    assert (result["num_examples"], result["num_epochs"]) == (1000, 3)
    assert (result["lr"], result["batch_size"]) == (0.03, 10)


def test_show_linear_regression():
    """The Gluon demo recovers w and b and plots both loss curves."""
    result = training.show_linear_regression()
    assert_recovered(result)
    assert result["test_loss"] < 3 * NOISE_FLOOR
    assert (result["num_train"], result["num_test"]) == (1000, 100)
    assert result["num_epochs"] == 5
    labels = [line.get_label() for line in plt.gcf().axes[0].lines]
    assert labels[:2] == ["training loss", "test loss"]


@pytest.fixture
def small_fashion(monkeypatch, fashion_iters):
    """load_data_fashion_mnist replaced by 2,560 training images."""
    subset = load_fashion_mnist(train=True).take(2560)
    train_iter = gluon.data.DataLoader(subset, 256, shuffle=True)
    test_iter = fashion_iters[1]
    monkeypatch.setattr(
        training, "load_data_fashion_mnist", lambda _: (train_iter, test_iter)
    )


@pytest.mark.usefixtures("small_fashion")
@pytest.mark.parametrize(
    "demo",
    [
        training.show_softmax_regression,
        training.show_softmax_regression_scratch,
    ],
)
def test_show_softmax_regression_on_a_subset(demo):
    """The demos' plumbing, run on 2,560 training images to stay fast."""
    result = demo()
    assert (result["num_epochs"], result["lr"]) == (10, 0.1)
    assert result["batch_size"] == 256
    assert type(result["test_acc"]) is float
    assert 0.6 < result["test_acc"] < 1
    assert len(plt.gcf().axes[0].lines) == 2


@pytest.mark.usefixtures("small_fashion")
def test_softmax_on_logits_learns_like_softmax_then_log():
    """On logits with stable_cross_entropy, scratch training still learns."""
    result = training.show_softmax_on_logits()
    assert result["logits"] > 0.6
    assert abs(result["logits"] - result["probabilities"]) < 0.05


def test_softmax_scores_are_the_logits_of_softmax_regression():
    """softmax(softmax_scores) is softmax_regression."""
    X = nd.random.uniform(shape=(3, 28, 28, 1))
    W, b = get_params(784, 10, sigma=0.1)
    np.testing.assert_allclose(
        nd.softmax(training.softmax_scores(X, W, b)).asnumpy(),
        training.softmax_regression(X, W, b).asnumpy(),
        rtol=1e-5,
    )
