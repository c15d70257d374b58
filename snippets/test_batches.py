"""Tests for snippets.batches: every example once, short last batch."""

import random

import numpy as np
import pytest
from mxnet import nd

from snippets.batches import (
    data_iter,
    epoch_labels,
    epoch_seconds,
    first_class_steps,
    load_array,
    show_data_iter_seed,
    show_discard,
    show_epoch_times,
    show_last_batch,
    show_minibatches,
    show_shuffle_seeds,
    show_sorted_epoch,
)


def toy_data(n):
    """n examples whose row i of X is [2i, 2i + 1] and whose label is i."""
    return nd.arange(2 * n).reshape((n, 2)), nd.arange(n)


def one_epoch(batches):
    """Batch sizes and all labels of one epoch, checking X-y pairing."""
    sizes, labels = [], []
    for X, y in batches:
        np.testing.assert_array_equal(X[:, 0].asnumpy(), 2 * y.asnumpy())
        sizes.append(len(y))
        labels.extend(y.asnumpy().tolist())
    return sizes, labels


@pytest.mark.parametrize(
    ("n", "batch_size", "sizes"),
    [(10, 4, [4, 4, 2]), (12, 4, [4, 4, 4]), (3, 5, [3]), (7, 1, [1] * 7)],
)
def test_data_iter_yields_every_example_once(n, batch_size, sizes):
    """One epoch covers each example exactly once; the last may be short."""
    got_sizes, labels = one_epoch(data_iter(batch_size, *toy_data(n)))
    assert got_sizes == sizes
    assert sorted(labels) == list(range(n))


def test_data_iter_shuffles_each_epoch():
    """The order is shuffled and differs between epochs."""
    random.seed(0)
    X, y = toy_data(100)
    first, second = (one_epoch(data_iter(10, X, y))[1] for _ in range(2))
    assert first != list(range(100))
    assert first != second


def test_data_iter_keeps_integer_labels():
    """take keeps the dtype of y (int32 labels stay int32)."""
    X, y = toy_data(6)
    _, y_batch = next(data_iter(4, X, y.astype("int32")))
    assert y_batch.dtype == np.int32


@pytest.mark.parametrize(("n", "batch_size"), [(10, 4), (12, 4), (3, 5)])
def test_dataloader_gives_the_same_multiset(n, batch_size):
    """load_array yields the same batch sizes and examples as data_iter."""
    X, y = toy_data(n)
    scratch = one_epoch(data_iter(batch_size, X, y))
    gluon_way = one_epoch(load_array(X, y, batch_size))
    assert gluon_way[0] == scratch[0]
    assert sorted(gluon_way[1]) == sorted(scratch[1])


def test_load_array_without_shuffle_keeps_order():
    """shuffle=False yields the examples in their stored order."""
    _, labels = one_epoch(load_array(*toy_data(10), 4, shuffle=False))
    assert labels == list(range(10))


def test_epoch_seconds_consumes_the_iterator():
    """epoch_seconds runs the whole pass and returns a positive time."""
    batches = data_iter(4, *toy_data(10))
    assert epoch_seconds(batches) > 0
    assert next(batches, None) is None


def test_show_minibatches(capsys):
    """The demo prints three batches for each of the two ways."""
    assert show_minibatches() == {"num_examples": 10, "batch_size": 4}
    out = capsys.readouterr().out
    assert out.count("data_iter batch") == out.count("DataLoader batch") == 3


def test_show_last_batch(capsys):
    """keep ends with 2 examples, discard drops them, rollover defers them."""
    assert show_last_batch() == {"num_batches": 3, "last": 2}
    out = capsys.readouterr().out
    assert "keep     epoch 1: [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]" in out
    assert "discard  epoch 2: [[0, 1, 2, 3], [4, 5, 6, 7]]\n" in out
    assert "rollover epoch 2: [[8, 9, 0, 1]," in out


def test_show_epoch_times():
    """Both ways pass over the 60,000 training images in finite time."""
    result = show_epoch_times()
    assert (result["num_examples"], result["batch_size"]) == (60000, 256)
    assert all(0 < result[way] < 60 for way in ("data_iter", "DataLoader"))


@pytest.mark.parametrize(
    ("labels", "batch_size", "steps"),
    [([0, 0, 0, 1], 2, 1), ([0, 0, 0, 0], 2, 2), ([2, 1], 1, 1), ([], 3, 0)],
)
def test_first_class_steps(labels, batch_size, steps):
    """Counts the leading batches holding only the first label's class."""
    assert first_class_steps(labels, batch_size) == steps


def test_sorted_epoch_sees_one_class_for_23_steps():
    """6,000 examples per class in batches of 256: 23 one-class steps."""
    assert show_sorted_epoch() == {
        "per_class": 6000,
        "batch_size": 256,
        "steps": 6000 // 256,
    }


def test_dataloader_shuffles_with_numpys_global_rng():
    """np.random.seed fixes DataLoader's order; mx.random.seed does not."""
    assert show_shuffle_seeds() == {"mx_repeats": False, "np_repeats": True}


def test_data_iter_shuffles_with_pythons_random():
    """random.seed fixes data_iter's order; np.random.seed does not."""
    result = show_data_iter_seed()
    assert result == {"np_repeats": False, "random_repeats": True}


def test_epoch_labels_flattens_the_batches():
    """The labels of all batches come back in order, as ints."""
    X = nd.arange(5)
    assert epoch_labels(load_array(X, X, 2, shuffle=False)) == [0, 1, 2, 3, 4]


def test_discard_drops_the_short_batch():
    """60,000 in batches of 256: 234 full batches, 96 examples left out."""
    assert show_discard() == {
        "batch_size": 256,
        "num_batches": 234,
        "unused": 60000 % 256,
    }
