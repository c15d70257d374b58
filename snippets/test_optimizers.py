"""Tests pinning what Trainer('adam') and MXNet's learning-rate schedulers
compute, against Adam from scratch and the schedules the page draws."""

import inspect
import math
import warnings

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon, nd

from snippets.context import fashion_iters
from snippets.optim import (
    backward_l2,
    copy_grads,
    linear_net,
    max_abs_diff,
    scratch_copy,
)
from snippets.optimizers import (
    adam,
    adam_folded,
    adam_states,
    epoch_schedule,
    lr_curve,
    schedule_summary,
    show_adam,
    show_adam_default_lr,
    show_adam_docstring,
    show_first_step,
    show_schedulers,
    show_stateful_exercise,
    show_trainer_schedule,
    spread,
    train_mlp,
)


@pytest.fixture(scope="module")
def small_iters():
    """1,000 training images in batches of 100, and the test set."""
    return fashion_iters(1000, 100)


def adam_run(update, num_steps, wd=0.0, **hyper):
    """num_steps of Trainer('adam') and of update; the largest gap."""
    X, y = nd.random.normal(shape=(8, 3)), nd.arange(8)
    net = linear_net(3)
    options = {"learning_rate": 0.1, "wd": wd, **hyper}
    trainer = gluon.Trainer(net.collect_params(), "adam", options)
    params = scratch_copy(net)
    states = adam_states(params)
    for t in range(1, num_steps + 1):
        backward_l2(net, X, y)
        copy_grads(net, params)
        for param in params:
            param.grad[:] += wd * 8 * param  # L2: wd * w, before 1 / B
        trainer.step(8)
        update(params, states, 0.1, t, 8)
    return max_abs_diff(net, params)


def test_mxnets_form_of_adam_equals_trainer():
    """adam_folded and Trainer('adam'): exact over the page's 5 steps,
    within a float32 rounding (an FMA in the kernel) over 10."""
    out = show_adam()
    assert out["folded_diff"] == 0
    assert out["folded_en"] == "agree exactly: not a single bit differs"
    assert adam_run(adam_folded, 10) <= 2**-22


def test_textbook_adam_differs_only_by_the_float32_betas():
    """adam differs from Trainer by a few 1e-6 after 5 steps, not 0."""
    out = show_adam()
    assert 0 < out["diff"] < 1e-5
    assert out["beta2_float32"] != 0.999
    assert out["one_minus_beta2"] == pytest.approx(0.001, rel=2e-5)
    assert out["one_minus_beta2"] != pytest.approx(0.001, rel=1e-6)


def test_adams_weight_decay_is_added_to_the_gradient_not_decoupled():
    """wd in Trainer('adam') acts as wd * w added to the gradient (L2)."""
    assert adam_run(adam_folded, 5, wd=0.1) <= 2**-22


def test_first_adam_step_moves_every_weight_by_the_learning_rate():
    """At t = 1, v_hat = g and s_hat = g**2: each move is lr * sign(g)."""
    out = show_first_step()
    assert out["moves"] == pytest.approx([out["lr"]] * 3, rel=1e-5)


def test_adam_docstring_swaps_the_betas_but_the_code_does_not():
    """MXNet 1.9.1's docstring: sqrt(1 - beta1**t) / (1 - beta2**t);
    Adam.update computes sqrt(1 - beta2**t) / (1 - beta1**t)."""
    out = show_adam_docstring()
    assert "sqrt(1 - beta1**t) / (1 - beta2**t)" in out["line"]
    code = inspect.getsource(mx.optimizer.Adam.update)
    assert "coef1 = 1. - self.beta1**t" in code
    assert "lr *= math.sqrt(coef2)/coef1" in code
    assert out["computed"] == pytest.approx(math.sqrt(0.001) / 0.1)
    assert out["documented"] / out["computed"] == pytest.approx(1000)


def test_factor_scheduler_decays_after_every_step_updates():
    """step=10: updates 1-10 at base_lr, 11-20 halved, 21-30 quartered."""
    scheduler = mx.lr_scheduler.FactorScheduler(10, 0.5, base_lr=0.5)
    lrs = lr_curve(scheduler, 30)
    assert lrs == [0.5] * 10 + [0.25] * 10 + [0.125] * 10


def test_multi_factor_scheduler_drops_after_each_listed_update():
    """step=[15, 30]: updates 1-15, 16-30 and 31+ at 0.5, 0.05, 0.005."""
    scheduler = mx.lr_scheduler.MultiFactorScheduler([15, 30], 0.1, 0.5)
    lrs = lr_curve(scheduler, 40)
    assert lrs[:15] == [0.5] * 15
    assert lrs[15:30] == pytest.approx([0.05] * 15)
    assert lrs[30:] == pytest.approx([0.005] * 10)


def test_show_schedulers_draws_both_schedules(capsys):
    """One figure, two step lines of 40 updates, log scale."""
    show_schedulers()
    (ax,) = plt.gcf().axes
    assert len(ax.lines) == 2
    assert ax.get_yscale() == "log"
    assert "updates 9-12: [0.5, 0.5, 0.25, 0.25]" in capsys.readouterr().out


def test_trainer_steps_count_updates_for_the_scheduler():
    """Each trainer.step is one update: lr halves after steps 2 and 4."""
    assert show_trainer_schedule() == {"lrs": [0.5, 0.5, 0.25, 0.25, 0.125]}


def test_adam_overwrites_the_schedulers_base_lr(capsys):
    """Adam's default learning_rate 0.001 wins, with a printed message
    that is not a Python warning (a warnings filter never sees it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert show_adam_default_lr() == {"sgd": 0.5, "adam": 0.001}
    assert "has been overwritten by ``learning_rate``" in (
        capsys.readouterr().out
    )
    scheduler = mx.lr_scheduler.FactorScheduler(10, 0.5, base_lr=0.5)
    hyper = {"learning_rate": 0.5, "lr_scheduler": scheduler}
    net = linear_net(3)
    trainer = gluon.Trainer(net.collect_params(), "adam", hyper)
    assert trainer.learning_rate == 0.5  # the fix: say it twice


def test_set_learning_rate_is_refused_under_a_scheduler():
    """With an lr_scheduler, set_learning_rate raises UserWarning."""
    scheduler = mx.lr_scheduler.FactorScheduler(10, 0.5, base_lr=0.5)
    net = linear_net(3)
    hyper = {"lr_scheduler": scheduler}
    trainer = gluon.Trainer(net.collect_params(), "sgd", hyper)
    with pytest.raises(UserWarning, match="already been defined"):
        trainer.set_learning_rate(0.1)


def test_a_scheduler_remembers_what_it_has_seen():
    """After scheduler(35), scheduler(1) stays decayed; a new one does not."""
    assert show_stateful_exercise() == {
        "late": 0.0625,
        "early": 0.0625,
        "fresh": 0.5,
    }


def test_epoch_schedule_drops_at_epoch_boundaries(small_iters):
    """10 batches an epoch, drops after epochs 1 and 2: 0.5, 0.05, 0.005."""
    train_iter, test_iter = small_iters
    hyper = epoch_schedule(0.5, [1, 2], len(train_iter))
    history = train_mlp(train_iter, test_iter, 3, "sgd", hyper)
    assert history["lr"] == pytest.approx([0.5, 0.05, 0.005])
    assert len(history["test_acc"]) == len(history["train_loss"]) == 3


def test_runs_start_from_the_same_weights_and_batches(small_iters):
    """train_mlp seeds itself: equal settings give equal histories."""
    train_iter, test_iter = small_iters
    first = train_mlp(train_iter, test_iter, 1, "sgd", {"learning_rate": 0.1})
    np.random.seed(5)  # whatever ran before
    again = train_mlp(train_iter, test_iter, 1, "sgd", {"learning_rate": 0.1})
    assert first == again
    adam_history = train_mlp(
        train_iter, test_iter, 1, "adam", {"learning_rate": 0.001}
    )
    assert adam_history["test_acc"][0] > 0.3


def test_schedule_summary_reads_its_words_from_the_numbers():
    """'higher than' and 'lower than' follow the accuracies and spreads."""
    constant = {"test_acc": [0.5, 0.8, 0.6, 0.78], "train_loss": [1, 0.6]}
    scheduled = {"test_acc": [0.5, 0.8, 0.81, 0.80], "train_loss": [1, 0.5]}
    out = schedule_summary(constant, scheduled, last=3)
    assert out["acc_en"] == "higher than"
    assert out["spread_en"] == "lower than"
    assert out["spread_zh"] == "低于"
    assert out["constant_spread"] == pytest.approx(0.2)
    assert spread([3, 1, 2]) == 2
    worse = schedule_summary(scheduled, constant, last=3)
    assert worse["acc_en"] == "lower than"
    assert worse["spread_en"] == "higher than"


def test_textbook_adam_moves_like_trainer_within_rounding():
    """Over 10 steps the textbook form stays within 1e-5 of Trainer, yet
    far from adam_folded's agreement: the float32 betas explain it."""
    assert 2**-22 * 10 < adam_run(adam, 10) < 1e-5


def test_a_schedule_equals_the_constant_rate_until_its_first_drop(
    small_iters,
):
    """Same seed, same rate until the drop: the first epochs coincide."""
    train_iter, test_iter = small_iters
    constant = train_mlp(
        train_iter, test_iter, 2, "sgd", {"learning_rate": 0.5}
    )
    hyper = epoch_schedule(0.5, [1], len(train_iter))
    scheduled = train_mlp(train_iter, test_iter, 2, "sgd", hyper)
    assert scheduled["train_loss"][0] == constant["train_loss"][0]
    assert scheduled["train_loss"][1] != constant["train_loss"][1]
