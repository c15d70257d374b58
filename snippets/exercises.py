"""Helpers of the exercises notebook on SGD and training."""

import math

from mxnet import autograd, nd

from snippets.losses import squared_loss
from snippets.optim import linear_net, trainer_sgd
from snippets.training import linreg, synthetic_data, train_linreg_scratch


def fit_linreg(features, labels, lr, batch_size, num_epochs):
    """Fit linreg by minibatch SGD on squared_loss; the final mean loss."""
    w, b = train_linreg_scratch(features, labels, num_epochs, lr, batch_size)
    return squared_loss(linreg(features, w, b), labels).mean().asscalar()


def final_losses(lrs, batch_size, num_epochs):
    """The final loss of linreg fitted with each lr on the same data."""
    features, labels = synthetic_data(nd.array([2, -3.4]), 4.2, 1000)
    return {
        lr: float(fit_linreg(features, labels, lr, batch_size, num_epochs))
        for lr in lrs
    }


def largest_stable_lr(losses, limit=1.0):
    """The largest lr whose final loss is finite and below limit."""
    stable = [lr for lr, loss in losses.items() if loss < limit]
    return max(stable) if stable else None


def zero_grad_step(net, trainer):
    """One Trainer step on a loss whose gradient is zero (decay only)."""
    with autograd.record():
        loss = 0 * net(nd.ones((1, net.weight.shape[1]))).sum()
    loss.backward()
    trainer.step(1)


def decay_steps(lr, wd, target=0.5):
    """Steps of SGD with weight decay (zero gradient) until the weights
    shrink to target times their start."""
    net = linear_net(2)
    trainer, start = trainer_sgd(net, lr, wd), net.weight.data().copy()
    steps = 0
    while (net.weight.data() / start).max().asscalar() > target:
        zero_grad_step(net, trainer)
        steps += 1
    return steps


def predicted_decay_steps(factor, target=0.5):
    """Steps until factor ** steps <= target (the weights shrink by factor)."""
    return math.ceil(math.log(target) / math.log(factor))


def running_loss_epoch(net, train_iter, loss, updater):
    """Train one epoch; the mean loss of the minibatches as they were seen."""
    total, n = 0.0, 0
    for X, y in train_iter:
        with autograd.record():
            batch_loss = loss(net(X), y)
        batch_loss.backward()
        updater(X.shape[0])
        total += batch_loss.sum().asscalar().item()
        n += X.shape[0]
    return total / n
