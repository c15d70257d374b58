"""Initializing parameters: by hand, and with net.initialize()."""

import math
import warnings

import matplotlib.pyplot as plt
from mxnet import autograd, gluon, init, nd
from mxnet.gluon.parameter import DeferredInitializationError

from snippets.phrases import agreement


def get_params(num_inputs, num_outputs, sigma=0.01):
    """Weights drawn from N(0, sigma^2) and zero biases, with gradients."""
    W = nd.random.normal(scale=sigma, shape=(num_inputs, num_outputs))
    b = nd.zeros(num_outputs)
    for param in (W, b):
        param.attach_grad()
    return [W, b]


def mlp(num_hiddens, num_outputs):
    """A two-layer perceptron whose input size is left to inference."""
    net = gluon.nn.Sequential()
    net.add(gluon.nn.Dense(num_hiddens, activation="relu"))
    net.add(gluon.nn.Dense(num_outputs))
    return net


def describe(name, array):
    """Print the shape, mean and standard deviation of an NDArray."""
    values, shape = array.asnumpy(), str(array.shape)
    print(
        f"{name:<7} shape {shape:<11} "
        f"mean {values.mean():+.4f} std {values.std():.4f}"
    )


def show_scratch_params():
    """Create softmax-regression parameters by hand and describe them."""
    num_inputs, num_outputs, sigma = 784, 10, 0.01
    W, b = get_params(num_inputs, num_outputs, sigma)
    describe("W", W)
    describe("b", b)
    print("grad buffers:", W.grad.shape, b.grad.shape)
    return {
        "num_inputs": num_inputs,
        "num_outputs": num_outputs,
        "sigma": sigma,
        "w_std": W.asnumpy().std().item(),
        "num_params": W.size + b.size,
    }


def show_dense_layout():
    """Dense keeps its weight as (units, in_units) and computes X W^T + b."""
    num_inputs, num_outputs = 784, 10
    W, b = get_params(num_inputs, num_outputs)
    net = gluon.nn.Dense(num_outputs, in_units=num_inputs)
    net.initialize()
    X = nd.random.normal(shape=(2, num_inputs))
    by_hand = nd.dot(X, net.weight.data().T) + net.bias.data()
    diff = nd.abs(net(X) - by_hand).max().asscalar().item()
    print("scratch W:   ", W.shape, " X W + b:  ", (nd.dot(X, W) + b).shape)
    print("Dense weight:", net.weight.shape, " X W^T + b:", by_hand.shape)
    print("max |net(X) - (X W^T + b)|:", diff)
    return {
        "scratch_shape": str(W.shape),
        "dense_shape": str(net.weight.shape),
        "max_diff": diff,
        **agreement("agree", diff),
    }


def show_deferred_init():
    """Parameter shapes before and after the first forward pass."""
    net = mlp(256, 10)
    net.initialize(init.Normal(sigma=0.01))
    print("before:", [p.shape for p in net.collect_params().values()])
    try:
        net[0].weight.data()
    except DeferredInitializationError as err:
        print("weight.data() raised", type(err).__name__)
    net(nd.ones((2, 784)))
    print("after: ", [p.shape for p in net.collect_params().values()])
    describe("weight", net[0].weight.data())
    return {"in_units": net[0].weight.shape[1]}


def initialize_twice(net, first, second):
    """Initialize net with first, then second; which parameters warned."""
    net.initialize(first)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.initialize(second)
    messages = [str(warning.message) for warning in caught]
    return [p for p in ("weight", "bias") if any(p in m for m in messages)]


def show_initialize_twice():
    """A second initialize() is ignored, except where values are pending."""
    first, second = init.Normal(sigma=0.01), init.Constant(0.5)
    layers = {
        "in_units=4": gluon.nn.Dense(3, in_units=4),
        "deferred": gluon.nn.Dense(3),
    }
    second_won = {}
    print(f"{'layer':<11} {'warned about':<20} weight from the second?")
    for name, net in layers.items():
        warned = initialize_twice(net, first, second)
        net(nd.ones((1, 4)))
        second_won[name] = bool((net.weight.data() == 0.5).min())
        print(f"{name:<11} {warned!s:<20} {second_won[name]}")
    return {
        "kept": not second_won["in_units=4"],
        "replaced": second_won["deferred"],
    }


def show_init_histogram():
    """Histogram of Dense weights under init.Uniform() and init.Normal()."""
    fig, ax = plt.subplots(figsize=(5, 3.5))
    initializers = {
        "Uniform(0.07), the default": init.Uniform(scale=0.07),
        "Normal(sigma=0.01)": init.Normal(sigma=0.01),
    }
    stats = []
    for label, initializer in initializers.items():
        net = gluon.nn.Dense(256, in_units=784)
        net.initialize(initializer)
        W = net.weight.data().asnumpy().ravel()
        ax.hist(W, bins=60, alpha=0.6, label=label)
        stats.append(W.std().item())
    ax.set(xlabel="weight value", ylabel="count")
    ax.margins(y=0.3)
    ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    return {"uniform_std": stats[0], "normal_std": stats[1]}


def xavier_bound(fan_in, fan_out):
    """Bound a of init.Xavier()'s U(-a, a): sqrt(6 / (fan_in + fan_out))."""
    return math.sqrt(6 / (fan_in + fan_out))


def layer_stds(initializer, num_layers, width):
    """Std of the outputs of each layer of a deep stack of Dense layers."""
    X = nd.random.normal(shape=(1000, width))
    stds = []
    for _ in range(num_layers):
        layer = gluon.nn.Dense(width, in_units=width)
        layer.initialize(initializer)
        X = layer(X)
        stds.append(X.asnumpy().std().item())
    return stds


def show_xavier():
    """Output std through 8 linear layers of width 256, per initializer."""
    num_layers, width = 8, 256
    initializers = {
        "normal": init.Normal(sigma=0.01),
        "uniform": init.Uniform(scale=0.07),  # the default
        "xavier": init.Xavier(),
    }
    fig, ax = plt.subplots(figsize=(5, 3.5))
    last = {}
    for name, initializer in initializers.items():
        stds = layer_stds(initializer, num_layers, width)
        ax.plot(range(1, num_layers + 1), stds, marker="o", label=name)
        last[name] = stds[-1]
        print(f"{name:<8} std after layer {num_layers}: {stds[-1]:.2e}")
    ax.set(xlabel="layer", ylabel="std of the output", yscale="log")
    ax.legend()
    fig.tight_layout()
    return {"num_layers": num_layers, "width": width, **last}


def show_xavier_bound():
    """Xavier's bound for Dense(10, in_units=784) against its weights."""
    net = gluon.nn.Dense(10, in_units=784)
    net.initialize(init.Xavier())
    fan_out, fan_in = net.weight.shape
    bound = xavier_bound(fan_in, fan_out)
    largest = net.weight.data().abs().max().asscalar().item()
    print(f"fan_in {fan_in}, fan_out {fan_out}: bound {bound:.4f}")
    print(f"largest |weight| drawn: {largest:.4f}")
    return {"bound": bound, "largest": largest}


def show_constant_init():
    """An MLP started from equal weights keeps its hidden units equal."""
    net = mlp(4, 1)
    net.initialize(init.Constant(0.1))
    X, y = nd.random.normal(shape=(8, 5)), nd.random.normal(shape=(8,))
    loss, params = gluon.loss.L2Loss(), list(net.collect_params().values())
    for _ in range(5):
        with autograd.record():
            batch_loss = loss(net(X), y)
        batch_loss.backward()
        for param in params:
            param.set_data(param.data() - 0.1 * param.grad() / X.shape[0])
    weight = net[0].weight.data().asnumpy()
    print("first layer's weight after 5 steps:\n", weight)
    return {"rows_equal": bool((weight == weight[0]).all())}
