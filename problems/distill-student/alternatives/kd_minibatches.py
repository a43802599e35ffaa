"""Plain Hinton distillation: KL at T = 3 on minibatches of all the images, plus
cross-entropy on the labelled ones; Adam for a fixed number of steps, within the budget."""

import time

import torch
import torch.nn.functional as F
from torch import nn


def distill(teacher, x_labeled, y_labeled, x_unlabeled, seed, time_budget_s):
    start = time.monotonic()
    torch.manual_seed(seed)
    student = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    x_all = torch.cat([x_labeled, x_unlabeled])
    teacher.eval()
    with torch.no_grad():
        soft = F.softmax(teacher(x_all) / 3.0, dim=1)
    opt = torch.optim.Adam(student.parameters(), lr=3e-3)
    for _ in range(1200):
        if time.monotonic() - start > 0.4 * time_budget_s:
            break
        idx = torch.randint(len(x_all), (128,))
        log_q = F.log_softmax(student(x_all[idx]) / 3.0, dim=1)
        kd = F.kl_div(log_q, soft[idx], reduction="batchmean") * 9.0
        ce = F.cross_entropy(student(x_labeled), y_labeled)
        loss = 0.9 * kd + 0.1 * ce
        opt.zero_grad()
        loss.backward()
        opt.step()
    return student.eval()
