"""Minibatch SGD from scratch, with weight decay, next to gluon.Trainer."""

from mxnet import autograd, gluon, init, nd


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
    return {"rescale_grad": trainer.optimizer.rescale_grad, "max_diff": diff}


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
    return {
        "lr": lr,
        "wd": wd,
        "rule_factor": 1 - lr * wd,
        "note_factor": 1 - wd,
        "rule_diff": max_abs_diff(net, true_rule),
        "note_diff": max_abs_diff(net, note_rule),
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
    return {"max_diff": diff}
