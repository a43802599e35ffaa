"""The returned network is not the required one: it must be exactly
nn.Sequential(nn.Linear(1, 40), nn.ReLU(), nn.Linear(40, 40), nn.ReLU(), nn.Linear(40, 1)),
because the grader rebuilds that architecture and loads your state dict into it.
"""

import torch
from torch import nn


def meta_train(seed, time_budget_s):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 1))
