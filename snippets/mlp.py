"""Multilayer perceptron on Fashion-MNIST: from scratch and with Gluon."""

import functools
import math

import numpy as np
from mxnet import gluon, init, nd

from snippets.activations import relu
from snippets.fashion_mnist import read_fashion_mnist
from snippets.initialization import mlp
from snippets.optim import sgd
from snippets.phrases import comparison
from snippets.training import (
    plot_history,
    print_history,
    train_classifier,
    train_softmax_gluon,
)

# d2l-zh v1 (MXNet), mlp-gluon: the same MLP, trained for 5 epochs
D2L_MLP_EPOCHS = 5


class ArrayLoader:
    """Minibatches of arrays held in memory, reshuffled on every pass.

    If given, `transform` turns each minibatch of X into the network's
    input in one call, so X can stay compact (uint8 images).
    """

    def __init__(self, X, y, batch_size, shuffle=True, transform=None):
        self.X, self.y = X, y
        self.batch_size, self.shuffle = batch_size, shuffle
        self.transform = transform

    def __len__(self):
        """The number of minibatches in one pass."""
        return math.ceil(len(self.X) / self.batch_size)

    def take(self, indices):
        """The examples at indices (an NDArray), transformed: (X, y)."""
        X = self.X.take(indices)
        if self.transform is not None:
            X = self.transform(X)
        return X, self.y.take(indices)

    def __iter__(self):
        """Yield (X, y) minibatches; the last one may be smaller."""
        n = len(self.X)
        order = np.random.permutation(n) if self.shuffle else np.arange(n)
        indices = nd.array(order)
        for i in range(0, n, self.batch_size):
            yield self.take(indices[i : i + self.batch_size])


def load_data_fashion_mnist_nchw(batch_size):
    """Both splits kept as uint8 images; minibatches of (N, 1, 28, 28)
    float32 values, each made by ToTensor in one call."""
    to_tensor = gluon.data.vision.transforms.ToTensor()
    iters = []
    for train in (True, False):
        X, y = read_fashion_mnist(train)
        iters.append(ArrayLoader(X, y, batch_size, train, to_tensor))
    return tuple(iters)


def xavier_uniform(fan_in, fan_out):
    """A (fan_in, fan_out) weight from U(-a, a), a = sqrt(6/(in + out))."""
    a = math.sqrt(6 / (fan_in + fan_out))
    return nd.random.uniform(-a, a, shape=(fan_in, fan_out))


def get_mlp_params(num_inputs, num_hiddens, num_outputs):
    """Xavier weights and zero biases of a one-hidden-layer perceptron."""
    W1 = xavier_uniform(num_inputs, num_hiddens)
    W2 = xavier_uniform(num_hiddens, num_outputs)
    params = [W1, nd.zeros(num_hiddens), W2, nd.zeros(num_outputs)]
    for param in params:
        param.attach_grad()
    return params


def mlp_scratch(X, params):
    """Scores relu(X W1 + b1) W2 + b2, each image flattened first."""
    W1, b1, W2, b2 = params
    H = relu(nd.dot(X.reshape((-1, W1.shape[0])), W1) + b1)
    return nd.dot(H, W2) + b2


def train_mlp_scratch(train_iter, test_iter, num_epochs, lr, num_hiddens):
    """The scratch MLP with Gluon's stable loss and our own sgd."""
    params = get_mlp_params(784, num_hiddens, 10)
    net = functools.partial(mlp_scratch, params=params)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    updater = functools.partial(sgd, params, lr)
    return train_classifier(
        net, train_iter, test_iter, loss, updater, num_epochs=num_epochs
    )


def train_mlp_gluon(train_iter, test_iter, num_epochs, lr, num_hiddens):
    """nn.Sequential: Dense(relu) then Dense(10), Xavier, Trainer('sgd')."""
    net = mlp(num_hiddens, num_outputs=10)
    net.initialize(init.Xavier())
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr})
    return train_classifier(
        net, train_iter, test_iter, loss, trainer.step, num_epochs=num_epochs
    )


def show_xavier():
    """Our U(-a, a) against init.Xavier() on a Dense(256) with 784 inputs."""
    ours = xavier_uniform(784, 256)
    layer = gluon.nn.Dense(256, in_units=784)
    layer.initialize(init.Xavier())
    theirs = layer.weight.data()
    bound = math.sqrt(6 / (784 + 256))
    for name, W in (("xavier_uniform", ours), ("init.Xavier()", theirs)):
        values = W.asnumpy()
        print(
            f"{name:<14} shape {W.shape!s:<11} max |w| {abs(values).max():.4f}"
            f"  std {values.std():.4f}"
        )
    print(
        f"a = sqrt(6 / (784 + 256)) = {bound:.4f}, a / sqrt(3) = "
        f"{bound / math.sqrt(3):.4f}"
    )
    return {"bound": bound, "std": bound / math.sqrt(3)}


def show_mlp_scratch():
    """The scratch MLP, 256 hidden units, 5 epochs on all Fashion-MNIST."""
    num_epochs, lr, batch_size, num_hiddens = 5, 0.5, 256, 256
    train_iter, test_iter = load_data_fashion_mnist_nchw(batch_size)
    history = train_mlp_scratch(
        train_iter, test_iter, num_epochs, lr, num_hiddens
    )
    print_history(history)
    return {
        "num_epochs": num_epochs,
        "lr": lr,
        "batch_size": batch_size,
        "num_hiddens": num_hiddens,
        "train_acc": history["train_acc"][-1],
        "test_acc": history["test_acc"][-1],
    }


def show_mlp_vs_softmax():
    """Gluon MLP against softmax regression, same data, 10 epochs each."""
    num_epochs, batch_size, num_hiddens = 10, 256, 256
    mlp_lr, softmax_lr = 0.5, 0.1
    train_iter, test_iter = load_data_fashion_mnist_nchw(batch_size)
    mlp_history = train_mlp_gluon(
        train_iter, test_iter, num_epochs, mlp_lr, num_hiddens
    )
    softmax_history = train_softmax_gluon(
        train_iter, test_iter, num_epochs, softmax_lr
    )
    history = {
        "mlp train": mlp_history["train_acc"],
        "mlp test": mlp_history["test_acc"],
        "softmax train": softmax_history["train_acc"],
        "softmax test": softmax_history["test_acc"],
    }
    print_history(history)
    plot_history(history, ylabel="accuracy")
    return mlp_summary(mlp_history, softmax_history, mlp_lr, softmax_lr)


def mlp_summary(mlp_history, softmax_history, mlp_lr, softmax_lr):
    """The numbers the MLP page quotes, and how the two models compare."""
    mlp_test, softmax_test = (
        mlp_history["test_acc"],
        softmax_history["test_acc"],
    )
    mlp_train = mlp_history["train_acc"]
    softmax_train = softmax_history["train_acc"]
    return {
        "num_epochs": len(mlp_test),
        "mlp_lr": mlp_lr,
        "softmax_lr": softmax_lr,
        "mlp_train_acc": mlp_train[-1],
        "softmax_train_acc": softmax_train[-1],
        "mlp_test_acc": mlp_test[-1],
        "mlp_best_test_acc": max(mlp_test),
        "softmax_test_acc": softmax_test[-1],
        "d2l_epochs": D2L_MLP_EPOCHS,
        "mlp_test_acc_d2l": mlp_test[D2L_MLP_EPOCHS - 1],
        **comparison("test", mlp_test[-1], softmax_test[-1]),
        **comparison("train", mlp_train[-1], softmax_train[-1]),
    }


def param_count(net):
    """The number of scalar parameters of a Gluon net."""
    return sum(param.data().size for param in net.collect_params().values())


def show_param_counts():
    """Parameters of softmax regression and of the MLP, for 784 inputs."""
    nets = {"softmax": gluon.nn.Dense(10), "mlp": mlp(256, num_outputs=10)}
    counts = {}
    for name, net in nets.items():
        net.initialize()
        net(nd.zeros((1, 784)))  # deferred initialization needs the input
        counts[name] = param_count(net)
        print(f"{name:<8} {counts[name]:>7} parameters")
    return counts


def show_mlp_without_relu():
    """Two Dense layers without an activation: one affine map in disguise."""
    net = gluon.nn.Sequential()
    net.add(gluon.nn.Dense(256), gluon.nn.Dense(10))
    net.initialize()
    X = nd.random.uniform(shape=(4, 784))
    y_hat = net(X)
    W1, b1 = net[0].weight.data(), net[0].bias.data()
    W2, b2 = net[1].weight.data(), net[1].bias.data()
    W, b = nd.dot(W2, W1), nd.dot(W2, b1) + b2  # Dense computes X W^T + b
    diff = nd.abs(nd.dot(X, W.T) + b - y_hat).max().asscalar().item()
    print("one Dense(10) with W = W2 W1:", W.shape, b.shape)
    print("max |two layers - one layer|:", f"{diff:.1e}")
    return {"max_diff": diff}
