"""Minibatch SGD from scratch, with weight decay, next to gluon.Trainer."""

from mxnet import autograd, gluon, init, nd

from snippets.phrases import agreement


def sgd(params, lr, batch_size):
    """One minibatch SGD step in place: param -= lr * grad / batch_size."""
    for param in params:
        param[:] = param - lr * param.grad / batch_size


def sgd_weight_decay(params, lr, batch_size, wd):
    """One SGD step with weight decay, the rule Trainer('sgd') applies."""
    for param in params:
        param[:] = param - lr * (param.grad / batch_size + wd * param)


def sgd_weight_decay_2017(params, lr, batch_size, wd):
    """The 2017 note's rule w - lr * grad - wd * w (wd not scaled by lr)."""
    for param in params:
        param[:] = param - lr * param.grad / batch_size - wd * param


def sgd_momentum(params, velocities, lr, batch_size, momentum):
    """One SGD step with momentum: v = momentum * v + lr * grad / B."""
    for param, v in zip(params, velocities, strict=True):
        v[:] = momentum * v + lr * param.grad / batch_size
        param[:] = param - v


def l2_penalty(params):
    """Half the sum of squares of all parameters: sum(||p||^2) / 2."""
    return sum((param**2).sum() for param in params) / 2


def linear_net(num_inputs):
    """A one-output Dense layer with weights drawn from N(0, 0.1^2)."""
    net = gluon.nn.Dense(1, in_units=num_inputs)
    net.initialize(init.Normal(sigma=0.1))
    return net


def backward_l2(net, X, y, wd=0.0):
    """Backprop gluon's L2Loss (plus wd * l2_penalty) of net on (X, y)."""
    params = [p.data() for p in net.collect_params().values()]
    with autograd.record():
        loss = gluon.loss.L2Loss()(net(X), y)
        if wd:
            loss = loss + wd * l2_penalty(params)
    loss.backward()


def scratch_copy(net):
    """Copies of net's parameters, each carrying a copy of its gradient."""
    params = []
    for param in net.collect_params().values():
        copy = param.data().copy()
        copy.attach_grad()
        copy.grad[:] = param.grad()
        params.append(copy)
    return params


def clone(net):
    """A new linear net holding copies of net's parameter values."""
    twin = linear_net(net.weight.shape[1])
    twin.weight.set_data(net.weight.data())
    twin.bias.set_data(net.bias.data())
    return twin


def copy_grads(net, params):
    """Give each array of params the current gradient of net's parameter."""
    for param, copy in zip(net.collect_params().values(), params, strict=True):
        copy.grad[:] = param.grad()


def trainer_sgd(net, lr, wd=0.0):
    """gluon.Trainer running plain SGD (momentum 0) with weight decay wd."""
    hyper = {"learning_rate": lr, "wd": wd}
    return gluon.Trainer(net.collect_params(), "sgd", hyper)


def max_abs_diff(net, params):
    """Largest absolute difference between net's parameters and params."""
    pairs = zip(net.collect_params().values(), params, strict=True)
    return max(nd.abs(p.data() - q).max().asscalar().item() for p, q in pairs)


def show_trainer_step():
    """One Trainer('sgd') step next to one scratch sgd step."""
    X, y = nd.random.normal(shape=(8, 3)), nd.arange(8)
    net, lr, batch_size = linear_net(3), 0.1, X.shape[0]
    backward_l2(net, X, y)
    params = scratch_copy(net)
    trainer = trainer_sgd(net, lr)
    trainer.step(batch_size)
    sgd(params, lr, batch_size)
    print("rescale_grad:  ", trainer.optimizer.rescale_grad)
    print("Trainer weight:", net.weight.data().asnumpy().ravel())
    print("scratch weight:", params[0].asnumpy().ravel())
    diff = max_abs_diff(net, params)
    print("max |difference|:", diff)
    return {
        "batch_size": batch_size,
        "rescale_grad": trainer.optimizer.rescale_grad,
        "max_diff": diff,
    }


def show_weight_decay():
    """Trainer with wd next to the true rule and the 2017 note's rule."""
    X, y = nd.random.normal(shape=(8, 3)), nd.arange(8)
    net, lr, wd, batch_size = linear_net(3), 0.05, 0.1, X.shape[0]
    backward_l2(net, X, y)
    true_rule, note_rule = scratch_copy(net), scratch_copy(net)
    print("before:          ", true_rule[0].asnumpy().ravel())
    trainer_sgd(net, lr, wd).step(batch_size)
    sgd_weight_decay(true_rule, lr, batch_size, wd)
    sgd_weight_decay_2017(note_rule, lr, batch_size, wd)
    print("Trainer:         ", net.weight.data().asnumpy().ravel())
    print("sgd_weight_decay:", true_rule[0].asnumpy().ravel())
    print("2017 note rule:  ", note_rule[0].asnumpy().ravel())
    rule_diff = max_abs_diff(net, true_rule)
    return {
        "lr": lr,
        "wd": wd,
        "lr_inverse": 1 / lr,
        "rule_factor": 1 - lr * wd,
        "note_factor": 1 - wd,
        "rule_diff": rule_diff,
        "note_diff": max_abs_diff(net, note_rule),
        **agreement("rule", rule_diff),
    }


def show_l2_penalty():
    """Trainer's wd equals adding wd * l2_penalty to the loss."""
    X, y = nd.random.normal(shape=(8, 3)), nd.arange(8)
    net, lr, wd, batch_size = linear_net(3), 0.05, 0.1, X.shape[0]
    backward_l2(net, X, y, wd)
    params = scratch_copy(net)
    sgd(params, lr, batch_size)
    backward_l2(net, X, y)
    trainer_sgd(net, lr, wd).step(batch_size)
    diff = max_abs_diff(net, params)
    print("max |Trainer(wd) - sgd on loss + wd * l2_penalty|:", diff)
    return {"max_diff": diff, **agreement("agree", diff)}


def step_with(net, X, y, reduce, batch_size):
    """Backprop reduce(L2Loss) of net on (X, y); take one step(batch_size)."""
    with autograd.record():
        loss = reduce(gluon.loss.L2Loss()(net(X), y))
    loss.backward()
    trainer_sgd(net, 0.1).step(batch_size)


def show_step_after_mean():
    """How far one step moves w: summed or averaged loss, step(B) or 1."""
    X, y = nd.random.normal(shape=(8, 3)), nd.arange(8)
    net, batch_size = linear_net(3), X.shape[0]
    cases = {
        "sum_step_b": (nd.sum, batch_size),
        "mean_step_1": (nd.mean, 1),
        "mean_step_b": (nd.mean, batch_size),
    }
    moves = {}
    for name, (reduce, step) in cases.items():
        twin = clone(net)
        step_with(twin, X, y, reduce, step)
        moves[name] = nd.norm(twin.weight.data() - net.weight.data())
        moves[name] = moves[name].asscalar().item()
        print(f"{reduce.__name__}, step({step}): w moved {moves[name]:.6f}")
    return moves


def show_momentum():
    """Three Trainer steps with momentum next to sgd_momentum."""
    X, y = nd.random.normal(shape=(8, 3)), nd.arange(8)
    net, lr, momentum, batch_size = linear_net(3), 0.05, 0.9, X.shape[0]
    hyper = {"learning_rate": lr, "momentum": momentum}
    trainer = gluon.Trainer(net.collect_params(), "sgd", hyper)
    params = scratch_copy(net)
    velocities = [nd.zeros_like(param) for param in params]
    for step in range(1, 4):
        backward_l2(net, X, y)
        copy_grads(net, params)
        trainer.step(batch_size)
        sgd_momentum(params, velocities, lr, batch_size, momentum)
        diff = max_abs_diff(net, params)
        print(f"step {step}: max |Trainer - sgd_momentum| = {diff:.1e}")
    return {"momentum": momentum, "max_diff": diff, **agreement("agree", diff)}
