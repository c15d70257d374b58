"""Training loops from scratch and with Gluon: linear, softmax regression."""

import functools

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
from mxnet import autograd, gluon, init, nd

from snippets.activations import softmax
from snippets.batches import data_iter, load_array
from snippets.fashion_mnist import load_data_fashion_mnist
from snippets.initialization import get_params
from snippets.losses import cross_entropy, squared_loss
from snippets.metrics import evaluate_accuracy
from snippets.optim import sgd


def train_epoch(net, train_iter, loss, updater):
    """One pass over train_iter; updater(batch_size) updates the params."""
    for X, y in train_iter:
        with autograd.record():
            batch_loss = loss(net(X), y)
        batch_loss.backward()
        updater(X.shape[0])


def synthetic_data(w, b, num_examples, noise=0.01):
    """X ~ N(0, 1) and y = Xw + b plus Gaussian noise of std noise."""
    X = nd.random.normal(shape=(num_examples, len(w)))
    y = nd.dot(X, w) + b
    y += nd.random.normal(scale=noise, shape=y.shape)
    return X, y


def linreg(X, w, b):
    """The linear regression model Xw + b."""
    return nd.dot(X, w) + b


def train_linreg_scratch(X, y, num_epochs, lr, batch_size):
    """Fit linreg to (X, y) by minibatch SGD from scratch; return w, b."""
    w, b = get_params(X.shape[1], 1)
    net = functools.partial(linreg, w=w, b=b)
    updater = functools.partial(sgd, [w, b], lr)
    for _ in range(num_epochs):
        train_epoch(net, data_iter(batch_size, X, y), squared_loss, updater)
    return w, b


def mean_loss(net, loss, X, y):
    """Mean of loss over all of X and y, as a Python float."""
    return loss(net(X), y).mean().asscalar().item()


def train_linear_regression(
    X_train, y_train, X_test, y_test, *, num_epochs, lr, batch_size
):
    """Fit Dense(1) with Gluon; return w, b and the loss after each epoch."""
    net = gluon.nn.Dense(1)
    net.initialize(init.Normal(sigma=0.01))
    loss = gluon.loss.L2Loss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr})
    train_iter = load_array(X_train, y_train, batch_size)
    history = {"train_loss": [], "test_loss": []}
    for _ in range(num_epochs):
        train_epoch(net, train_iter, loss, trainer.step)
        history["train_loss"].append(mean_loss(net, loss, X_train, y_train))
        history["test_loss"].append(mean_loss(net, loss, X_test, y_test))
    return net.weight.data(), net.bias.data(), history


def softmax_regression(X, W, b):
    """Class probabilities softmax(XW + b), each image flattened first."""
    return softmax(nd.dot(X.reshape((-1, W.shape[0])), W) + b)


def train_classifier(net, train_iter, test_iter, loss, updater, *, num_epochs):
    """Train net; return train and test accuracy after each epoch."""
    history = {"train_acc": [], "test_acc": []}
    for _ in range(num_epochs):
        train_epoch(net, train_iter, loss, updater)
        history["train_acc"].append(evaluate_accuracy(train_iter, net))
        history["test_acc"].append(evaluate_accuracy(test_iter, net))
    return history


def train_softmax_scratch(train_iter, test_iter, num_epochs, lr):
    """Softmax regression from scratch: own parameters, loss and sgd."""
    W, b = get_params(num_inputs=784, num_outputs=10)
    net = functools.partial(softmax_regression, W=W, b=b)
    loss, updater = cross_entropy, functools.partial(sgd, [W, b], lr)
    return train_classifier(
        net, train_iter, test_iter, loss, updater, num_epochs=num_epochs
    )


def train_softmax_gluon(train_iter, test_iter, num_epochs, lr):
    """Softmax regression with Gluon: Dense(10), a fused loss, Trainer."""
    net = gluon.nn.Dense(10)
    net.initialize(init.Normal(sigma=0.01))
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr})
    return train_classifier(
        net, train_iter, test_iter, loss, trainer.step, num_epochs=num_epochs
    )


def print_history(history):
    """Print a table with one row per epoch and one column per list."""
    print("epoch", *(f"{name:>10}" for name in history))
    for epoch, values in enumerate(zip(*history.values(), strict=True), 1):
        print(f"{epoch:5d}", *(f"{value:10.4g}" for value in values))


def plot_history(history, ylabel, yscale="linear"):
    """Plot each list of history against the epoch number."""
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for name, values in history.items():
        ax.plot(range(1, len(values) + 1), values, marker="o", label=name)
    ax.set(xlabel="epoch", ylabel=ylabel, yscale=yscale)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()
    fig.tight_layout()
    return fig


def compare_params(w, b, true_w, true_b):
    """Print learned next to true parameters; return both as floats."""
    learned = [*w.asnumpy().ravel().tolist(), b.asscalar().item()]
    names = [f"w{i}" for i in range(len(true_w))] + ["b"]
    truths, result = [*true_w, true_b], {}
    for name, value, true in zip(names, learned, truths, strict=True):
        print(f"{name:<2} learned {value:8.4f}, true {true:5.1f}")
        result |= {name: value, f"true_{name}": true}
    return result


def show_linear_regression_scratch():
    """Recover w = [2, -3.4] and b = 4.2 from 1000 noisy examples."""
    true_w, true_b = [2.0, -3.4], 4.2
    X, y = synthetic_data(nd.array(true_w), true_b, 1000)
    w, b = train_linreg_scratch(X, y, num_epochs=3, lr=0.03, batch_size=10)
    return compare_params(w, b, true_w, true_b)


def show_linear_regression():
    """Gluon linear regression with train and test loss after each epoch."""
    true_w, true_b, noise = [2.0, -3.4], 4.2, 0.01
    X_train, y_train = synthetic_data(nd.array(true_w), true_b, 1000, noise)
    X_test, y_test = synthetic_data(nd.array(true_w), true_b, 100, noise)
    w, b, history = train_linear_regression(
        X_train, y_train, X_test, y_test, num_epochs=5, lr=0.03, batch_size=10
    )
    print_history(history)
    ax = plot_history(history, ylabel="L2Loss", yscale="log").axes[0]
    ax.axhline(noise**2 / 2, color="gray", linestyle="--", label="noise^2/2")
    ax.legend()
    result = compare_params(w, b, true_w, true_b)
    return {**result, "test_loss": history["test_loss"][-1]}


def show_softmax_regression():
    """Softmax regression with Gluon on all of Fashion-MNIST, 10 epochs."""
    num_epochs, lr, batch_size = 10, 0.1, 256
    train_iter, test_iter = load_data_fashion_mnist(batch_size)
    history = train_softmax_gluon(train_iter, test_iter, num_epochs, lr)
    print_history(history)
    plot_history(history, ylabel="accuracy")
    return {
        "train_acc": history["train_acc"][-1],
        "test_acc": history["test_acc"][-1],
        "num_epochs": num_epochs,
    }
