"""Stochastic gradient descent from scratch and with gluon.Trainer."""


def sgd(params, lr, batch_size):
    """One minibatch SGD step in place: param -= lr * grad / batch_size."""
    for param in params:
        param[:] = param - lr * param.grad / batch_size
