"""Distillation by regressing the teacher's logits (Ba & Caruana 2014, the high-temperature
limit of Hinton's loss): batches of 512 images, each jittered by a little Gaussian noise so
that the teacher is also matched around the data."""

import time

import torch
import torch.nn.functional as F
from torch import nn


def distill(teacher, x_labeled, y_labeled, x_unlabeled, seed, time_budget_s):
    deadline = time.monotonic() + 0.5 * time_budget_s
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    student = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    pool = torch.cat([x_labeled, x_unlabeled])
    opt = torch.optim.Adam(student.parameters(), lr=1e-2)
    teacher.eval()
    for _ in range(300):
        if time.monotonic() > deadline:
            break
        xb = pool[torch.randperm(len(pool), generator=g)[:512]]
        xb = (xb + 0.05 * torch.randn(xb.shape, generator=g)).clamp(0, 1)
        with torch.no_grad():
            target = teacher(xb)
            target = target - target.mean(dim=1, keepdim=True)
        out = student(xb)
        loss = F.mse_loss(out - out.mean(dim=1, keepdim=True), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return student.eval()
