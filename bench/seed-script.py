"""The seed's PyTorch tutorial as one script (../shared/seed), what rxlab's perceptron pipeline replaces:
make_blobs, the perceptron, 1000 epochs of BCE + SGD printing each loss, the two test points, and
its three figures (the data, the loss curve, the fit with the test points) saved as SVG to argv[1].
Timed by bench/pipeline.bench.ts against `npm run pipeline pipelines/perceptron.yaml`."""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
from sklearn import datasets

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

n_pts = 100
centers = [[-0.5, 0.5], [0.5, -0.5]]
X, y = datasets.make_blobs(n_samples=n_pts, random_state=123, centers=centers, cluster_std=0.4)
x_data = torch.Tensor(X)
y_data = torch.Tensor(y.reshape(100, 1))


def scatter_plot():
    plt.scatter(X[y == 0, 0], X[y == 0, 1])
    plt.scatter(X[y == 1, 0], X[y == 1, 1])


scatter_plot()
plt.savefig(os.path.join(out, "data.svg"))
plt.close()


class Model(nn.Module):
    def __init__(self, input_size, output_size):
        super().__init__()
        self.linear = nn.Linear(input_size, output_size)

    def forward(self, X):
        return torch.sigmoid(self.linear(X))


torch.manual_seed(2)
model = Model(2, 1)
[w, b] = model.parameters()
w1, w2 = w.view(2)


def plot_fit(title):
    plt.title(title)
    x1 = np.array([-2.0, 2.0])
    x2 = (w1.item() * x1 + b.item()) / -w2.item()
    plt.plot(x1, x2, "red")
    scatter_plot()


criterion = nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
epochs = 1000
losses = []
for i in range(epochs):
    y_pred = model.forward(x_data)
    loss = criterion(y_pred, y_data)
    print("epoch: ", i, "loss: ", loss.item())
    losses.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

plt.plot(range(epochs), losses)
plt.ylabel("loss")
plt.xlabel("epoch")
plt.savefig(os.path.join(out, "loss.svg"))
plt.close()

point1 = torch.Tensor([1.0, -1.0])
point2 = torch.Tensor([-1.0, 1.0])
plt.plot(point1.numpy()[0], point1.numpy()[1], "ro")
plt.plot(point2.numpy()[0], point2.numpy()[1], "ko")
print("Red point positive probability = {}".format(model.forward(point1).item()))
print("black point positive probability = {}".format(model.forward(point2).item()))
plot_fit("Trained Model")
plt.savefig(os.path.join(out, "fit.svg"))
plt.close()
