"""You returned the teacher (or a model of its size): the point of distillation is a SMALL
student, exactly nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)), 2,410
parameters instead of the teacher's 85,002.
"""

import copy


def distill(teacher, x_labeled, y_labeled, x_unlabeled, seed, time_budget_s):
    return copy.deepcopy(teacher)
