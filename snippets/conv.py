"""Convolution channels: how many kernels and biases, and a scratch conv."""

import matplotlib.pyplot as plt
import mxnet as mx
from mxnet import gluon, nd

from snippets.metrics import last_line
from snippets.phrases import agreement


def corr2d(X, K):
    """2-D cross-correlation of a single-channel X with a 2-D kernel K."""
    h, w = K.shape
    Y = nd.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


def corr2d_multi_in(X, K):
    """Cross-correlate each input channel with its slice of K, then sum."""
    return nd.add_n(*[corr2d(x, k) for x, k in zip(X, K, strict=True)])


def corr2d_multi_in_out(X, K):
    """One multi-input cross-correlation per output channel, stacked."""
    return nd.stack(*[corr2d_multi_in(X, k) for k in K])


def conv2d(X, K, b):
    """Convolution layer output: X (n, H, W), K (h, n, k, k), b (h,)."""
    return corr2d_multi_in_out(X, K) + b.reshape((-1, 1, 1))


def conv_param_count(n, h, k):
    """Weights plus biases of a k x k convolution from n to h channels."""
    return h * n * k * k + h


def conv_layer(n, h, k):
    """An initialized Conv2D layer from n to h channels with k x k kernels."""
    net = gluon.nn.Conv2D(channels=h, in_channels=n, kernel_size=k)
    net.initialize()
    return net


def show_conv_shapes():
    """Weight and bias shapes of Conv2D for a few channel counts."""
    print(" n   h  k  weight shape      bias   params  h*n*k*k+h")
    for n, h, k in ((1, 1, 3), (3, 2, 3), (3, 64, 5), (64, 128, 3)):
        net = conv_layer(n, h, k)
        count = sum(p.data().size for p in net.collect_params().values())
        print(
            f"{n:>2} {h:>3} {k:>2}  {net.weight.shape!s:<17} "
            f"{net.bias.shape!s:<6} {count:>6}  {conv_param_count(n, h, k):>9}"
        )
    n, h, k = 3, 2, 3
    return {
        "n": n,
        "h": h,
        "k": k,
        "slices": n * h,
        "biases": h,
        "params": conv_param_count(n, h, k),
    }


def show_scratch_conv():
    """Scratch multi-channel convolution next to nd.Convolution."""
    X = nd.random.normal(shape=(3, 5, 5))
    K, b = nd.random.normal(shape=(2, 3, 3, 3)), nd.array([0.5, -1.0])
    batch = X.expand_dims(0)
    theirs = nd.Convolution(batch, K, b, kernel=(3, 3), num_filter=2)
    ours = conv2d(X, K, b)
    diff = nd.abs(ours - theirs[0]).max().asscalar().item()
    print("X", X.shape, "K", K.shape, "b", b.shape, "-> Y", ours.shape)
    print("max |scratch - nd.Convolution|:", diff)
    return {"max_diff": diff, **agreement("agree", diff)}


def show_kernel_grid():
    """Draw every 2-D slice W[o, i] of a Conv2D weight: h rows, n columns."""
    n, h, k = 3, 2, 3
    weight = conv_layer(n, h, k).weight.data().asnumpy()
    vmax = abs(weight).max()
    fig, axes = plt.subplots(h, n, figsize=(5, 3.5))
    for o in range(h):
        for i in range(n):
            axes[o, i].imshow(
                weight[o, i], cmap="coolwarm", vmin=-vmax, vmax=vmax
            )
            axes[o, i].set(xticks=[], yticks=[], title=f"W[{o}, {i}]")
    fig.suptitle(f"weight shape (h, n, k, k) = {weight.shape}")
    fig.tight_layout()
    return {"slices": weight.shape[0] * weight.shape[1]}


def show_layouts():
    """Conv2D reads (N, C, H, W): NCHW works, NHWC fails with a message."""
    net = conv_layer(n=1, h=6, k=5)
    batch = {
        "NCHW": nd.zeros((2, 1, 28, 28)),
        "NHWC": nd.zeros((2, 28, 28, 1)),
    }
    for layout, X in batch.items():
        try:
            print(f"{layout} {X.shape} -> {net(X).shape}")
        except mx.MXNetError as error:
            print(f"{layout} {X.shape} -> {last_line(error)}")
    return {"in_channels": net.weight.shape[1]}


def show_hwc_fix():
    """An HWC image made into a one-image NCHW batch, then convolved."""
    image = nd.random.uniform(shape=(28, 28, 1))  # height, width, channel
    X = image.transpose((2, 0, 1)).expand_dims(axis=0)
    net = conv_layer(n=1, h=6, k=5)
    print("image", image.shape, "-> batch", X.shape, "->", net(X).shape)
    return {"batch_shape": str(X.shape)}


def show_rgb_params():
    """Parameters of Conv2D(64, kernel_size=3) on RGB images, two ways."""
    net = conv_layer(n=3, h=64, k=3)
    count = sum(p.data().size for p in net.collect_params().values())
    print("allocated:", count, " formula:", conv_param_count(3, 64, 3))
    return {"params": count}


def show_one_by_one():
    """A 1x1 convolution is a Dense layer applied to every pixel."""
    X = nd.random.normal(shape=(1, 3, 4, 4))
    net = conv_layer(n=3, h=2, k=1)
    pixels = X[0].reshape((3, -1)).T  # one row of 3 channels per pixel
    weight = net.weight.data().reshape((2, 3))
    dense = (nd.dot(pixels, weight.T) + net.bias.data()).T.reshape((2, 4, 4))
    diff = nd.abs(net(X)[0] - dense).max().asscalar().item()
    print("max |Conv2D(1x1) - per-pixel dense|:", diff)
    return {"max_diff": diff}
