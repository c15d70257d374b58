"""Overfitting and weight decay: few examples, many features."""

import functools

import matplotlib.pyplot as plt
import numpy as np
from mxnet import autograd, gluon, init, nd

from snippets.batches import data_iter, load_array
from snippets.initialization import get_params
from snippets.losses import squared_loss
from snippets.optim import l2_penalty, sgd
from snippets.phrases import comparison
from snippets.training import (
    legend_label,
    linreg,
    record_losses,
    synthetic_data,
    train_epoch,
)


def high_dim_data(num_train, num_test, num_inputs):
    """y = 0.05 + 0.01 * sum(x) + noise: training and test (X, y), true w."""
    true_w, true_b = nd.ones(num_inputs) * 0.01, 0.05
    X, y = synthetic_data(true_w, true_b, num_train + num_test)
    train = (X[:num_train], y[:num_train])
    return train, (X[num_train:], y[num_train:]), true_w


def half_squared_loss(y_hat, y):
    """Half the squared error, the value gluon.loss.L2Loss computes."""
    return squared_loss(y_hat, y) / 2


def penalized(loss, w, lambd):
    """The loss function loss(y_hat, y) + lambd * ||w||^2 / 2."""

    def penalized_loss(y_hat, y):
        return loss(y_hat, y) + lambd * l2_penalty([w])

    return penalized_loss


def train_scratch(train, test, lambd, *, num_epochs, lr, batch_size, sigma=1):
    """Linreg on loss + lambd * ||w||^2 / 2; the losses per epoch and w."""
    w, b = get_params(train[0].shape[1], 1, sigma=sigma)
    net = functools.partial(linreg, w=w, b=b)
    loss = penalized(half_squared_loss, w, lambd)
    updater = functools.partial(sgd, [w, b], lr)
    history = {"train_loss": [], "test_loss": []}
    for _ in range(num_epochs):
        train_epoch(net, data_iter(batch_size, *train), loss, updater)
        record_losses(history, net, half_squared_loss, train, test)
    return history, w


def train_gluon(train, test, wd, *, num_epochs, lr, batch_size):
    """Dense(1) trained with Trainer's wd, the bias left out of the decay."""
    net = gluon.nn.Dense(1)
    net.initialize(init.Normal(sigma=1))
    net.collect_params(".*bias").setattr("wd_mult", 0)
    hyper = {"learning_rate": lr, "wd": wd}
    trainer = gluon.Trainer(net.collect_params(), "sgd", hyper)
    loss, train_iter = gluon.loss.L2Loss(), load_array(*train, batch_size)
    history = {"train_loss": [], "test_loss": []}
    for _ in range(num_epochs):
        train_epoch(net, train_iter, loss, trainer.step)
        record_losses(history, net, loss, train, test)
    return history, net.weight.data()


def constant_test_loss(train, test):
    """Test loss of predicting every y by the mean training y (b alone)."""
    y_hat = nd.ones((test[1].shape[0], 1)) * train[1].mean()
    return half_squared_loss(y_hat, test[1]).mean().asscalar().item()


def null_space_part(X, w):
    """The part of w orthogonal to every row of X, and its dimension."""
    _, s, Vt = np.linalg.svd(X.asnumpy().astype(np.float64))
    null = Vt[(s > 1e-8 * s[0]).sum() :]
    return null.T @ (null @ w.asnumpy().ravel()), null.shape[0]


def plot_losses(ax, history, title, constant):
    """Training and test loss per epoch on a log scale, in one panel."""
    for name, values in history.items():
        ax.plot(range(1, len(values) + 1), values, label=legend_label(name))
    ax.axhline(constant, color="gray", linestyle="--", label="constant")
    ax.set(title=title, xlabel="epoch", ylabel="loss", yscale="log")
    ax.legend()


def experiment():
    """d2l's setting: 20 examples, 200 features; data and hyperparameters."""
    num_train, num_test, num_inputs = 20, 100, 200
    hyper = {"num_epochs": 100, "lr": 0.003, "batch_size": 1}
    train, test, true_w = high_dim_data(num_train, num_test, num_inputs)
    true_norm = nd.norm(true_w).asscalar().item()
    print(f"{num_train} examples, {num_inputs} features; true ||w||", end="")
    print(f" = {true_norm:.4f}")
    settings = {"num_train": num_train, "num_test": num_test}
    settings |= {"num_inputs": num_inputs, "true_norm": true_norm}
    settings["constant_loss"] = constant_test_loss(train, test)
    settings["null_dim"] = null_space_part(train[0], true_w)[1]
    return train, test, hyper, {**settings, **hyper}


def summarize(strength, history, w, result):
    """Print and return the final losses and ||w|| of one strength."""
    train_loss, test_loss = history["train_loss"][-1], history["test_loss"][-1]
    norm = nd.norm(w).asscalar().item()
    print(f"{strength:>5} {train_loss:10.2e} {test_loss:10.2e} {norm:7.4f}")
    vs_constant = comparison(
        f"vs_constant_{strength}", test_loss, result["constant_loss"]
    )
    return {
        f"train_loss_{strength}": train_loss,
        f"test_loss_{strength}": test_loss,
        f"norm_{strength}": norm,
        f"norm_ratio_{strength}": norm / result["true_norm"],
        **vs_constant,
    }


def compare_decay(fit, strengths):
    """Fit with each decay strength on the same data; plot and summarize."""
    train, test, hyper, result = experiment()
    width = 3 * len(strengths) + 2
    _, axes = plt.subplots(
        1, len(strengths), figsize=(width, 3.5), sharey=True
    )
    print("constant prediction (mean training y): test loss", end=" ")
    print(f"{result['constant_loss']:.2e}")
    print(f"{'decay':>5} {'train loss':>10} {'test loss':>10} {'||w||':>7}")
    for i, (ax, strength) in enumerate(zip(axes, strengths, strict=True)):
        history, w = fit(train, test, strength, **hyper)
        plot_losses(ax, history, f"decay {strength}", result["constant_loss"])
        null_part, _ = null_space_part(train[0], w)
        result |= {f"strength_{i}": strength}
        result |= {f"null_norm_{strength}": float(np.linalg.norm(null_part))}
        result |= summarize(strength, history, w, result)
    return result


def show_weight_decay_scratch():
    """From scratch: no penalty, then lambd = 3, on 20 examples."""
    return compare_decay(train_scratch, strengths=(0, 3))


def show_weight_decay_gluon():
    """With Gluon: wd = 0, then wd = 3, the bias excluded by wd_mult."""
    return compare_decay(train_gluon, strengths=(0, 3))


def show_bias_not_decayed():
    """One step with zero gradient: w shrinks by 1 - lr * wd, b stays."""
    net = gluon.nn.Dense(1, in_units=2)
    net.initialize(init.One())
    net.bias.set_data(nd.ones(1))
    net.collect_params(".*bias").setattr("wd_mult", 0)
    hyper = {"learning_rate": 0.1, "wd": 0.5}
    trainer = gluon.Trainer(net.collect_params(), "sgd", hyper)
    with autograd.record():
        loss = 0 * net(nd.ones((1, 2)))
    loss.backward()
    trainer.step(1)
    factor = 1 - hyper["learning_rate"] * hyper["wd"]
    print("weight:", net.weight.data().asnumpy(), " 1 - lr * wd =", factor)
    print("bias:  ", net.bias.data().asnumpy())
    return {"weight": net.weight.data()[0, 0].asscalar().item(),
            "bias": net.bias.data().asscalar().item()}  # fmt: skip


def show_small_init():
    """No penalty, but the weights start from N(0, 0.01^2), not N(0, 1)."""
    train, test, hyper, result = experiment()
    history, w = train_scratch(train, test, 0, sigma=0.01, **hyper)
    null_part, _ = null_space_part(train[0], w)
    test_loss = history["test_loss"][-1]
    print(f"sigma 0.01, no decay: test loss {test_loss:.2e}")
    print(f"||w|| {nd.norm(w).asscalar():.4f}, null-space part", end=" ")
    print(f"{np.linalg.norm(null_part):.4f}")
    return {
        "test_loss": test_loss,
        "null_norm": float(np.linalg.norm(null_part)),
        "constant_loss": result["constant_loss"],
        **comparison("vs_constant", test_loss, result["constant_loss"]),
    }


def show_decay_sweep():
    """From scratch with two more decay strengths, 1 and 10."""
    return compare_decay(train_scratch, strengths=(1, 10))
