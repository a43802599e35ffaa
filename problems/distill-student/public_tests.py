"""Public test for distill-student: seed 0, five labels per digit.

The same checks as the hidden tests (which use other seeds and also three labels per
digit): the exact student architecture, test accuracy at least 90%, and better than the
same student trained on the 50 labelled images alone. The teacher is trained once (about
half a minute) and cached under .judge-cache/.
"""

import os
from functools import lru_cache
from pathlib import Path

import torch

from judge.testing import expect
from reference.data import (
    accuracy,
    digits_split,
    few_labels_split,
    make_student,
    make_teacher,
    train_classifier,
    trained_teacher,
)

BUDGET_S = 60.0
THRESHOLD = 0.90
CACHE = Path(__file__).resolve().parents[2] / ".judge-cache" / "distill-student-teacher-0.pt"
STUDENT_SHAPES = {"0.weight": (32, 64), "0.bias": (32,), "2.weight": (10, 32), "2.bias": (10,)}


@lru_cache(maxsize=1)
def teacher_state() -> dict[str, torch.Tensor]:
    try:
        state = torch.load(CACHE, weights_only=True)
        make_teacher(0).load_state_dict(state)
        return state
    except (OSError, RuntimeError, ValueError, KeyError, EOFError):
        pass
    state = {k: v.clone() for k, v in trained_teacher(0).state_dict().items()}
    try:
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        tmp = CACHE.with_suffix(f".{os.getpid()}.tmp")
        torch.save(state, tmp)
        os.replace(tmp, CACHE)
    except OSError:
        pass
    return state


def test_seed_0(candidate):
    """Example. Digits with 5 labelled images per class (seed 0) and the rest unlabelled:
    the distilled student's parameters have the shapes STUDENT_SHAPES, and its test
    accuracy reaches the threshold and beats a student trained on the labels alone.

    中文：digits 数据集，每类 5 张有标签图片（seed 0），其余图片无标签：蒸馏出的学生参数形状为
    `STUDENT_SHAPES`，其测试准确率达到阈值，并且高于只用标签训练的学生。"""
    split = digits_split()
    x_l, y_l, x_u, _ = few_labels_split(split.x_train, split.y_train, 5, 0)
    teacher = make_teacher(0)
    teacher.load_state_dict(teacher_state())
    state = candidate.distill(teacher.eval(), x_l, y_l, x_u, 0, BUDGET_S)
    shapes = {k: tuple(v.shape) for k, v in state.items()} if isinstance(state, dict) else state
    expect(
        shapes == STUDENT_SHAPES, f"the student's parameters are {shapes}, want {STUDENT_SHAPES}"
    )
    student = make_student(0)
    student.load_state_dict(state)
    acc = accuracy(student, split.x_test, split.y_test)
    torch.manual_seed(0)
    baseline = train_classifier(
        make_student(0), x_l, y_l, epochs=300, lr=3e-3, batch_size=len(x_l), seed=0, input_noise=0.1
    )
    base = accuracy(baseline, split.x_test, split.y_test)
    expect(acc >= THRESHOLD, f"test accuracy {100 * acc:.1f}%, needs {100 * THRESHOLD:.0f}%")
    expect(
        acc > base, f"test accuracy {100 * acc:.1f}% does not beat labels alone ({100 * base:.1f}%)"
    )
