"""Tests for snippets.metrics against hand counts and mx.metric.Accuracy."""

import mxnet as mx
import pytest
from mxnet import gluon, nd

from snippets.metrics import (
    accuracy,
    batch_mean_accuracy,
    correct_count,
    evaluate_accuracy,
    last_line,
    show_accuracy,
    show_batch_mean_bias,
    show_evaluate_accuracy,
    show_int_label_error,
    show_untrained_accuracy,
)

Y_HAT = nd.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0, 1]])
Y = [1, 0, 0, 0, 0]  # rows 0, 1 and 3 are right: 3 of 5


def mx_accuracy(batches):
    """Accuracy that mx.metric.Accuracy accumulates over (y_hat, y) pairs."""
    metric = mx.metric.Accuracy()
    for y_hat, y in batches:
        metric.update(labels=[y], preds=[y_hat])
    return metric.get()[1]


@pytest.mark.parametrize("dtype", ["int32", "float32", "int64"])
def test_accuracy_by_hand(dtype):
    """3 of 5 rows have their argmax at the label, whatever the label type."""
    y = nd.array(Y, dtype=dtype)
    assert correct_count(Y_HAT, y) == 3
    assert accuracy(Y_HAT, y) == pytest.approx(0.6)


def test_accuracy_with_column_labels():
    """Labels shaped (n, 1) are not broadcast against the (n,) argmax."""
    assert accuracy(Y_HAT, nd.array(Y).reshape((-1, 1))) == pytest.approx(0.6)


def test_accuracy_extremes():
    """All right gives 1, all wrong gives 0."""
    y_hat = nd.one_hot(nd.array([2, 0, 1]), 3)
    assert accuracy(y_hat, nd.array([2, 0, 1])) == 1
    assert accuracy(y_hat, nd.array([0, 1, 2])) == 0


@pytest.mark.parametrize("seed", range(3))
def test_accuracy_matches_mx_metric(seed):
    """On random scores, accuracy equals mx.metric.Accuracy."""
    mx.random.seed(seed)
    y_hat = nd.random.normal(shape=(100, 10))
    y = nd.random.randint(0, 10, shape=(100,)).astype("int32")
    assert accuracy(y_hat, y) == pytest.approx(mx_accuracy([(y_hat, y)]))


def test_evaluate_accuracy_weights_batches_by_size():
    """With batches 4, 4, 2 the result is the overall fraction correct."""
    mx.random.seed(1)
    scores = nd.random.normal(shape=(10, 3))
    y = nd.random.randint(0, 3, shape=(10,)).astype("int32")
    data_iter = gluon.data.DataLoader(gluon.data.ArrayDataset(scores, y), 4)
    overall = evaluate_accuracy(data_iter, net=lambda X: X)
    assert overall == pytest.approx(accuracy(scores, y))
    assert overall == pytest.approx(mx_accuracy(data_iter))


def test_evaluate_accuracy_of_a_gluon_net():
    """A Gluon net over a DataLoader scores what it scores on the array."""
    mx.random.seed(2)
    X = nd.random.normal(shape=(50, 4))
    y = nd.random.randint(0, 3, shape=(50,)).astype("int32")
    net = gluon.nn.Dense(3)
    net.initialize()
    data_iter = gluon.data.DataLoader(gluon.data.ArrayDataset(X, y), 16)
    assert evaluate_accuracy(data_iter, net) == pytest.approx(
        accuracy(net(X), y)
    )


def test_show_accuracy():
    """The demo's hand example scores 0.75, the same as mx.metric."""
    assert show_accuracy() == {"accuracy": 0.75, "metric": 0.75}


def test_show_evaluate_accuracy():
    """The demo shows 6/10 overall against a mean of batch scores of 2/3."""
    result = show_evaluate_accuracy()
    assert (result["num_examples"], result["batch_size"]) == (10, 4)
    assert result["last"] == 2
    assert result["overall"] == pytest.approx(0.6)
    assert result["batch_mean"] == pytest.approx(2 / 3)


def test_untrained_net_scores_about_chance():
    """An untrained Dense(10) is right about one time in ten."""
    mx.random.seed(0)
    result = show_untrained_accuracy()
    assert 0.03 < result["test_acc"] < 0.2
    assert (result["batch_size"], result["last"]) == (256, 10000 % 256)


def test_batch_mean_accuracy_weights_every_batch_alike():
    """Batches of 4, 4, 2 scoring 1, 0, 1 average to 2/3, not 0.6."""
    y = nd.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2])
    scores = nd.one_hot(nd.array([0, 0, 0, 0, 0, 0, 0, 0, 2, 2]), 3)
    data_iter = gluon.data.DataLoader(gluon.data.ArrayDataset(scores, y), 4)
    assert batch_mean_accuracy(data_iter, lambda X: X) == pytest.approx(2 / 3)


def test_batch_mean_bias_on_the_test_set_is_small():
    """With 39 full batches and one of 16 the two differ by well under 1%."""
    mx.random.seed(0)
    result = show_batch_mean_bias()
    assert result["batch_mean"] != result["overall"]
    assert abs(result["batch_mean"] - result["overall"]) < 0.01


def test_int32_labels_fail_the_comparison(capsys):
    """MXNet 1.x refuses float32 == int32; correct_count casts first."""
    with pytest.raises(mx.MXNetError, match="expected float32, got int32"):
        nd.array([1.0]) == nd.array([1], dtype="int32")  # noqa: B015
    assert show_int_label_error() == {"correct": 2}
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("MXNetError: Check failed")


def test_last_line_takes_the_summary():
    """last_line keeps the last non-empty line of the message."""
    assert last_line(ValueError("Traceback\n  File x\nError: boom\n")) == (
        "Error: boom"
    )
