"""The student never learned from the teacher: trained on the 50 labelled images alone it
stays far below what the teacher's soft labels on the unlabelled images can teach it. Use
the teacher's temperature-softened outputs on all the images (labelled and unlabelled) as
targets.
"""

import torch
import torch.nn.functional as F
from torch import nn


def distill(teacher, x_labeled, y_labeled, x_unlabeled, seed, time_budget_s):
    torch.manual_seed(seed)
    student = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    opt = torch.optim.Adam(student.parameters(), lr=1e-2)
    for _ in range(200):
        loss = F.cross_entropy(student(x_labeled), y_labeled)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return student
