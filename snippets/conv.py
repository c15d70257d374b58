"""Convolution channels: how many kernels and biases, and a scratch conv."""

import matplotlib.pyplot as plt
from mxnet import gluon, nd


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
    return {"slices": n * h, "biases": h, "params": conv_param_count(n, h, k)}


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
    return {"max_diff": diff}


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
