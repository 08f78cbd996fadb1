"""PyTorch's side of bench/fused.bench.ts: the seed's training loop, one thread, timed.

Usage: python3 bench/torch-train.py CASE N EPOCHS WARMUP [BATCH], or `info` for the
PyTorch version and the BLAS library it runs on.
CASE is `perceptron` (2-1, BCE, SGD lr 0.01) or `mlp` (2-64-64-1 ReLU, BCE, Adam lr 1e-3).
Prints the mean seconds per epoch over the EPOCHS after WARMUP untimed ones; an epoch is
what the seed does: forward, loss, zero_grad, backward, step and loss.item() per batch.
"""
import sys
import time

import torch
from torch import nn

torch.set_num_threads(1)
if sys.argv[1] == 'info':
    torch.ones(2, 2) @ torch.ones(2, 2)
    blas = sorted({line.split()[-1].split('/')[-2] + '/' + line.split()[-1].split('/')[-1]
                   for line in open('/proc/self/maps') if 'blas' in line and '.so' in line})
    print('PyTorch %s, BLAS: %s' % (torch.__version__, ', '.join(blas) or 'built in'))
    sys.exit(0)
case, n, epochs, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
batch = int(sys.argv[5]) if len(sys.argv) > 5 else n

g = torch.Generator().manual_seed(1)
X = torch.rand(n, 2, generator=g) * 2 - 1
y = ((X[:, 0] * X[:, 1]) > 0).float().reshape(-1, 1)
torch.manual_seed(2)
if case == 'perceptron':
    model = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
else:
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1), nn.Sigmoid())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.BCELoss()


def epoch():
    running = 0.0
    for start in range(0, n, batch):
        out = model(X[start:start + batch])
        loss = crit(out, y[start:start + batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
        running += loss.item()
    return running


for _ in range(warmup):
    epoch()
t0 = time.perf_counter()
for _ in range(epochs):
    epoch()
print((time.perf_counter() - t0) / epochs)
