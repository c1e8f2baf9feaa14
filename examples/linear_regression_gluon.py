"""The seed: Dive into Deep Learning (Chinese 1st ed.), "concise linear regression" with Gluon.

The code cells of ``shared/seed/000_db90226088aa8aa2.txt`` as a script, unchanged except that
values the notebook displays are printed. Run with ``make demo``.
"""

# 生成数据集
from mxnet import autograd, nd

num_inputs = 2
num_examples = 1000
true_w = [2, -3.4]
true_b = 4.2
features = nd.random.normal(scale=1, shape=(num_examples, num_inputs))
labels = true_w[0] * features[:, 0] + true_w[1] * features[:, 1] + true_b
labels += nd.random.normal(scale=0.01, shape=labels.shape)

from mxnet.gluon import data as gdata  # noqa: E402

batch_size = 10
# 将训练数据的特征和标签组合
dataset = gdata.ArrayDataset(features, labels)
# 随机读取小批量
data_iter = gdata.DataLoader(dataset, batch_size, shuffle=True)

for X, y in data_iter:
    print(X, y)
    break

# 准备工作
from mxnet.gluon import loss as gloss  # noqa: E402
from mxnet.gluon import nn  # noqa: E402

from mxnet import gluon, init  # noqa: E402

net = nn.Sequential()
net.add(nn.Dense(1))
net.initialize(init.Normal(sigma=0.01))
loss = gloss.L2Loss()
trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.03})

# 训练模型
num_epochs = 3
for epoch in range(1, num_epochs + 1):
    for X, y in data_iter:
        with autograd.record():
            l = loss(net(X), y)
        l.backward()
        trainer.step(batch_size)
    l = loss(net(features), labels)
    print("epoch %d, loss: %f" % (epoch, l.mean().asnumpy()))

dense = net[0]
print((true_w, dense.weight.data()))
print((true_b, dense.bias.data()))
print(dense.weight.grad())
