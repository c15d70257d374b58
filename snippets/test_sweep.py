"""Tests for snippets.sweep: the subset, one run, the sweep and its plots."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.image import AxesImage

from snippets import sweep
from snippets.fashion_mnist import read_fashion_mnist

pytestmark = pytest.mark.usefixtures("seeded")
LRS, BATCH_SIZES = (0.001, 0.1), (16, 128)


@pytest.fixture(scope="module")
def subset():
    """1000 training and 500 test examples, read once per module."""
    return sweep.load_subset(1000, 500)


@pytest.fixture(scope="module")
def results(subset):
    """A 2 x 2 sweep of 3 epochs on the subset."""
    return sweep.sweep(*subset, LRS, BATCH_SIZES, num_epochs=3)


def test_subset_is_the_first_examples_scaled(subset):
    """Sizes as asked, pixels in [0, 1], labels those of the full splits."""
    (X, y), (X_test, y_test) = subset
    assert (X.shape, X_test.shape) == ((1000, 28, 28, 1), (500, 28, 28, 1))
    assert 0 <= X.min().asscalar() < X.max().asscalar() <= 1
    _, y_all = read_fashion_mnist(train=False)
    assert (y_test.asnumpy() == y_all[:500].asnumpy()).all()
    assert len(y) == 1000


def test_a_sane_run_learns(subset):
    """lr 0.1: below the loss of a guess (ln 10) after one epoch, lower
    after three, accuracy far above chance."""
    history = sweep.train_softmax(*subset, 0.1, 64, num_epochs=3)
    losses = history["train_loss"]
    assert len(losses) == len(history["test_acc"]) == 3
    assert losses[-1] < losses[0] < np.log(10)
    assert history["test_acc"][-1] > 0.45  # an untrained net scores ~0.1


def test_sweep_runs_every_pair(results):
    """One history per (lr, batch size), each of num_epochs entries."""
    assert set(results) == {(lr, b) for lr in LRS for b in BATCH_SIZES}
    assert all(len(h["train_loss"]) == 3 for h in results.values())


def test_tiny_learning_rate_learns_least(results):
    """With lr 0.001 the best accuracy of any epoch stays below that of lr
    0.1, for every batch size (the last epoch of lr 0.1 may be unlucky)."""
    for b in BATCH_SIZES:
        slow = max(results[(0.001, b)]["test_acc"])
        assert slow < max(results[(0.1, b)]["test_acc"])


def test_grid_and_best_setting_read_the_histories(results):
    """Rows are lrs, columns batch sizes; best_setting is the grid's max."""
    grid = sweep.final_accuracy(results, LRS, BATCH_SIZES)
    assert grid.shape == (2, 2)
    assert grid[1, 0] == results[(0.1, 16)]["test_acc"][-1]
    i, j = np.unravel_index(grid.argmax(), grid.shape)
    assert sweep.best_setting(results) == (LRS[i], BATCH_SIZES[j])


def test_print_grid_has_a_row_per_lr(capsys):
    """A header of batch sizes, then one row per lr with 3 decimals."""
    sweep.print_grid(np.array([[0.5, 0.25], [0.75, 1.0]]), LRS, BATCH_SIZES)
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split()[-2:] == ["16", "128"]
    assert rows[1].split() == ["0.1", "0.750", "1.000"]


def test_heatmap_labels_every_cell():
    """One image, a label per cell with its value, axes named."""
    grid = np.array([[0.5, 0.25], [0.75, 1.0]])
    fig = sweep.plot_heatmap(grid, LRS, BATCH_SIZES)
    ax = fig.axes[0]
    assert len([i for i in ax.get_children() if isinstance(i, AxesImage)]) == 1
    assert sorted(t.get_text() for t in ax.texts) == [
        "0.25",
        "0.50",
        "0.75",
        "1.00",
    ]
    assert (ax.get_xlabel(), ax.get_ylabel()) == (
        "batch size",
        "learning rate",
    )
    plt.close(fig)


def test_loss_curves_panel_per_batch_size(results):
    """A log-scale panel per batch size with a line per lr."""
    fig = sweep.plot_loss_curves(results, LRS, BATCH_SIZES)
    panels = fig.axes[: len(BATCH_SIZES)]
    assert [ax.get_title() for ax in panels] == [
        "batch size 16",
        "batch size 128",
    ]
    assert all(len(ax.get_lines()) == len(LRS) for ax in panels)
    assert all(ax.get_yscale() == "log" for ax in panels)
    plt.close(fig)
