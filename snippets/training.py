"""Training loops from scratch and with Gluon: linear, softmax regression."""

import functools

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
from mxnet import autograd, gluon, init, nd

from snippets.activations import softmax
from snippets.batches import data_iter, load_array
from snippets.fashion_mnist import load_data_fashion_mnist
from snippets.initialization import get_params
from snippets.losses import cross_entropy, squared_loss, stable_cross_entropy
from snippets.metrics import evaluate_accuracy
from snippets.optim import sgd
from snippets.phrases import agreement


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


def train_linreg_scratch(features, labels, num_epochs, lr, batch_size):
    """Fit linreg by minibatch SGD with the loops written out; return w, b."""
    w, b = get_params(features.shape[1], 1)
    for _ in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            with autograd.record():
                loss = squared_loss(linreg(X, w, b), y)
            loss.backward()
            sgd([w, b], lr, X.shape[0])
    return w, b


def train_linreg_gluon(features, labels, num_epochs, lr, batch_size):
    """Fit Dense(1) with Gluon, the loops written out; return w, b."""
    net = gluon.nn.Dense(1)
    net.initialize(init.Normal(sigma=0.01))
    loss = gluon.loss.L2Loss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr})
    for _ in range(num_epochs):
        for X, y in load_array(features, labels, batch_size):
            with autograd.record():
                batch_loss = loss(net(X), y)
            batch_loss.backward()
            trainer.step(X.shape[0])
    return net.weight.data(), net.bias.data()


def train_linreg_updater(features, labels, num_epochs, lr, batch_size):
    """The scratch fit again, now with train_epoch and an updater."""
    w, b = get_params(features.shape[1], 1)
    net = functools.partial(linreg, w=w, b=b)
    updater = functools.partial(sgd, [w, b], lr)
    for _ in range(num_epochs):
        batches = data_iter(batch_size, features, labels)
        train_epoch(net, batches, squared_loss, updater)
    return w, b


def mean_loss(net, loss, X, y):
    """Mean of loss over all of X and y, as a Python float."""
    return loss(net(X), y).mean().asscalar().item()


def record_losses(history, net, loss, train, test):
    """Append the mean loss on train and on test, both (X, y), to history."""
    history["train_loss"].append(mean_loss(net, loss, *train))
    history["test_loss"].append(mean_loss(net, loss, *test))


def train_linear_regression(train, test, *, num_epochs, lr, batch_size):
    """Fit Dense(1) with Gluon; return w, b and the losses of each epoch."""
    net = gluon.nn.Dense(1)
    net.initialize(init.Normal(sigma=0.01))
    loss = gluon.loss.L2Loss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr})
    train_iter = load_array(*train, batch_size)
    history = {"train_loss": [], "test_loss": []}
    for _ in range(num_epochs):
        train_epoch(net, train_iter, loss, trainer.step)
        record_losses(history, net, loss, train, test)
    return net.weight.data(), net.bias.data(), history


def softmax_scores(X, W, b):
    """Class scores (logits) XW + b, each image flattened first."""
    return nd.dot(X.reshape((-1, W.shape[0])), W) + b


def softmax_regression(X, W, b):
    """Class probabilities softmax(XW + b), each image flattened first."""
    return softmax(softmax_scores(X, W, b))


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


def legend_label(name):
    """A history key in words: 'train_acc' -> 'training accuracy'."""
    words = {"train": "training", "acc": "accuracy"}
    return " ".join(words.get(word, word) for word in name.split("_"))


def plot_history(history, ylabel, yscale="linear"):
    """Plot each list of history against the epoch number."""
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for name, values in history.items():
        label = legend_label(name)
        ax.plot(range(1, len(values) + 1), values, marker="o", label=label)
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


def show_two_loops():
    """Both loops, written out, fit the same synthetic data."""
    true_w, true_b, num_examples = [2.0, -3.4], 4.2, 1000
    num_epochs, lr, batch_size = 3, 0.03, 10
    features, labels = synthetic_data(nd.array(true_w), true_b, num_examples)
    result = {"num_examples": num_examples, "num_epochs": num_epochs}
    result |= {"lr": lr, "batch_size": batch_size}
    for name, train in (
        ("scratch", train_linreg_scratch),
        ("gluon", train_linreg_gluon),
    ):
        print(f"{name}:")
        w, b = train(features, labels, num_epochs, lr, batch_size)
        learned = compare_params(w, b, true_w, true_b)
        result |= {f"{name}_{key}": value for key, value in learned.items()}
    return result


def show_linear_regression():
    """Gluon linear regression with train and test loss after each epoch."""
    true_w, true_b, noise = [2.0, -3.4], 4.2, 0.01
    num_train, num_test, num_epochs, lr, batch_size = 1000, 100, 5, 0.03, 10
    train = synthetic_data(nd.array(true_w), true_b, num_train, noise)
    test = synthetic_data(nd.array(true_w), true_b, num_test, noise)
    w, b, history = train_linear_regression(
        train, test, num_epochs=num_epochs, lr=lr, batch_size=batch_size
    )
    print_history(history)
    ax = plot_history(history, ylabel="L2Loss", yscale="log").axes[0]
    ax.axhline(noise**2 / 2, color="gray", linestyle="--", label="noise level")
    ax.legend()
    result = compare_params(w, b, true_w, true_b)
    return {
        **result,
        "train_loss": history["train_loss"][-1],
        "test_loss": history["test_loss"][-1],
        "num_train": num_train,
        "num_test": num_test,
        "num_epochs": num_epochs,
    }


def report_accuracy(history, **hyper):
    """Print and plot accuracy per epoch; return the last ones and hyper."""
    print_history(history)
    plot_history(history, ylabel="accuracy")
    last = {name: values[-1] for name, values in history.items()}
    return {**hyper, **last, "gap": last["train_acc"] - last["test_acc"]}


def show_softmax_regression_scratch():
    """Softmax regression from scratch on all of Fashion-MNIST."""
    num_epochs, lr, batch_size = 10, 0.1, 256
    train_iter, test_iter = load_data_fashion_mnist(batch_size)
    history = train_softmax_scratch(train_iter, test_iter, num_epochs, lr)
    return report_accuracy(
        history, num_epochs=num_epochs, lr=lr, batch_size=batch_size
    )


def show_softmax_regression():
    """Softmax regression with Gluon on all of Fashion-MNIST."""
    num_epochs, lr, batch_size = 10, 0.1, 256
    train_iter, test_iter = load_data_fashion_mnist(batch_size)
    history = train_softmax_gluon(train_iter, test_iter, num_epochs, lr)
    return report_accuracy(
        history, num_epochs=num_epochs, lr=lr, batch_size=batch_size
    )


def dense_twin(w, b):
    """A Dense(1) layer holding the scratch parameters w (n, 1) and b."""
    net = gluon.nn.Dense(1, in_units=w.shape[0])
    net.initialize()
    net.weight.set_data(w.T)
    net.bias.set_data(b)
    return net


def show_matching_lr():
    """Scratch at lr and Gluon at 2 lr on the same batches: same weights."""
    features, labels = synthetic_data(nd.array([2.0, -3.4]), 4.2, 100)
    batches = list(load_array(features, labels, 10, shuffle=False))
    lr, (w, b) = 0.03, get_params(2, 1)
    net, scratch_net = dense_twin(w, b), functools.partial(linreg, w=w, b=b)
    updater = functools.partial(sgd, [w, b], lr)
    train_epoch(scratch_net, batches, squared_loss, updater)
    hyper = {"learning_rate": 2 * lr}
    trainer = gluon.Trainer(net.collect_params(), "sgd", hyper)
    train_epoch(net, batches, gluon.loss.L2Loss(), trainer.step)
    diff = nd.abs(net.weight.data().T - w).max().asscalar().item()
    print(f"scratch lr {lr}, Gluon lr {2 * lr}: max |w difference| {diff:.1e}")
    return {"lr": lr, "max_diff": diff, **agreement("agree", diff)}


def show_softmax_on_logits():
    """Scratch softmax regression on logits with stable_cross_entropy."""
    num_epochs, lr, batch_size = 2, 0.1, 256
    train_iter, test_iter = load_data_fashion_mnist(batch_size)
    W, b = get_params(num_inputs=784, num_outputs=10)
    net = functools.partial(softmax_scores, W=W, b=b)
    updater = functools.partial(sgd, [W, b], lr)
    logits = train_classifier(
        net, train_iter, test_iter, stable_cross_entropy, updater,
        num_epochs=num_epochs,
    )  # fmt: skip
    probabilities = train_softmax_scratch(
        train_iter, test_iter, num_epochs, lr
    )
    print("test accuracy, softmax then log:", probabilities["test_acc"])
    print("test accuracy, on logits:       ", logits["test_acc"])
    return {"probabilities": probabilities["test_acc"][-1],
            "logits": logits["test_acc"][-1]}  # fmt: skip
