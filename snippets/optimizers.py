"""Adam from scratch next to Trainer('adam'); learning-rate schedules."""

import math

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
from matplotlib.ticker import MaxNLocator
from mxnet import gluon, init, nd

from snippets.context import fashion_iters
from snippets.exercises import running_loss_epoch
from snippets.initialization import mlp
from snippets.metrics import evaluate_accuracy
from snippets.optim import (
    backward_l2,
    copy_grads,
    linear_net,
    max_abs_diff,
    scratch_copy,
)
from snippets.phrases import agreement, comparison


def adam_states(params):
    """Zero first and second moments, one pair per parameter."""
    return [(nd.zeros_like(param), nd.zeros_like(param)) for param in params]


def adam(params, states, lr, t, batch_size, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam's step t (t = 1, 2, ...) in place, with bias correction."""
    for param, (v, s) in zip(params, states, strict=True):
        g = param.grad / batch_size
        v[:] = beta1 * v + (1 - beta1) * g
        s[:] = beta2 * s + (1 - beta2) * g**2
        v_hat = v / (1 - beta1**t)
        s_hat = s / (1 - beta2**t)
        param[:] = param - lr * v_hat / (nd.sqrt(s_hat) + eps)


def adam_folded(params, states, lr, t, batch_size, beta1=0.9, beta2=0.999):
    """Adam's step t as MXNet computes it: the bias correction folded into
    the step size, the betas in float32 like the arrays, eps after."""
    lr_t = lr * (math.sqrt(1 - beta2**t) / (1 - beta1**t))
    beta1, beta2 = np.float32(beta1), np.float32(beta2)
    for param, (v, s) in zip(params, states, strict=True):
        g = param.grad / batch_size
        v[:] = beta1 * v + (1 - beta1) * g
        s[:] = beta2 * s + (1 - beta2) * g**2
        param[:] = param - lr_t * v / (nd.sqrt(s) + 1e-8)


def show_adam():
    """Five Trainer('adam') steps next to adam and adam_folded."""
    X, y = nd.random.normal(shape=(8, 3)), nd.arange(8)
    net, lr, batch_size = linear_net(3), 0.1, X.shape[0]
    hyper = {"learning_rate": lr}
    trainer = gluon.Trainer(net.collect_params(), "adam", hyper)
    textbook, folded = scratch_copy(net), scratch_copy(net)
    states = adam_states(textbook), adam_states(folded)
    for t in range(1, 6):
        backward_l2(net, X, y)
        copy_grads(net, textbook)
        copy_grads(net, folded)
        trainer.step(batch_size)
        adam(textbook, states[0], lr, t, batch_size)
        adam_folded(folded, states[1], lr, t, batch_size)
        diff = max_abs_diff(net, textbook)
        folded_diff = max_abs_diff(net, folded)
        print(f"step {t}: max |Trainer - adam| = {diff:.1e},", end=" ")
        print(f"max |Trainer - adam_folded| = {folded_diff:.1e}")
    return {
        "lr": lr,
        "diff": diff,
        "folded_diff": folded_diff,
        **agreement("folded", folded_diff),
        "beta2_float32": float(np.float32(0.999)),
        "one_minus_beta2": float(1 - np.float32(0.999)),
    }


def show_first_step():
    """Adam's first step: every weight moves by lr, whatever its gradient."""
    X, y = nd.random.normal(shape=(8, 3)), nd.arange(8)
    net, lr = linear_net(3), 0.1
    backward_l2(net, X, y)
    before, grad = net.weight.data().copy(), net.weight.grad().copy()
    hyper = {"learning_rate": lr}
    gluon.Trainer(net.collect_params(), "adam", hyper).step(X.shape[0])
    moved = (net.weight.data() - before).asnumpy().ravel()
    print("gradient:", grad.asnumpy().ravel())
    print("moved:   ", moved)
    return {"lr": lr, "moves": np.abs(moved).tolist()}


def show_adam_docstring():
    """The step-size factor in MXNet's Adam docstring and in its code."""
    line = next(
        text.strip()
        for text in mx.optimizer.Adam.__doc__.splitlines()
        if text.strip().startswith("lr = learning_rate")
    )
    beta1, beta2, t = 0.9, 0.999, 1
    documented = math.sqrt(1 - beta1**t) / (1 - beta2**t)
    computed = math.sqrt(1 - beta2**t) / (1 - beta1**t)
    print("docstring:", line)
    print(f"factor at t=1, as documented: {documented:.4g}")
    print(f"factor at t=1, as computed:   {computed:.4g}")
    return {
        "line": line,
        "documented": documented,
        "computed": computed,
        "ratio": documented / computed,
    }


def lr_curve(scheduler, num_updates):
    """The learning rate scheduler gives updates 1 to num_updates."""
    return [scheduler(t) for t in range(1, num_updates + 1)]


def show_schedulers():
    """FactorScheduler and MultiFactorScheduler, update by update."""
    num_updates, base_lr = 40, 0.5
    schedulers = {
        "FactorScheduler(step=10, factor=0.5)": (
            mx.lr_scheduler.FactorScheduler(10, 0.5, base_lr=base_lr)
        ),
        "MultiFactorScheduler(step=[15, 30], factor=0.1)": (
            mx.lr_scheduler.MultiFactorScheduler([15, 30], 0.1, base_lr)
        ),
    }
    fig, ax = plt.subplots(figsize=(5, 3))
    for name, scheduler in schedulers.items():
        lrs = lr_curve(scheduler, num_updates)
        print(name, "updates 9-12:", lrs[8:12])
        ax.step(range(1, num_updates + 1), lrs, where="post", label=name)
    ax.set(xlabel="update", ylabel="learning rate", yscale="log")
    ax.legend(fontsize="small")
    fig.tight_layout()
    return {"base_lr": base_lr}


def show_trainer_schedule():
    """Trainer.learning_rate after each step, with a FactorScheduler."""
    net, X, y = linear_net(3), nd.ones((4, 3)), nd.ones(4)
    scheduler = mx.lr_scheduler.FactorScheduler(2, 0.5, base_lr=0.5)
    hyper = {"lr_scheduler": scheduler}
    trainer = gluon.Trainer(net.collect_params(), "sgd", hyper)
    lrs = []
    for _ in range(5):
        backward_l2(net, X, y)
        trainer.step(X.shape[0])
        lrs.append(trainer.learning_rate)
    print("learning rate after each step:", lrs)
    return {"lrs": lrs}


def show_adam_default_lr():
    """Trainer('adam') overwrites a scheduler's base_lr with 0.001."""
    lrs = {}
    for optimizer in ("sgd", "adam"):
        scheduler = mx.lr_scheduler.FactorScheduler(10, 0.5, base_lr=0.5)
        net = linear_net(3)
        hyper = {"lr_scheduler": scheduler}
        trainer = gluon.Trainer(net.collect_params(), optimizer, hyper)
        lrs[optimizer] = trainer.learning_rate
        print(f"{optimizer}: learning rate {lrs[optimizer]}")
    return lrs


def train_mlp(train_iter, test_iter, num_epochs, optimizer, hyper):
    """An MLP trained with Trainer(optimizer, hyper), from seed 0: the
    training loss, test accuracy and learning rate of each epoch."""
    mx.random.seed(0)
    np.random.seed(0)  # the same initial weights and batch order
    net = mlp(256, 10)
    net.initialize(init.Xavier())
    trainer = gluon.Trainer(net.collect_params(), optimizer, hyper)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    history = {"train_loss": [], "test_acc": [], "lr": []}
    for _ in range(num_epochs):
        train_loss = running_loss_epoch(net, train_iter, loss, trainer.step)
        history["train_loss"].append(train_loss)
        history["test_acc"].append(evaluate_accuracy(test_iter, net))
        history["lr"].append(trainer.learning_rate)
    return history


def epoch_schedule(lr, drop_epochs, num_batches):
    """SGD's hyperparameters: lr divided by 10 after each of drop_epochs."""
    steps = [epoch * num_batches for epoch in drop_epochs]
    scheduler = mx.lr_scheduler.MultiFactorScheduler(steps, 0.1, lr)
    return {"learning_rate": lr, "lr_scheduler": scheduler}


def plot_histories(histories):
    """Training loss and test accuracy of each run, against the epoch."""
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
    for name, history in histories.items():
        epochs = range(1, len(history["train_loss"]) + 1)
        axes[0].plot(epochs, history["train_loss"], marker="o", label=name)
        axes[1].plot(epochs, history["test_acc"], marker="o", label=name)
    axes[0].set(xlabel="epoch", ylabel="training loss")
    axes[1].set(xlabel="epoch", ylabel="test accuracy")
    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[1].legend(fontsize="small")
    fig.tight_layout()


def spread(values):
    """The range max - min of a list of numbers."""
    return max(values) - min(values)


def schedule_summary(constant, scheduled, last):
    """Numbers and words the page reads from the two runs at lr 0.5."""
    result = {
        "constant_acc": constant["test_acc"][-1],
        "scheduled_acc": scheduled["test_acc"][-1],
        "constant_spread": spread(constant["test_acc"][-last:]),
        "scheduled_spread": spread(scheduled["test_acc"][-last:]),
        "constant_loss": constant["train_loss"][-1],
        "scheduled_loss": scheduled["train_loss"][-1],
    }
    words = comparison("acc", result["scheduled_acc"], result["constant_acc"])
    words |= comparison(
        "spread", result["scheduled_spread"], result["constant_spread"]
    )
    return result | words


def show_schedule_curves():
    """An MLP on 8,000 images: lr 0.5, lr 0.05, and 0.5 with two drops."""
    num_train, num_test, batch_size, num_epochs, lr = 8000, 5000, 256, 8, 0.5
    drop_epochs = [4, 6]
    train_iter, test_iter = fashion_iters(num_train, batch_size, num_test)
    runs = {
        f"lr {lr}": {"learning_rate": lr},
        f"lr {lr / 10}": {"learning_rate": lr / 10},
        f"lr {lr}, / 10 after epochs 4, 6": epoch_schedule(
            lr, drop_epochs, len(train_iter)
        ),
    }
    histories = {}
    for name, hyper in runs.items():
        histories[name] = train_mlp(
            train_iter, test_iter, num_epochs, "sgd", hyper
        )
        print(name, "test accuracy by epoch:")
        print(np.round(histories[name]["test_acc"], 3))
    plot_histories(histories)
    constant, small, scheduled = histories.values()
    first = drop_epochs[0]
    return {
        "num_train": num_train,
        "num_test": num_test,
        "num_epochs": num_epochs,
        "lr": lr,
        "batch_size": batch_size,
        "first_drop": drop_epochs[0],
        "second_drop": drop_epochs[1],
        "first_update": drop_epochs[0] * len(train_iter),
        "second_update": drop_epochs[1] * len(train_iter),
        "num_batches": len(train_iter),
        "last": 3,
        "loss_before": scheduled["train_loss"][first - 1],
        "loss_after": scheduled["train_loss"][first],
        "constant_after": constant["train_loss"][first],
        "small_acc": small["test_acc"][-1],
        **schedule_summary(constant, scheduled, last=3),
    }


def show_stateful_exercise():
    """Exercise: a FactorScheduler remembers the updates it has seen."""
    scheduler = mx.lr_scheduler.FactorScheduler(10, 0.5, base_lr=0.5)
    late, early = scheduler(35), scheduler(1)
    print("scheduler(35):", late, " then scheduler(1):", early)
    fresh = mx.lr_scheduler.FactorScheduler(10, 0.5, base_lr=0.5)(1)
    print("a new scheduler's lr at update 1:", fresh)
    return {"late": late, "early": early, "fresh": fresh}


def show_adam_curve_exercise():
    """Exercise: Adam at its default lr on the same 8,000 images."""
    num_train, num_test, batch_size, num_epochs = 8000, 5000, 256, 8
    train_iter, test_iter = fashion_iters(num_train, batch_size, num_test)
    history = train_mlp(
        train_iter, test_iter, num_epochs, "adam", {"learning_rate": 0.001}
    )
    print("test accuracy by epoch:", np.round(history["test_acc"], 3))
    print("training loss by epoch:", np.round(history["train_loss"], 3))
    return {
        "test_acc": history["test_acc"][-1],
        "train_loss": history["train_loss"][-1],
    }
