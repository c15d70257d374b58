"""Batch normalisation from scratch and in Gluon; LeNet with it; ResNet."""

import matplotlib.pyplot as plt
from mxnet import autograd, gluon, init, nd

from snippets.blocks import max_diff
from snippets.lenet import lenet
from snippets.metrics import evaluate_accuracy
from snippets.mlp import load_data_fashion_mnist_nchw, train_mlp_gluon
from snippets.phrases import agreement, comparison

# The trainings of this page, kept short for the site's build
BN_EPOCHS, RESNET_EPOCHS = 1, 2


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    """Normalised X, then the updated moving mean and variance."""
    if not autograd.is_training():  # prediction: the moving statistics
        X_hat = (X - moving_mean) / nd.sqrt(moving_var + eps)
        return gamma * X_hat + beta, moving_mean, moving_var
    # training: this minibatch's statistics, per feature or per channel
    axes = (0,) if X.ndim == 2 else (0, 2, 3)
    mean = X.mean(axis=axes, keepdims=True)
    var = ((X - mean) ** 2).mean(axis=axes, keepdims=True)
    X_hat = (X - mean) / nd.sqrt(var + eps)
    moving_mean = momentum * moving_mean + (1 - momentum) * mean
    moving_var = momentum * moving_var + (1 - momentum) * var
    return gamma * X_hat + beta, moving_mean, moving_var


class BatchNorm(gluon.nn.Block):
    """Batch norm from scratch; moving statistics kept as parameters."""

    def __init__(self, num_features, num_dims, **kwargs):
        super().__init__(**kwargs)
        shape = (1, num_features) + (1,) * (num_dims - 2)
        self.eps, self.momentum = 1e-5, 0.9
        self.gamma = self.params.get("gamma", shape=shape, init=init.One())
        self.beta = self.params.get("beta", shape=shape, init=init.Zero())
        # never trained by the gradient: grad_req="null"
        self.moving_mean = self.params.get(
            "moving_mean", shape=shape, init=init.Zero(), grad_req="null"
        )
        self.moving_var = self.params.get(
            "moving_var", shape=shape, init=init.One(), grad_req="null"
        )

    def forward(self, X):
        """Normalise X; in training, also update the moving statistics."""
        Y, mean, var = batch_norm(
            X,
            self.gamma.data(),
            self.beta.data(),
            self.moving_mean.data(),
            self.moving_var.data(),
            self.eps,
            self.momentum,
        )
        self.moving_mean.set_data(mean)
        self.moving_var.set_data(var)
        return Y


def lenet_bn():
    """LeNet with batch norm after each layer but the output layer."""
    nn = gluon.nn
    net = nn.HybridSequential()
    net.add(
        nn.Conv2D(6, kernel_size=5, padding=2),
        nn.BatchNorm(),
        nn.Activation("relu"),
        nn.MaxPool2D(pool_size=2, strides=2),
        nn.Conv2D(16, kernel_size=5),
        nn.BatchNorm(),
        nn.Activation("relu"),
        nn.MaxPool2D(pool_size=2, strides=2),
        nn.Dense(120),
        nn.BatchNorm(),
        nn.Activation("relu"),
        nn.Dense(84),
        nn.BatchNorm(),
        nn.Activation("relu"),
        nn.Dense(10),
    )
    return net


class Residual(gluon.nn.HybridBlock):
    """Two 3 x 3 convolutions with batch norm, plus the input: relu(F(x)+x)."""

    def __init__(self, channels, strides=1, **kwargs):
        super().__init__(**kwargs)
        nn = gluon.nn
        self.conv1 = nn.Conv2D(channels, 3, padding=1, strides=strides)
        self.bn1 = nn.BatchNorm()
        self.conv2 = nn.Conv2D(channels, 3, padding=1)
        self.bn2 = nn.BatchNorm()
        # a 1 x 1 convolution gives x the shape of F(x) when they differ
        self.conv3 = None
        if strides != 1:
            self.conv3 = nn.Conv2D(channels, 1, strides=strides)

    def hybrid_forward(self, F, X):
        """relu(F(X) + X), X reshaped by the 1 x 1 convolution if needed."""
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        return F.relu(Y + X)


def resnet(channels=(16, 32, 64), num_classes=10):
    """A small ResNet: conv, pooling, one residual block per width."""
    nn = gluon.nn
    net = nn.HybridSequential()
    net.add(
        nn.Conv2D(channels[0], 3, padding=1),
        nn.BatchNorm(),
        nn.Activation("relu"),
        nn.MaxPool2D(pool_size=2, strides=2),
        Residual(channels[0]),
    )
    for width in channels[1:]:
        net.add(Residual(width, strides=2))  # halves height and width
    net.add(nn.GlobalAvgPool2D(), nn.Dense(num_classes))
    return net


def train_epochs(net, train_iter, test_iter, trainer, lrs):
    """One epoch per learning rate in lrs; minibatch losses, test acc."""
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    history = {"losses": [], "test_acc": []}
    for lr in lrs:
        trainer.set_learning_rate(lr)
        for X, y in train_iter:
            with autograd.record():  # training mode: batch statistics
                batch_loss = loss(net(X), y)
            batch_loss.backward()
            trainer.step(X.shape[0])
            history["losses"].append(batch_loss.mean().asscalar())
        history["test_acc"].append(evaluate_accuracy(test_iter, net))
    return history


def train_net(net, train_iter, test_iter, lrs):
    """Xavier init, hybridize, SGD; train_epochs with these rates."""
    net.initialize(init.Xavier())
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "sgd")
    return train_epochs(net, train_iter, test_iter, trainer, lrs)


def smooth(values, window=20):
    """Moving average over the last `window` values (fewer at the start)."""
    sums = [0.0]
    for value in values:
        sums.append(sums[-1] + value)
    return [
        (sums[i + 1] - sums[max(0, i + 1 - window)]) / min(i + 1, window)
        for i in range(len(values))
    ]


def plot_losses(histories):
    """Each net's minibatch training loss, smoothed, against the step."""
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for name, history in histories.items():
        ax.plot(smooth(history["losses"]), label=name)
    ax.set(xlabel="minibatch", ylabel="training loss (mean of 20)")
    ax.set_ylim(0, 2.5)
    ax.legend()
    fig.tight_layout()
    return fig


def show_batch_norm_modes():
    """Scratch batch norm in training and in prediction mode."""
    bn = BatchNorm(2, num_dims=2)
    bn.initialize()
    X = nd.array([[1.0, 10.0], [3.0, 30.0], [5.0, 50.0]])
    with autograd.record():
        print("is_training in record():", autograd.is_training())
        Y = bn(X)
    print("training mode, batch statistics:\n", Y)
    print("moving mean:", bn.moving_mean.data())
    print("moving var: ", bn.moving_var.data())
    print("is_training outside:", autograd.is_training())
    print("prediction mode, moving statistics:\n", bn(X))
    with autograd.record(train_mode=False):
        print("record(train_mode=False):", autograd.is_training())
    return {"mean": Y.mean(axis=0).abs().max().asscalar()}


def scratch_and_gluon(X, steps):
    """Both batch norms, same inputs, steps training passes, then predict."""
    bn = BatchNorm(X.shape[1], num_dims=X.ndim)
    gbn = gluon.nn.BatchNorm(in_channels=X.shape[1])
    for block in (bn, gbn):
        block.initialize()
    for i in range(steps):
        batch = X * (i + 1)  # other statistics at every step
        with autograd.record():
            Y, Y_gluon = bn(batch), gbn(batch)
        # nn.BatchNorm updates its running statistics in backward()
        autograd.backward([Y, Y_gluon])
        train_diff = max_diff(Y, Y_gluon)
    stats = [
        max_diff(bn.moving_mean.data().reshape(-1), gbn.running_mean.data()),
        max_diff(bn.moving_var.data().reshape(-1), gbn.running_var.data()),
    ]
    return train_diff, max(stats), max_diff(bn(X), gbn(X))


def show_scratch_vs_gluon():
    """Scratch batch norm against nn.BatchNorm on a 4-D batch."""
    X = nd.random.normal(shape=(8, 3, 5, 5))
    train_diff, stats_diff, predict_diff = scratch_and_gluon(X, steps=5)
    print("training mode, max |difference|:  ", train_diff)
    print("moving statistics, max |difference|:", stats_diff)
    print("prediction mode, max |difference|:", predict_diff)
    diff = max(train_diff, stats_diff, predict_diff)
    return {"diff": diff, **agreement("same", diff)}


def show_running_stats_need_backward():
    """nn.BatchNorm's running mean after forward, then after backward."""
    bn = gluon.nn.BatchNorm(in_channels=2)
    bn.initialize()
    X = nd.array([[1.0, 10.0], [3.0, 30.0]])
    with autograd.record():
        Y = bn(X)
    forward_only = bn.running_mean.data()[0].asscalar()
    print("after forward in record():", bn.running_mean.data())
    Y.backward()
    print("after backward():         ", bn.running_mean.data())
    after = bn.running_mean.data()[0].asscalar()
    return {
        "forward_only": float(forward_only),
        "after_backward": float(after),
    }


def show_lenet_bn():
    """LeNet with and without batch norm: one epoch, the same data."""
    lr, batch_size = 0.1, 128
    train_iter, test_iter = load_data_fashion_mnist_nchw(batch_size)
    lrs = [lr] * BN_EPOCHS
    histories = {
        "LeNet": train_net(lenet(), train_iter, test_iter, lrs),
        "LeNet + BN": train_net(lenet_bn(), train_iter, test_iter, lrs),
    }
    plot_losses(histories)
    for name, history in histories.items():
        print(f"{name:<11} test accuracy {history['test_acc'][-1]:.3f}")
    plain, bn = (h["test_acc"][-1] for h in histories.values())
    return {
        "lr": lr,
        "batch_size": batch_size,
        "num_epochs": BN_EPOCHS,
        "steps": len(histories["LeNet"]["losses"]),
        "plain_test_acc": plain,
        "bn_test_acc": bn,
        **comparison("bn_vs_plain", bn, plain),
    }


def show_resnet_shapes():
    """One 28 x 28 image through the small ResNet, block by block."""
    net = resnet()
    net.initialize()
    X = nd.zeros((1, 1, 28, 28))
    for layer in net:
        X = layer(X)
        print(f"{type(layer).__name__:<16}{X.shape}")
    num_params = sum(p.data().size for p in net.collect_params().values())
    print("parameters:", num_params)
    return {"params": num_params}


def show_train_resnet():
    """The small ResNet on all of Fashion-MNIST; the MLP as a yardstick."""
    lr, batch_size = 0.2, 256
    lrs = [lr] * (RESNET_EPOCHS - 1) + [lr / 10]  # a tenth in the last
    train_iter, test_iter = load_data_fashion_mnist_nchw(batch_size)
    history = train_net(resnet(), train_iter, test_iter, lrs)
    for epoch, acc in enumerate(history["test_acc"], 1):
        print(f"epoch {epoch}, lr {lrs[epoch - 1]:g}: test accuracy {acc:.3f}")
    mlp = train_mlp_gluon(train_iter, test_iter, RESNET_EPOCHS, 0.5, 256)
    print(f"the MLP, {RESNET_EPOCHS} epochs: {mlp['test_acc'][-1]:.3f}")
    return {
        "lr": lr,
        "last_lr": lrs[-1],
        "batch_size": batch_size,
        "num_epochs": RESNET_EPOCHS,
        "test_acc": history["test_acc"][-1],
        "mlp_test_acc": mlp["test_acc"][-1],
        **comparison("vs_mlp", history["test_acc"][-1], mlp["test_acc"][-1]),
    }
