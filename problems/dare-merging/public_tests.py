"""Public tests: the prompt's worked example, drop_rate 0 (plain task arithmetic), and one
test per clause of the prompt on small state dicts with the draws in view (the hidden tests
merge BatchNorm models)."""

import torch

from judge.testing import expect, expect_close, expect_inputs_unchanged, expect_raises

T = torch.tensor


def family() -> tuple[dict, list[dict]]:
    """pretrained and two fine-tuned models: tau_1 = a [2, -1], b [2]; tau_2 = a [1, 3], b [-1]."""
    pre = {"a": T([1.0, 1.0]), "n": T(5), "b": T([2.0])}
    fts = [
        {"a": T([3.0, 0.0]), "n": T(7), "b": T([4.0])},
        {"a": T([2.0, 4.0]), "n": T(9), "b": T([1.0])},
    ]
    return pre, fts


def test_the_prompts_example(candidate, mistakes):
    pre = {"w": torch.zeros(6)}
    fts = [
        {"w": torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])},
        {"w": torch.tensor([-1.0, 1.0, -1.0, 1.0, -1.0, 1.0])},
    ]
    expect_close(
        candidate.dare_merge(pre, fts, 0.5, 1.0, torch.Generator().manual_seed(0)),
        {"w": torch.tensor([0.0, 6.0, 0.0, 2.0, 0.0, 12.0])},
        name="dare_merge(drop_rate=0.5, seed 0)",
        mistakes=mistakes.on(
            lambda m: m.dare_merge(pre, fts, 0.5, 1.0, torch.Generator().manual_seed(0))
        ),
    )


def test_drop_rate_zero_is_task_arithmetic(candidate, mistakes):
    pre = {"w": torch.tensor([[1.0, 2.0], [3.0, 4.0]])}
    fts = [
        {"w": torch.tensor([[2.0, 2.0], [1.0, 4.0]])},
        {"w": torch.tensor([[1.0, 3.0], [3.0, 6.0]])},
    ]
    # pre + 0.5 * (tau_1 + tau_2) = pre + 0.5 * [[1, 1], [-2, 2]]
    expect_close(
        candidate.dare_merge(pre, fts, 0.0, 0.5, torch.Generator().manual_seed(1)),
        {"w": torch.tensor([[1.5, 2.5], [2.0, 5.0]])},
        name="dare_merge(drop_rate=0, scale=0.5)",
        mistakes=mistakes.on(
            lambda m: m.dare_merge(pre, fts, 0.0, 0.5, torch.Generator().manual_seed(1))
        ),
    )


def test_draws_go_model_by_model_then_key_by_key(candidate, mistakes):
    """Example. Two models, floating keys "a" (2 entries) and "b" (1 entry), and a counter "n"
    (no draw, copied from pretrained). torch.Generator().manual_seed(1) gives
    [0.7576, 0.2793, 0.4031, 0.7347, 0.0293, 0.7999]; at drop_rate 0.5 model 1 takes the
    first three (a: keep, drop; b: drop) and model 2 the next three (a: keep, drop; b: keep),
    survivors doubled: a = [1, 1] + 2 [2, 0] + 2 [1, 0] = [7, 1], b = 2 + 0 + 2 (-1) = 0.
    Drawing key by key instead would give model 2's "a" the draws 0.4031, 0.7347: [5, 7].

    中文：两个模型，浮点键 "a"（2 个元素）和 "b"（1 个元素），还有计数器 "n"（不抽样，照抄
    pretrained）。torch.Generator().manual_seed(1) 依次给出
    [0.7576, 0.2793, 0.4031, 0.7347, 0.0293, 0.7999]；drop_rate 0.5 时模型 1 用前三个（a：保留、
    丢弃；b：丢弃），模型 2 用后三个（a：保留、丢弃；b：保留），保留的元素乘 2：
    a = [1, 1] + 2 [2, 0] + 2 [1, 0] = [7, 1]，b = 2 + 0 + 2 (-1) = 0。若按键逐个抽样，模型 2
    的 "a" 会用到 0.4031、0.7347，得到 [5, 7]。
    """
    pre, fts = family()
    expect_close(
        candidate.dare_merge(pre, fts, 0.5, 1.0, torch.Generator().manual_seed(1)),
        {"a": T([7.0, 1.0]), "n": T(5), "b": T([0.0])},
        name="dare_merge(drop_rate=0.5, seed 1)",
        mistakes=mistakes.on(
            lambda m: m.dare_merge(pre, fts, 0.5, 1.0, torch.Generator().manual_seed(1))
        ),
    )


def test_a_used_generator_continues_where_it_is(candidate, mistakes):
    """Example. The generator is used in the state it is passed in. Seeded 0 and then asked
    for 6 numbers, its next draw is the prompt's second one,
    [0.4901, 0.8964, 0.4556, 0.6323, 0.3489, 0.4017]: with tau = [1, 2, 3, 4, 5, 6] and
    drop_rate 0.5 entries 1 and 3 survive, doubled: [0, 4, 0, 8, 0, 0].

    中文：生成器按传入时的状态使用。以 0 为种子、先取走 6 个数之后，它接下来的一次抽样就是
    题目例子里的第二次：[0.4901, 0.8964, 0.4556, 0.6323, 0.3489, 0.4017]；tau = [1, 2, 3, 4, 5, 6]、
    drop_rate 0.5 时第 1、3 个元素保留并乘 2：[0, 4, 0, 8, 0, 0]。
    """
    pre = {"w": torch.zeros(6)}
    fts = [{"w": T([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])}]

    def used_generator() -> torch.Generator:
        g = torch.Generator().manual_seed(0)
        torch.rand(6, generator=g)
        return g

    expect_close(
        candidate.dare_merge(pre, fts, 0.5, 1.0, used_generator()),
        {"w": T([0.0, 4.0, 0.0, 8.0, 0.0, 0.0])},
        name="dare_merge with a generator that already drew 6 numbers",
        mistakes=mistakes.on(lambda m: m.dare_merge(pre, fts, 0.5, 1.0, used_generator())),
    )


def test_invalid_inputs_raise(candidate, mistakes):
    """An empty list, other keys or shapes, or a drop_rate outside [0, 1) raise ValueError."""
    hint = mistakes.hint("no_validation")
    pre, fts = family()
    cases = [
        ("no fine-tuned models", [], 0.5),
        ("a model without key 'b'", [fts[0], {"a": T([0.0, 0.0]), "n": T(1)}], 0.5),
        ("'a' of shape (3,)", [{**fts[0], "a": T([1.0, 2.0, 3.0])}], 0.5),
        ("drop_rate 1", fts, 1.0),
        ("drop_rate -0.2", fts, -0.2),
    ]
    for what, models, p in cases:
        expect_raises(
            ValueError,
            lambda models=models, p=p: candidate.dare_merge(
                pre, models, p, 1.0, torch.Generator().manual_seed(0)
            ),
            name=what,
            hint=hint,
        )


def test_inputs_are_not_modified_and_results_are_new(candidate, mistakes):
    """The state dicts passed in keep their values, and no returned tensor (not even the
    copied counter "n") shares memory with an input."""
    pre, fts = family()
    expect_inputs_unchanged(
        candidate,
        "dare_merge",
        pre,
        fts,
        0.5,
        1.0,
        torch.Generator().manual_seed(2),
        mistakes=mistakes,
        new_tensors=True,
    )


def test_one_generator_state_gives_one_result(candidate, mistakes):
    """Two generators seeded alike give the same merged model: every mask comes from the
    generator passed in, none from the global RNG."""
    pre, fts = family()
    first = candidate.dare_merge(pre, fts, 0.5, 1.0, torch.Generator().manual_seed(4))
    again = candidate.dare_merge(pre, fts, 0.5, 1.0, torch.Generator().manual_seed(4))
    expect(
        all(torch.equal(first[k], again[k]) for k in first),
        "two calls with generators seeded 4 gave different results",
        hint=mistakes.hint("global_rng"),
    )
