"""Tests for snippets.lenet: the size formula against Gluon, training."""

import matplotlib.pyplot as plt
import mxnet as mx
import pytest
from mxnet import gluon, nd

from snippets import lenet
from snippets.mlp import ArrayLoader, load_data_fashion_mnist_nchw

# LeNet's parameters counted by hand: weights + biases of each layer.
LENET_PARAMS = (
    (6 * 1 * 5 * 5 + 6)  # conv: 6 kernels of 1 x 5 x 5
    + (16 * 6 * 5 * 5 + 16)  # conv: 16 kernels of 6 x 5 x 5
    + (16 * 5 * 5 * 120 + 120)  # dense: 400 inputs
    + (120 * 84 + 84)
    + (84 * 10 + 10)
)


@pytest.mark.parametrize(
    ("n", "kernel", "padding", "stride", "expected"),
    [
        (28, 5, 2, 1, 28),  # padding (k - 1) / 2 keeps the size
        (28, 5, 0, 1, 24),
        (28, 2, 0, 2, 14),  # 2 x 2 pooling, stride 2, halves it
        (7, 3, 1, 2, 4),  # odd size, stride 2: rounded down
        (5, 5, 0, 1, 1),
    ],
)
def test_output_size_by_hand(n, kernel, padding, stride, expected):
    """floor((n + 2p - k) / s) + 1 on sizes worked out on paper."""
    assert lenet.output_size(n, kernel, padding, stride) == expected


def test_lenet_shapes_match_the_formula_layer_by_layer():
    """Every LeNet layer's output shape is the formula's, ending at 10."""
    net = lenet.lenet()
    net.initialize()
    rows = lenet.layer_shapes(net, nd.zeros((2, 1, 28, 28)))
    assert [expected for _, expected, _ in rows] == [
        actual for _, _, actual in rows
    ]
    assert [actual for _, _, actual in rows] == [
        (2, 6, 28, 28), (2, 6, 14, 14), (2, 16, 10, 10), (2, 16, 5, 5),
        (2, 120), (2, 84), (2, 10),
    ]  # fmt: skip


def test_formula_handles_stride_padding_and_rectangles():
    """Strided, padded, rectangular layers: the formula still matches."""
    net = gluon.nn.HybridSequential()
    net.add(
        gluon.nn.Conv2D(4, kernel_size=(3, 5), strides=(2, 1), padding=1),
        gluon.nn.MaxPool2D(pool_size=3, strides=2, padding=1),
        gluon.nn.AvgPool2D(pool_size=2),
    )
    net.initialize()
    rows = lenet.layer_shapes(net, nd.zeros((1, 3, 17, 12)))
    for name, expected, actual in rows:
        assert expected == actual, name


def test_lenet_parameter_count():
    """61,706 parameters, as counted by hand."""
    assert lenet.show_lenet_shapes() == {
        "matches": 7,
        "layers": 7,
        "params": LENET_PARAMS,
    }
    assert LENET_PARAMS == 61706


def test_conv2d_needs_nchw():
    """An image batch in NHWC is read as 28 channels of 28 x 1: no match."""
    net = lenet.lenet()
    net.initialize()
    with pytest.raises(mx.base.MXNetError, match="exceeds input"):
        net(nd.zeros((2, 28, 28, 1)))  # fails at the first pooling layer


def test_lenet_learns_on_a_subset():
    """Two epochs on 6,000 images: test accuracy far above chance (0.1)."""
    train_iter, test_iter = load_data_fashion_mnist_nchw(64)
    to_tensor = train_iter.transform
    train_iter = ArrayLoader(
        train_iter.X[:6000], train_iter.y[:6000], 64, transform=to_tensor
    )
    test_iter = ArrayLoader(
        test_iter.X[:1000], test_iter.y[:1000], 500, transform=to_tensor
    )
    net, history = lenet.train_lenet(train_iter, test_iter, 2, lr=0.3)
    assert max(history["test_acc"]) > 0.6
    assert net(test_iter.take(nd.arange(3))[0]).shape == (3, 10)


def test_plot_predictions_marks_the_mistakes_in_red():
    """Titles: the prediction, plus the truth in red where they differ."""
    y = nd.array([0, 1, 2, 3, 4, 5], dtype="int32")
    guesses = nd.array([0, 1, 7, 3, 9, 5])

    def net(X):
        return nd.one_hot(guesses[: len(X)], 10)

    mistakes = lenet.plot_predictions(net, nd.zeros((6, 1, 28, 28)), y)
    titles = [ax.title for ax in plt.gcf().axes]
    red = [t.get_text() for t in titles if t.get_color() == "red"]
    assert mistakes == 2
    assert red == ["sneaker\ntrue: pullover", "ankle boot\ntrue: coat"]
    assert titles[0].get_text() == "t-shirt"


def test_strided_conv_exercise():
    """(32 + 2 - 5) // 2 + 1 = 15, and Gluon agrees."""
    assert lenet.show_strided_conv() == {"size": 15, "gluon": 15}


def test_lenet_without_padding_has_256_dense_inputs():
    """28 -> 24 -> 12 -> 8 -> 4: the first Dense sees 16 * 4 * 4 inputs."""
    assert lenet.show_lenet_without_padding() == {"in_units": 16 * 4 * 4}
