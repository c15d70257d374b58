"""Tests for snippets.mlp: the fast loader, Xavier, scratch against Gluon."""

import math

import numpy as np
import pytest
from mxnet import gluon, init, nd

from snippets import mlp
from snippets.fashion_mnist import read_fashion_mnist


@pytest.fixture(scope="module")
def fashion_nchw():
    """Both splits through the fast loader, batch 256 (read once)."""
    return mlp.load_data_fashion_mnist_nchw(256)


@pytest.fixture(scope="module")
def small_iters(fashion_nchw):
    """The first 10,000 training images (batch 64), 2,000 test images."""
    train, test = fashion_nchw
    return (
        mlp.ArrayLoader(
            train.X[:10000], train.y[:10000], 64, transform=train.transform
        ),
        mlp.ArrayLoader(
            test.X[:2000], test.y[:2000], 1000, False, test.transform
        ),
    )


def test_array_loader_yields_every_example_once_per_pass():
    """Each pass is a permutation in batches of 4, 4, 2; passes differ."""
    X, y = nd.arange(10).reshape((10, 1)), nd.arange(10)
    loader = mlp.ArrayLoader(X, y, 4)
    passes = [[batch.asnumpy().tolist() for _, batch in loader] for _ in "ab"]
    assert [len(batch) for batch in passes[0]] == [4, 4, 2]
    assert len(loader) == 3
    for batches in passes:
        assert sorted(y for batch in batches for y in batch) == list(range(10))
    assert passes[0] != passes[1]
    for X_batch, y_batch in loader:
        assert X_batch[:, 0].asnumpy().tolist() == y_batch.asnumpy().tolist()


def test_array_loader_keeps_the_order_without_shuffle():
    """shuffle=False yields the examples in order."""
    loader = mlp.ArrayLoader(nd.arange(5), nd.arange(5), 2, shuffle=False)
    assert [y.asnumpy().tolist() for _, y in loader] == [[0, 1], [2, 3], [4]]


def test_fast_loader_keeps_uint8_and_gives_to_tensor_batches(fashion_nchw):
    """uint8 images kept; batches are (N, 1, 28, 28) float32 pixels / 255;
    the test split is in order."""
    train_iter, test_iter = fashion_nchw
    X, y = read_fashion_mnist(train=False)
    assert train_iter.X.shape == (60000, 28, 28, 1)
    assert np.dtype(test_iter.X.dtype) == np.uint8
    batches = list(test_iter)
    assert batches[0][0].shape == (256, 1, 28, 28)
    assert batches[0][0].dtype == np.float32
    assert sum(len(y_batch) for _, y_batch in batches) == len(y)
    pixels = nd.concat(*(X_batch for X_batch, _ in batches), dim=0)
    expected = X.asnumpy().transpose(0, 3, 1, 2) / 255
    np.testing.assert_allclose(pixels.asnumpy(), expected, rtol=1e-6)
    labels = nd.concat(*(y_batch for _, y_batch in batches), dim=0)
    assert labels.asnumpy().tolist() == y.asnumpy().tolist()


def test_array_loader_take_transforms_the_examples_it_takes():
    """take(indices) gives those examples, through the loader's transform."""
    X, y = nd.arange(10).reshape((5, 2)), nd.arange(5)
    loader = mlp.ArrayLoader(X, y, 2, transform=lambda batch: batch * 10)
    X_taken, y_taken = loader.take(nd.array([4, 1]))
    assert X_taken.asnumpy().tolist() == [[80, 90], [20, 30]]
    assert y_taken.asnumpy().tolist() == [4, 1]
    for X_batch, y_batch in loader:
        expected = (X.take(y_batch) * 10).asnumpy().tolist()
        assert X_batch.asnumpy().tolist() == expected


def test_xavier_uniform_matches_init_xavier():
    """Same bound sqrt(6/(in+out)) and spread as Gluon's init.Xavier()."""
    bound = math.sqrt(6 / (784 + 256))
    ours = mlp.xavier_uniform(784, 256).asnumpy()
    layer = gluon.nn.Dense(256, in_units=784)
    layer.initialize(init.Xavier())
    theirs = layer.weight.data().asnumpy()
    assert ours.shape == (784, 256)
    assert theirs.shape == (256, 784)  # Gluon stores (units, in_units)
    for W in (ours, theirs):
        assert bound * 0.99 < abs(W).max() <= bound
        assert W.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)


def test_mlp_params_have_gradients_and_zero_biases():
    """Four parameters of the right shapes, each with a gradient buffer."""
    W1, b1, W2, b2 = mlp.get_mlp_params(784, 256, 10)
    assert [p.shape for p in (W1, b1, W2, b2)] == [
        (784, 256), (256,), (256, 10), (10,),
    ]  # fmt: skip
    assert b1.abs().sum().asscalar() == 0
    assert W2.grad.shape == (256, 10)


def test_scratch_mlp_computes_what_sequential_computes():
    """Same weights (transposed for Dense): same scores as Sequential."""
    params = mlp.get_mlp_params(784, 16, 10)
    for b in params[1::2]:
        b[:] = nd.random.normal(shape=b.shape)
    net = mlp.mlp(16, num_outputs=10)
    net.initialize()
    X = nd.random.uniform(shape=(5, 1, 28, 28))
    net(X)
    for layer, W, b in ((net[0], *params[:2]), (net[1], *params[2:])):
        layer.weight.set_data(W.T)
        layer.bias.set_data(b)
    ours, theirs = mlp.mlp_scratch(X, params), net(X)
    assert ours.shape == (5, 10)
    np.testing.assert_allclose(ours.asnumpy(), theirs.asnumpy(), rtol=1e-5)


@pytest.mark.parametrize("train", [mlp.train_mlp_scratch, mlp.train_mlp_gluon])
def test_mlp_learns_fashion_mnist(small_iters, train):
    """Two epochs on 10,000 images: test accuracy far above chance (0.1)."""
    history = train(*small_iters, num_epochs=2, lr=0.1, num_hiddens=64)
    assert len(history["train_acc"]) == len(history["test_acc"]) == 2
    assert max(history["test_acc"]) > 0.6


def test_show_xavier_reports_the_bound():
    """The demo returns a = sqrt(6 / 1040) and a / sqrt(3)."""
    result = mlp.show_xavier()
    assert result["bound"] == pytest.approx(math.sqrt(6 / 1040))
    assert result["std"] == pytest.approx(result["bound"] / math.sqrt(3))


def test_param_counts_by_hand():
    """784*10+10 for softmax regression; two layers' worth for the MLP."""
    assert mlp.show_param_counts() == {
        "softmax": 784 * 10 + 10,
        "mlp": 784 * 256 + 256 + 256 * 10 + 10,
    }


def test_two_dense_layers_without_relu_are_one():
    """Without an activation the MLP equals one Dense with W2 W1."""
    assert mlp.show_mlp_without_relu()["max_diff"] < 1e-5
