"""Tests for snippets.conv: channel counting and scratch convolution."""

import inspect

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon, nd

from snippets.conv import (
    conv2d,
    conv_layer,
    conv_param_count,
    corr2d,
    corr2d_multi_in,
    show_conv_shapes,
    show_hwc_fix,
    show_kernel_grid,
    show_layouts,
    show_one_by_one,
    show_rgb_params,
    show_scratch_conv,
)

CHANNELS = [(1, 1, 1), (1, 4, 3), (3, 2, 3), (4, 1, 2), (3, 8, 5)]


@pytest.mark.parametrize(("n", "h", "k"), CHANNELS)
def test_conv2d_weight_and_bias_shapes(n, h, k):
    """n to h channels: weight (h, n, k, k) = h * n 2-D kernels; h biases."""
    net = conv_layer(n, h, k)
    assert net.weight.shape == (h, n, k, k)
    assert net.bias.shape == (h,)


@pytest.mark.parametrize(("n", "h", "k"), CHANNELS)
def test_parameter_count_formula(n, h, k):
    """conv_param_count equals the number of values Gluon allocates."""
    params = conv_layer(n, h, k).collect_params().values()
    assert conv_param_count(n, h, k) == sum(p.data().size for p in params)


def test_corr2d_on_a_worked_example():
    """The 3x3 by 2x2 cross-correlation worked by hand in d2l."""
    X = nd.arange(9).reshape((3, 3))
    K = nd.array([[0, 1], [2, 3]])
    np.testing.assert_array_equal(corr2d(X, K).asnumpy(), [[19, 25], [37, 43]])


def test_multi_input_channels_sum_their_correlations():
    """One output channel sums the per-channel cross-correlations."""
    X = nd.random.normal(shape=(3, 4, 4))
    K = nd.random.normal(shape=(3, 2, 2))
    expected = sum(corr2d(X[c], K[c]).asnumpy() for c in range(3))
    np.testing.assert_allclose(
        corr2d_multi_in(X, K).asnumpy(), expected, rtol=1e-5, atol=1e-6
    )


def test_kernel_must_have_one_slice_per_input_channel():
    """A kernel with the wrong number of input channels is rejected."""
    with pytest.raises(ValueError, match="zip"):
        corr2d_multi_in(nd.ones((3, 4, 4)), nd.ones((2, 2, 2)))


@pytest.mark.parametrize(("n", "h", "k"), CHANNELS)
def test_scratch_conv_equals_nd_convolution(n, h, k):
    """conv2d(X, K, b) equals nd.Convolution with the same weight and bias."""
    X = nd.random.normal(shape=(n, 6, 7))
    K = nd.random.normal(shape=(h, n, k, k))
    b = nd.random.normal(shape=(h,))
    expected = nd.Convolution(
        X.expand_dims(0), K, b, kernel=(k, k), num_filter=h
    )[0]
    np.testing.assert_allclose(
        conv2d(X, K, b).asnumpy(), expected.asnumpy(), rtol=1e-4, atol=1e-5
    )


def test_scratch_conv_equals_a_gluon_conv2d_layer():
    """conv2d with a Conv2D layer's own parameters reproduces its output."""
    net = conv_layer(3, 4, 3)
    X = nd.random.normal(shape=(3, 8, 8))
    ours = conv2d(X, net.weight.data(), net.bias.data())
    np.testing.assert_allclose(
        ours.asnumpy(), net(X.expand_dims(0))[0].asnumpy(), atol=1e-5
    )


def test_demos_return_the_numbers_the_pages_cite():
    """The page demos run and return the values quoted in the prose."""
    assert show_conv_shapes() == {
        "n": 3, "h": 2, "k": 3, "slices": 6, "biases": 2, "params": 56,
    }  # fmt: skip
    assert show_scratch_conv()["max_diff"] < 1e-4
    assert show_kernel_grid()["slices"] == 6
    plt.close("all")


def test_conv2d_reads_nchw_and_rejects_nhwc(capsys):
    """(N, H, W, C) makes Conv2D read H as the channels: a shape error."""
    assert show_layouts() == {"in_channels": 1}
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "NCHW (2, 1, 28, 28) -> (2, 6, 24, 24)"
    assert lines[1] == (
        "NHWC (2, 28, 28, 1) -> MXNetError: Shape inconsistent, "
        "Provided = [6,1,5,5], inferred shape=(6,28,5,5)"
    )


def test_nhwc_without_in_channels_fails_on_the_width():
    """Deferred init takes H = 28 for the channels, then W = 1 is too small."""
    net = gluon.nn.Conv2D(6, kernel_size=5)
    net.initialize()
    with pytest.raises((ValueError, mx.MXNetError), match="exceed input"):
        net(nd.zeros((2, 28, 28, 1)))


def test_nhwc_can_pass_silently_when_the_shapes_fit():
    """With H = W = C, an NHWC batch runs and computes something else."""
    net = conv_layer(4, 2, 3)
    X = nd.random.normal(shape=(1, 4, 4, 4))  # meant as N, H, W, C
    wrong = net(X)  # read as N, C, H, W: no error
    right = net(X.transpose((0, 3, 1, 2)))
    assert wrong.shape == right.shape
    assert not np.allclose(wrong.asnumpy(), right.asnumpy())


def test_conv2d_layout_option_defaults_to_nchw():
    """Conv2D's layout argument is 'NCHW' unless told otherwise."""
    layout = inspect.signature(gluon.nn.Conv2D).parameters["layout"]
    assert layout.default == "NCHW"


def test_hwc_image_becomes_an_nchw_batch():
    """transpose((2, 0, 1)) and expand_dims(0) turn HWC into NCHW."""
    assert show_hwc_fix() == {"batch_shape": "(1, 1, 28, 28)"}


def test_rgb_parameter_count():
    """Conv2D(64, kernel_size=3) on 3 channels: 64 * 3 * 9 + 64 = 1792."""
    assert show_rgb_params() == {"params": 64 * 3 * 9 + 64}


def test_one_by_one_convolution_is_a_dense_layer_per_pixel():
    """A 1 x 1 Conv2D equals X W^T + b applied to each pixel's channels."""
    assert show_one_by_one()["max_diff"] < 1e-5
