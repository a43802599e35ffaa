"""This is joint pretraining, not meta-learning: the network is fitted to points from all
tasks at once, so it learns the average sinusoid, and one or ten small SGD steps from there
barely adapt it to a new task. Train the initialisation for what happens after
adaptation: the MAML outer loss is the query loss after the inner step(s).

(It uses a fraction of the budget: more pretraining does not help.)
"""

import time

import torch
from torch import nn


def meta_train(seed, time_budget_s):
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(1, 40), nn.ReLU(), nn.Linear(40, 40), nn.ReLU(), nn.Linear(40, 1)
    )
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    end = time.monotonic() + min(10.0, 0.5 * time_budget_s)
    while time.monotonic() < end:
        amp = 0.1 + 4.9 * torch.rand(25, 1, generator=gen)
        phase = torch.pi * torch.rand(25, 1, generator=gen)
        x = -5 + 10 * torch.rand(25, 20, generator=gen)
        loss = (model(x.unsqueeze(-1)).squeeze(-1) - amp * torch.sin(x - phase)).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model
