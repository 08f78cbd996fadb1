"""Builds test/fixtures/torch-optim.json: PyTorch references for the trainers' tests.

Run with Debian's PyTorch (`apt-get install python3-torch`; 1.13):
    /usr/bin/python3 scripts/torch-fixtures.py > test/fixtures/torch-optim.json

Three groups, each trained the way the seed tutorial trains (forward on the batch, loss,
zero_grad, backward, step; an epoch's loss is the batch's loss before its step, or with
minibatches the plain mean of the batch losses):
- perceptron: the seed's data and Linear(2, 1) from torch.manual_seed(2), BCE, every
  optimizer variant, full batch and batches of 32;
- mlp: a 2-5-4-1 network from torch.manual_seed(7) on 48 points, every hidden activation
  x loss x optimizer variant x full batch / batches of 20;
- xor: pipelines/xor-mlp.yaml (2-4-1 sigmoid, torch.manual_seed(5), SGD lr 1.0, 3000 epochs);
- soft: the perceptron with soft labels (0.1 and 0.9 for 0 and 1), BCE, SGD lr 0.1, full
  batch and batches of 32 (BCE's general formula, with both logarithms).
Every float is a float32 value written exactly (as a Python float); the data as float32.
"""
import json
import sys

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)

SGD_VARIANTS = [
    ('sgd', dict()),
    ('sgd-momentum', dict(momentum=0.9)),
    ('sgd-dampening', dict(momentum=0.9, dampening=0.5)),
    ('sgd-nesterov', dict(momentum=0.9, nesterov=True)),
    ('sgd-weight-decay', dict(weight_decay=0.05)),
]
ADAM_VARIANTS = [
    ('adam', dict()),
    ('adam-weight-decay', dict(weight_decay=0.05)),
    ('adam-amsgrad', dict(amsgrad=True)),
]


def full_spec(name, lr, settings):
    """The optimizer as rxlab's OptimizerSpec, every default filled in."""
    if name.startswith('sgd'):
        spec = dict(name='sgd', lr=lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0)
    else:
        spec = dict(name='adam', lr=lr, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.0, amsgrad=False)
    spec.update(settings)
    return spec


def make_optimizer(spec, params):
    s = dict(spec)
    name = s.pop('name')
    if name == 'sgd':
        return torch.optim.SGD(params, foreach=False, **s)
    s['betas'] = tuple(s['betas'])
    return torch.optim.Adam(params, foreach=False, **s)


def network(layers, activation, seed):
    torch.manual_seed(seed)
    act = {'sigmoid': nn.Sigmoid, 'relu': nn.ReLU, 'tanh': nn.Tanh}[activation]
    mods = []
    for i in range(len(layers) - 1):
        mods.append(nn.Linear(layers[i], layers[i + 1]))
        mods.append(act() if i < len(layers) - 2 else nn.Sigmoid())
    return nn.Sequential(*mods)


def params_of(model):
    return [dict(weight=m.weight.detach().tolist(), bias=m.bias.detach().tolist())
            for m in model if isinstance(m, nn.Linear)]


def train(model, X, y, loss, spec, epochs, batch_size):
    crit = nn.BCELoss() if loss == 'bce' else nn.MSELoss()
    opt = make_optimizer(spec, model.parameters())
    n = X.shape[0]
    size = batch_size or n
    losses = []
    for _ in range(epochs):
        running, batches = 0.0, 0
        for start in range(0, n, size):
            out = model(X[start:start + size])
            value = crit(out, y[start:start + size])
            opt.zero_grad()
            value.backward()
            opt.step()
            running += value.item()
            batches += 1
        losses.append(running if batches == 1 else running / batches)
    return losses


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64).tolist()


def tensors(X, y):
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32).reshape(-1, 1)


def perceptron(reference):
    data = reference['dataset']
    X, y = tensors(data['X'], data['y'])
    points = [[1.0, -1.0], [-1.0, 1.0]]
    runs = []
    for variants, lr in ((SGD_VARIANTS, 0.1), (ADAM_VARIANTS, 0.05)):
        for label, settings in variants:
            for batch_size in (None, 32):
                model = network([2, 1], 'sigmoid', 2)
                spec = full_spec(label, lr, settings)
                losses = train(model, X, y, 'bce', spec, 100, batch_size)
                probs = model(torch.tensor(points)).detach().reshape(-1).tolist()
                runs.append(dict(label=label, optimizer=spec, batch_size=batch_size, epochs=100, losses=losses,
                                 final=params_of(model), probs=probs))
    init = params_of(network([2, 1], 'sigmoid', 2))
    return dict(layers=[2, 1], seed=2, init=init, points=points, runs=runs)


def soft(reference):
    data = reference['dataset']
    labels = [0.1 + 0.8 * v for v in data['y']]
    X, y = tensors(data['X'], labels)
    runs = []
    for batch_size in (None, 32):
        model = network([2, 1], 'sigmoid', 2)
        spec = full_spec('sgd', 0.1, {})
        losses = train(model, X, y, 'bce', spec, 100, batch_size)
        runs.append(dict(label='sgd', optimizer=spec, batch_size=batch_size, epochs=100, losses=losses, final=params_of(model)))
    return dict(y=f32(labels), runs=runs)


def mlp():
    rs = np.random.RandomState(0)
    Xn = rs.normal(size=(48, 2)).astype(np.float32)
    yn = ((Xn[:, 0] * Xn[:, 1]) > 0).astype(np.float32)
    X, y = tensors(Xn, yn)
    layers = [2, 5, 4, 1]
    runs = []
    for activation in ('sigmoid', 'relu', 'tanh'):
        for loss in ('bce', 'mse'):
            for variants, lr in ((SGD_VARIANTS, 0.2), (ADAM_VARIANTS, 0.02)):
                for label, settings in variants:
                    for batch_size in (None, 20):
                        model = network(layers, activation, 7)
                        spec = full_spec(label, lr, settings)
                        losses = train(model, X, y, loss, spec, 60, batch_size)
                        runs.append(dict(activation=activation, loss=loss, label=label, optimizer=spec,
                                         batch_size=batch_size, epochs=60, losses=losses, final=params_of(model)))
    init = params_of(network(layers, 'sigmoid', 7))
    return dict(dataset=dict(X=f32(Xn), y=f32(yn)), layers=layers, seed=7, init=init, runs=runs)


def xor():
    Xn = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    yn = [0.0, 1.0, 1.0, 0.0]
    X, y = tensors(Xn, yn)
    model = network([2, 4, 1], 'sigmoid', 5)
    init = params_of(model)
    spec = full_spec('sgd', 1.0, {})
    losses = train(model, X, y, 'bce', spec, 3000, None)
    probs = model(X).detach().reshape(-1).tolist()
    return dict(dataset=dict(X=Xn, y=yn), layers=[2, 4, 1], seed=5, optimizer=spec, epochs=3000, init=init,
                losses=losses, final=params_of(model), probs=probs)


reference = json.load(open('test/fixtures/train-reference.json'))
json.dump(dict(about='PyTorch %s references made by scripts/torch-fixtures.py; see test/fixtures/README.md' % torch.__version__,
               perceptron=perceptron(reference), mlp=mlp(), xor=xor(), soft=soft(reference)), sys.stdout, separators=(',', ':'))
