"""reference exports exactly the public algorithms, each with its problem's contract signature."""

import inspect

import reference


def test_all_is_exact_and_sorted() -> None:
    public = {
        name
        for name, value in vars(reference).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert set(reference.__all__) == public
    assert reference.__all__ == sorted(reference.__all__)


def test_problem_entry_points_have_the_contract_signatures() -> None:
    contracts = {
        "adapt": "(model, x, y, loss_fn, inner_lr, steps=1, first_order=False)",
        "maml_meta_gradient": "(model, tasks, loss_fn, inner_lr, steps=1, first_order=False)",
        "reptile_step": "(model, x, y, loss_fn, inner_lr, inner_steps, outer_lr)",
        "meta_sgd_adapt": "(model, lrs, x, y, loss_fn)",
        "sample_episode": "(labels, n_way, k_shot, n_query, seed)",
        "prototypical_logits": "(support, support_y, query, n_way)",
        "distillation_loss": "(student_logits, teacher_logits, labels, temperature, alpha)",
        "distill": "(teacher, x_labeled, y_labeled, x_unlabeled, seed, time_budget_s)",
        "magnitude_prune": "(model, sparsity, scope='global')",
        "quantize_per_channel": "(weight)",
        "dequantize": "(q, scale)",
        "low_rank_linear": "(layer, rank)",
        "LoRALinear": "(base, r, alpha)",
        "nm_mask": "(weight, n=2, m=4)",
        "prune_neurons": "(model, amount)",
        "quantize_int4": "(weight, group_size)",
        "dequantize_int4": "(packed, scales, zeros)",
        "fake_quantize_ste": "(x, scale, zero_point, qmin, qmax)",
        "average_state_dicts": "(state_dicts, weights=None)",
        "greedy_soup": "(model, state_dicts, x_val, y_val)",
        "task_vector": "(pretrained, finetuned)",
        "apply_task_vectors": "(pretrained, vectors, scale)",
        "fisher_merge": "(state_dicts, fishers, eps=1e-08)",
        "ties_merge": "(pretrained, finetuned, density, scale)",
        "dare_merge": "(pretrained, finetuned, drop_rate, scale, generator)",
        "align_mlp": "(model_a, model_b)",
    }
    for name, want in contracts.items():
        sig = inspect.signature(getattr(reference, name))
        plain = sig.replace(
            parameters=[
                p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()
            ],
            return_annotation=inspect.Signature.empty,
        )
        assert str(plain) == want, name
