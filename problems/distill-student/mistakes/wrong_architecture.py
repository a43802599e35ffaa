"""The student has the wrong architecture: it must be exactly
nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)) (2,410 parameters); a wider
or deeper student is not the model the deployment asked for.
"""

import torch
import torch.nn.functional as F
from torch import nn


def distill(teacher, x_labeled, y_labeled, x_unlabeled, seed, time_budget_s):
    torch.manual_seed(seed)
    student = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    x_all = torch.cat([x_labeled, x_unlabeled])
    with torch.no_grad():
        soft = F.softmax(teacher(x_all) / 4.0, dim=1)
    opt = torch.optim.Adam(student.parameters(), lr=3e-3)
    for _ in range(300):
        idx = torch.randint(len(x_all), (128,))
        loss = F.kl_div(
            F.log_softmax(student(x_all[idx]) / 4.0, dim=1), soft[idx], reduction="batchmean"
        )
        opt.zero_grad()
        loss.backward()
        opt.step()
    return student
