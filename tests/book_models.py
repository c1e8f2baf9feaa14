"""Networks written exactly as MXNet 1.x users write them (the d2l-zh book's chapters, small MLPs).

The same source runs under real MXNet 1.9.1 (tools/gen_net_golden.py, oracle venv) and under
regluon (tests/test_block_io.py), so names, shapes and outputs can be compared one to one.
Only the ``mxnet`` API is used here.
"""

import numpy as np
from mxnet.gluon import nn

from mxnet import gluon, nd


def mlp():
    net = nn.Sequential()
    with net.name_scope():
        net.add(nn.Dense(8, activation="relu"), nn.Dense(3))
    return net, (4, 5)


class _Shared(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.a = nn.Dense(5)
            self.b = nn.Dense(5, in_units=5, params=self.a.params)
            self.head = nn.HybridSequential()
            self.head.add(nn.Dense(4, activation="tanh"), nn.Dense(2))

    def hybrid_forward(self, F, x):
        return self.head(self.b(F.relu(self.a(x))))


def shared():
    return _Shared(), (3, 5)


def lenet():
    net = nn.Sequential()
    net.add(
        nn.Conv2D(channels=6, kernel_size=5, activation="sigmoid"),
        nn.MaxPool2D(pool_size=2, strides=2),
        nn.Conv2D(channels=16, kernel_size=5, activation="sigmoid"),
        nn.MaxPool2D(pool_size=2, strides=2),
        nn.Dense(120, activation="sigmoid"),
        nn.Dense(84, activation="sigmoid"),
        nn.Dense(10),
    )
    return net, (2, 1, 28, 28)


def alexnet():
    net = nn.Sequential()
    net.add(
        nn.Conv2D(96, kernel_size=11, strides=4, activation="relu"),
        nn.MaxPool2D(pool_size=3, strides=2),
        nn.Conv2D(256, kernel_size=5, padding=2, activation="relu"),
        nn.MaxPool2D(pool_size=3, strides=2),
        nn.Conv2D(384, kernel_size=3, padding=1, activation="relu"),
        nn.Conv2D(384, kernel_size=3, padding=1, activation="relu"),
        nn.Conv2D(256, kernel_size=3, padding=1, activation="relu"),
        nn.MaxPool2D(pool_size=3, strides=2),
        nn.Dense(4096, activation="relu"),
        nn.Dropout(0.5),
        nn.Dense(4096, activation="relu"),
        nn.Dropout(0.5),
        nn.Dense(10),
    )
    return net, (1, 1, 99, 99)  # the book feeds 224x224; 99x99 keeps every layer and is quicker


def _vgg_block(num_convs, num_channels):
    blk = nn.Sequential()
    for _ in range(num_convs):
        blk.add(nn.Conv2D(num_channels, kernel_size=3, padding=1, activation="relu"))
    blk.add(nn.MaxPool2D(pool_size=2, strides=2))
    return blk


def vgg11():
    conv_arch = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
    net = nn.Sequential()
    for num_convs, num_channels in conv_arch:
        net.add(_vgg_block(num_convs, num_channels // 4))  # the book's small_conv_arch (ratio 4)
    net.add(
        nn.Dense(4096, activation="relu"),
        nn.Dropout(0.5),
        nn.Dense(4096, activation="relu"),
        nn.Dropout(0.5),
        nn.Dense(10),
    )
    return net, (1, 1, 32, 32)


def _nin_block(num_channels, kernel_size, strides, padding):
    blk = nn.Sequential()
    blk.add(
        nn.Conv2D(num_channels, kernel_size, strides, padding, activation="relu"),
        nn.Conv2D(num_channels, kernel_size=1, activation="relu"),
        nn.Conv2D(num_channels, kernel_size=1, activation="relu"),
    )
    return blk


def nin():
    net = nn.Sequential()
    net.add(
        _nin_block(96, kernel_size=11, strides=4, padding=0),
        nn.MaxPool2D(pool_size=3, strides=2),
        _nin_block(256, kernel_size=5, strides=1, padding=2),
        nn.MaxPool2D(pool_size=3, strides=2),
        _nin_block(384, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2D(pool_size=3, strides=2),
        nn.Dropout(0.5),
        _nin_block(10, kernel_size=3, strides=1, padding=1),
        nn.GlobalAvgPool2D(),
        nn.Flatten(),
    )
    return net, (1, 1, 96, 96)


class _Inception(nn.Block):
    def __init__(self, c1, c2, c3, c4, **kwargs):
        super().__init__(**kwargs)
        self.p1_1 = nn.Conv2D(c1, kernel_size=1, activation="relu")
        self.p2_1 = nn.Conv2D(c2[0], kernel_size=1, activation="relu")
        self.p2_2 = nn.Conv2D(c2[1], kernel_size=3, padding=1, activation="relu")
        self.p3_1 = nn.Conv2D(c3[0], kernel_size=1, activation="relu")
        self.p3_2 = nn.Conv2D(c3[1], kernel_size=5, padding=2, activation="relu")
        self.p4_1 = nn.MaxPool2D(pool_size=3, strides=1, padding=1)
        self.p4_2 = nn.Conv2D(c4, kernel_size=1, activation="relu")

    def forward(self, x):
        p1 = self.p1_1(x)
        p2 = self.p2_2(self.p2_1(x))
        p3 = self.p3_2(self.p3_1(x))
        p4 = self.p4_2(self.p4_1(x))
        return nd.concat(p1, p2, p3, p4, dim=1)


def googlenet():
    b1 = nn.Sequential()
    b1.add(
        nn.Conv2D(64, kernel_size=7, strides=2, padding=3, activation="relu"),
        nn.MaxPool2D(pool_size=3, strides=2, padding=1),
    )
    b2 = nn.Sequential()
    b2.add(
        nn.Conv2D(64, kernel_size=1, activation="relu"),
        nn.Conv2D(192, kernel_size=3, padding=1, activation="relu"),
        nn.MaxPool2D(pool_size=3, strides=2, padding=1),
    )
    b3 = nn.Sequential()
    b3.add(
        _Inception(64, (96, 128), (16, 32), 32),
        _Inception(128, (128, 192), (32, 96), 64),
        nn.MaxPool2D(pool_size=3, strides=2, padding=1),
    )
    b4 = nn.Sequential()
    b4.add(
        _Inception(192, (96, 208), (16, 48), 64),
        _Inception(160, (112, 224), (24, 64), 64),
        _Inception(128, (128, 256), (24, 64), 64),
        _Inception(112, (144, 288), (32, 64), 64),
        _Inception(256, (160, 320), (32, 128), 128),
        nn.MaxPool2D(pool_size=3, strides=2, padding=1),
    )
    b5 = nn.Sequential()
    b5.add(
        _Inception(256, (160, 320), (32, 128), 128),
        _Inception(384, (192, 384), (48, 128), 128),
        nn.GlobalAvgPool2D(),
    )
    net = nn.Sequential()
    net.add(b1, b2, b3, b4, b5, nn.Dense(10))
    return net, (1, 1, 96, 96)


class _Residual(nn.Block):
    def __init__(self, num_channels, use_1x1conv=False, strides=1, **kwargs):
        super().__init__(**kwargs)
        self.conv1 = nn.Conv2D(num_channels, kernel_size=3, padding=1, strides=strides)
        self.conv2 = nn.Conv2D(num_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.Conv2D(num_channels, kernel_size=1, strides=strides)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm()
        self.bn2 = nn.BatchNorm()

    def forward(self, X):
        Y = nd.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        return nd.relu(Y + X)


def _resnet_block(num_channels, num_residuals, first_block=False):
    blk = nn.Sequential()
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.add(_Residual(num_channels, use_1x1conv=True, strides=2))
        else:
            blk.add(_Residual(num_channels))
    return blk


def resnet18():
    net = nn.Sequential()
    net.add(
        nn.Conv2D(64, kernel_size=7, strides=2, padding=3),
        nn.BatchNorm(),
        nn.Activation("relu"),
        nn.MaxPool2D(pool_size=3, strides=2, padding=1),
    )
    net.add(
        _resnet_block(64, 2, first_block=True),
        _resnet_block(128, 2),
        _resnet_block(256, 2),
        _resnet_block(512, 2),
    )
    net.add(nn.GlobalAvgPool2D(), nn.Dense(10))
    return net, (2, 1, 96, 96)


def _conv_block(num_channels):
    blk = nn.Sequential()
    blk.add(nn.BatchNorm(), nn.Activation("relu"), nn.Conv2D(num_channels, kernel_size=3, padding=1))
    return blk


class _DenseBlock(nn.Block):
    def __init__(self, num_convs, num_channels, **kwargs):
        super().__init__(**kwargs)
        self.net = nn.Sequential()
        for _ in range(num_convs):
            self.net.add(_conv_block(num_channels))

    def forward(self, X):
        for blk in self.net:
            Y = blk(X)
            X = nd.concat(X, Y, dim=1)
        return X


def _transition_block(num_channels):
    blk = nn.Sequential()
    blk.add(
        nn.BatchNorm(),
        nn.Activation("relu"),
        nn.Conv2D(num_channels, kernel_size=1),
        nn.AvgPool2D(pool_size=2, strides=2),
    )
    return blk


def densenet():
    net = nn.Sequential()
    net.add(
        nn.Conv2D(64, kernel_size=7, strides=2, padding=3),
        nn.BatchNorm(),
        nn.Activation("relu"),
        nn.MaxPool2D(pool_size=3, strides=2, padding=1),
    )
    num_channels, growth_rate = 64, 32
    num_convs_in_dense_blocks = [4, 4, 4, 4]
    for i, num_convs in enumerate(num_convs_in_dense_blocks):
        net.add(_DenseBlock(num_convs, growth_rate))
        num_channels += num_convs * growth_rate
        if i != len(num_convs_in_dense_blocks) - 1:
            num_channels //= 2
            net.add(_transition_block(num_channels))
    net.add(nn.BatchNorm(), nn.Activation("relu"), nn.GlobalAvgPool2D(), nn.Dense(10))
    return net, (2, 1, 96, 96)


# name -> (builder, whether MXNet's own .params file is committed for it; the large ones get
# their values from fill() instead, so the repository stays small)
MODELS = {
    "mlp": (mlp, True),
    "shared": (shared, True),
    "lenet": (lenet, True),
    "alexnet": (alexnet, False),
    "vgg11": (vgg11, False),
    "nin": (nin, False),
    "googlenet": (googlenet, False),
    "resnet18": (resnet18, False),
    "densenet": (densenet, False),
}


def fill(net) -> None:
    """Give every parameter values that depend only on its structural name and shape.

    NumPy's legacy RandomState stream is the same in every NumPy version, so MXNet (NumPy 1.23)
    and regluon (NumPy 2) see identical values.
    """
    params = net._collect_params_with_prefix()
    for i, name in enumerate(sorted(params)):
        p = params[name]
        rs = np.random.RandomState(1000 + i)
        if name.endswith(("gamma", "running_var")):
            value = rs.uniform(0.5, 1.5, p.shape)
        elif name.endswith(("beta", "bias", "running_mean")):
            value = rs.uniform(-0.1, 0.1, p.shape)
        else:
            fan_in = int(np.prod(p.shape[1:])) if len(p.shape) > 1 else 1
            value = rs.uniform(-1, 1, p.shape) * np.sqrt(3.0 / fan_in)
        p.set_data(nd.array(value.astype("float32")))


def example_input(shape, seed=7):
    return nd.array(np.random.RandomState(seed).uniform(-1, 1, shape).astype("float32"))
