"""Minibatch Hinton distillation: KL at T = 3 on random batches of all the images (soft
targets computed once), plus cross-entropy on the labelled ones; Adam with a step decay."""

import time

import torch
import torch.nn.functional as F
from torch import nn


def distill(teacher, x_labeled, y_labeled, x_unlabeled, seed, time_budget_s):
    deadline = time.monotonic() + 0.5 * time_budget_s
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    student = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    x_all = torch.cat([x_labeled, x_unlabeled])
    teacher.eval()
    with torch.no_grad():
        soft = F.softmax(teacher(x_all) / 3.0, dim=1)
    opt = torch.optim.Adam(student.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=200, gamma=0.3)
    for _ in range(500):
        if time.monotonic() > deadline:
            break
        idx = torch.randint(len(x_all), (256,), generator=g)
        log_q = F.log_softmax(student(x_all[idx]) / 3.0, dim=1)
        kd = F.kl_div(log_q, soft[idx], reduction="batchmean") * 9.0
        ce = F.cross_entropy(student(x_labeled), y_labeled)
        loss = 0.9 * kd + 0.1 * ce
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    return student.eval()
