"""Initializing parameters: by hand, and with net.initialize()."""

import matplotlib.pyplot as plt
from mxnet import gluon, init, nd
from mxnet.gluon.parameter import DeferredInitializationError


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
    W, b = get_params(784, 10)
    describe("W", W)
    describe("b", b)
    print("grad buffers:", W.grad.shape, b.grad.shape)
    return {"w_std": W.asnumpy().std().item(), "num_params": W.size + b.size}


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
