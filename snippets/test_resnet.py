"""Tests for snippets.resnet: batch norm from scratch and Gluon's, ResNet."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from mxnet import autograd, gluon, init, nd

from snippets import resnet
from snippets.fashion_mnist import read_fashion_mnist
from snippets.lenet import lenet
from snippets.mlp import ArrayLoader

SHAPES = [(6, 3), (4, 3, 5, 5)]


@pytest.mark.parametrize("shape", SHAPES)
def test_training_mode_normalises_each_feature_or_channel(shape):
    """In record(): mean 0 and variance 1 per feature (2-D) or channel."""
    bn = resnet.BatchNorm(shape[1], num_dims=len(shape))
    bn.initialize()
    X = nd.random.normal(2, 3, shape=shape)
    with autograd.record():
        Y = bn(X)
    axes = (0,) if len(shape) == 2 else (0, 2, 3)
    np.testing.assert_allclose(Y.mean(axis=axes).asnumpy(), 0, atol=1e-5)
    var = (Y**2).mean(axis=axes).asnumpy()
    np.testing.assert_allclose(var, 1, rtol=1e-3)


def test_prediction_mode_uses_the_moving_statistics():
    """Outside record(): (X - moving_mean) / sqrt(moving_var + eps)."""
    bn = resnet.BatchNorm(2, num_dims=2)
    bn.initialize()
    X = nd.array([[1.0, 10.0], [3.0, 30.0], [5.0, 50.0]])
    with autograd.record():
        bn(X)
    mean = 0.1 * X.mean(axis=0)  # momentum 0.9 from 0
    var = 0.9 + 0.1 * ((X - X.mean(axis=0)) ** 2).mean(axis=0)  # from 1
    expected = (X - mean) / nd.sqrt(var + 1e-5)
    np.testing.assert_allclose(bn(X).asnumpy(), expected.asnumpy(), rtol=1e-5)
    np.testing.assert_allclose(
        bn.moving_var.data().asnumpy().ravel(), var.asnumpy(), rtol=1e-6
    )


@pytest.mark.parametrize("shape", SHAPES)
def test_scratch_batch_norm_agrees_with_gluons(shape):
    """Outputs and moving statistics equal nn.BatchNorm's to rounding."""
    X = nd.random.normal(shape=shape)
    diffs = resnet.scratch_and_gluon(X, steps=4)
    assert max(diffs) < 1e-5, diffs


def test_scratch_vs_gluon_demo_says_rounding():
    """batch norm page: the demo's words are those of the diff it found."""
    result = resnet.show_scratch_vs_gluon()
    assert 0 < result["diff"] < 1e-5
    assert result["same_en"] == "differ only by float32 rounding"


def test_gluon_batch_norm_updates_running_stats_in_backward():
    """MXNet 1.x: forward in record() alone leaves running_mean at 0."""
    assert resnet.show_running_stats_need_backward() == {
        "forward_only": 0.0,
        "after_backward": pytest.approx(0.2),
    }


def test_is_training_follows_record_and_train_mode():
    """record() trains, record(train_mode=False) predicts, as the page says."""
    assert not autograd.is_training()
    with autograd.record():
        assert autograd.is_training()
    with autograd.record(train_mode=False):
        assert not autograd.is_training()
    with autograd.train_mode():
        assert autograd.is_training()
    assert resnet.show_batch_norm_modes()["mean"] < 1e-6


@pytest.mark.parametrize(
    ("channels", "strides", "shape"),
    [(16, 1, (2, 16, 14, 14)), (32, 2, (2, 32, 7, 7))],
)
def test_residual_keeps_or_halves_the_size(channels, strides, shape):
    """A 1 x 1 convolution only where the stride changes the shape."""
    block = resnet.Residual(channels, strides)
    block.initialize()
    assert block(nd.zeros((2, 16, 14, 14))).shape == shape
    assert (block.conv3 is None) == (strides == 1)


def test_residual_block_adds_its_input():
    """With F(x) = 0 (zero weights) the block gives relu(x)."""
    block = resnet.Residual(3)
    block.initialize(init.Zero())
    X = nd.random.normal(shape=(2, 3, 6, 6))
    np.testing.assert_allclose(block(X).asnumpy(), nd.relu(X).asnumpy())


def test_networks_give_ten_scores():
    """lenet_bn and resnet map (N, 1, 28, 28) to (N, 10)."""
    for net in (resnet.lenet_bn(), resnet.resnet()):
        net.initialize()
        assert net(nd.zeros((3, 1, 28, 28))).shape == (3, 10)
    assert resnet.show_resnet_shapes()["params"] > 0


def test_smooth_is_a_running_mean():
    """smooth: the mean of the last `window` values, fewer at the start."""
    assert resnet.smooth([2, 4, 6, 8], window=2) == [2, 3, 5, 7]


@pytest.fixture
def small_data(monkeypatch):
    """Fashion-MNIST cut to 1,000 training and 500 test images."""

    def loaders(batch_size):
        to_tensor = gluon.data.vision.transforms.ToTensor()
        (X, y), (X_test, y_test) = (
            read_fashion_mnist(train) for train in (True, False)
        )
        return (
            ArrayLoader(X[:1000], y[:1000], batch_size, True, to_tensor),
            ArrayLoader(X_test[:500], y_test[:500], 100, False, to_tensor),
        )

    monkeypatch.setattr(resnet, "load_data_fashion_mnist_nchw", loaders)
    return loaders


def test_lenet_bn_demo_draws_both_loss_curves(small_data):
    """show_lenet_bn: one loss per minibatch for each net; its words."""
    result = resnet.show_lenet_bn()
    assert result["steps"] == 8 * resnet.BN_EPOCHS  # 1,000 / 128
    lines = plt.gcf().axes[0].lines
    assert [line.get_label() for line in lines] == ["LeNet", "LeNet + BN"]
    higher = result["bn_test_acc"] > result["plain_test_acc"]
    assert (result["bn_vs_plain_en"] == "higher than") == higher


def test_batch_norm_speeds_up_lenet_on_few_steps(small_data):
    """On 1,000 images, 2 epochs: LeNet + BN well ahead of LeNet."""
    train_iter, test_iter = small_data(32)
    accs = [
        resnet.train_net(net, train_iter, test_iter, [0.1] * 2)["test_acc"][-1]
        for net in (lenet(), resnet.lenet_bn())
    ]
    assert accs[1] > accs[0] + 0.1, accs


def test_resnet_learns_on_few_images(small_data):
    """The small ResNet, 1,000 images, 2 epochs: well above chance (0.1)."""
    train_iter, test_iter = small_data(64)
    history = resnet.train_net(
        resnet.resnet(), train_iter, test_iter, [0.2, 0.02]
    )
    assert history["test_acc"][-1] > 0.2, history["test_acc"]


def test_resnet_demo_lowers_the_rate_for_the_last_epoch(small_data, capsys):
    """show_train_resnet: a tenth of the rate in the last epoch."""
    result = resnet.show_train_resnet()
    assert result["last_lr"] == pytest.approx(result["lr"] / 10)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == result["num_epochs"] + 1 == resnet.RESNET_EPOCHS + 1
    assert lines[-2].startswith(f"epoch {resnet.RESNET_EPOCHS}, lr 0.02:")
    higher = result["test_acc"] > result["mlp_test_acc"]
    assert (result["vs_mlp_en"] == "higher than") == higher
