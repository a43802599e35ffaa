"""Correct, readable implementations of what the interview problems ask for.

Meta-learning (MAML, first-order MAML, Reptile, Meta-SGD, ANIL, prototypical networks),
knowledge distillation, compression (pruning, quantization, low-rank layers and LoRA
adapters) and model fusion, plus the synthetic tasks and the one fixed split of
scikit-learn's digits that every benchmark, problem and test uses. Each problem's entry point
(docs/problems.md) exists here with exactly that signature.
"""

from reference.compress import (
    ModelSize,
    apply_masks,
    dequantize,
    fake_quantize,
    finetune_pruned,
    int8_model_bytes,
    iterative_prune,
    low_rank_linear,
    magnitude_prune,
    model_size,
    prunable_weights,
    quantize_per_channel,
)
from reference.data import (
    DigitsSplit,
    accuracy,
    digits_split,
    few_labels_split,
    make_mlp,
    make_student,
    make_teacher,
    train_classifier,
    trained_teacher,
)
from reference.distill import (
    decoupled_kd_loss,
    distill,
    distillation_loss,
    hint_loss,
    soft_target_loss,
    train_student,
)
from reference.fuse import (
    align_mlp,
    apply_task_vectors,
    average_state_dicts,
    dare_merge,
    diagonal_fisher,
    fisher_merge,
    greedy_soup,
    logit_ensemble,
    probability_ensemble,
    task_vector,
    ties_merge,
    uniform_soup,
)
from reference.lora import LoRALinear
from reference.maml import adapt, maml_meta_gradient, meta_sgd_adapt, reptile_step
from reference.meta_train import (
    MetaConfig,
    batched_adapt,
    batched_meta_gradient,
    batched_meta_loss,
    train_maml,
    train_meta_sgd,
    train_reptile,
)
from reference.meta_variants import anil_adapt, imaml_meta_gradient, lslr_multi_step_loss
from reference.models import embedding_net, mlp, mlp_classifier, sinusoid_regressor
from reference.protonet import (
    ProtoConfig,
    evaluate_protonet,
    prototypical_logits,
    train_protonet,
)
from reference.quantize import dequantize_int4, fake_quantize_ste, quantize_int4
from reference.sparsity import nm_mask, prune_neurons
from reference.tasks import (
    GaussianFamily,
    sample_digits_episode,
    sample_episode,
    sample_gaussian_episode,
    sample_sinusoid_tasks,
)

__all__ = [
    "DigitsSplit",
    "GaussianFamily",
    "LoRALinear",
    "MetaConfig",
    "ModelSize",
    "ProtoConfig",
    "accuracy",
    "adapt",
    "align_mlp",
    "anil_adapt",
    "apply_masks",
    "apply_task_vectors",
    "average_state_dicts",
    "batched_adapt",
    "batched_meta_gradient",
    "batched_meta_loss",
    "dare_merge",
    "decoupled_kd_loss",
    "dequantize",
    "dequantize_int4",
    "diagonal_fisher",
    "digits_split",
    "distill",
    "distillation_loss",
    "embedding_net",
    "evaluate_protonet",
    "fake_quantize",
    "fake_quantize_ste",
    "few_labels_split",
    "finetune_pruned",
    "fisher_merge",
    "greedy_soup",
    "hint_loss",
    "imaml_meta_gradient",
    "int8_model_bytes",
    "iterative_prune",
    "logit_ensemble",
    "low_rank_linear",
    "lslr_multi_step_loss",
    "magnitude_prune",
    "make_mlp",
    "make_student",
    "make_teacher",
    "maml_meta_gradient",
    "meta_sgd_adapt",
    "mlp",
    "mlp_classifier",
    "model_size",
    "nm_mask",
    "probability_ensemble",
    "prototypical_logits",
    "prunable_weights",
    "prune_neurons",
    "quantize_int4",
    "quantize_per_channel",
    "reptile_step",
    "sample_digits_episode",
    "sample_episode",
    "sample_gaussian_episode",
    "sample_sinusoid_tasks",
    "sinusoid_regressor",
    "soft_target_loss",
    "task_vector",
    "ties_merge",
    "train_classifier",
    "train_maml",
    "train_meta_sgd",
    "train_protonet",
    "train_reptile",
    "train_student",
    "trained_teacher",
    "uniform_soup",
]
