"""Correct, readable implementations of what the interview problems ask for.

Meta-learning (MAML, first-order MAML, Reptile, Meta-SGD, prototypical networks), knowledge
distillation, compression (pruning, quantization, low-rank layers and LoRA adapters) and model
fusion, plus the synthetic tasks and the one fixed split of scikit-learn's digits that every
benchmark, problem and test uses. Each entry point of ../shared/PROBLEMS.md exists here with
exactly that signature.
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
from reference.distill import distill, distillation_loss, soft_target_loss, train_student
from reference.fuse import (
    apply_task_vectors,
    average_state_dicts,
    diagonal_fisher,
    fisher_merge,
    greedy_soup,
    logit_ensemble,
    probability_ensemble,
    task_vector,
    uniform_soup,
)
from reference.lora import LoRALinear
from reference.maml import (
    MetaConfig,
    adapt,
    batched_adapt,
    batched_meta_gradient,
    batched_meta_loss,
    maml_meta_gradient,
    meta_sgd_adapt,
    reptile_step,
    train_maml,
    train_meta_sgd,
    train_reptile,
)
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
    "apply_masks",
    "apply_task_vectors",
    "average_state_dicts",
    "batched_adapt",
    "batched_meta_gradient",
    "batched_meta_loss",
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
    "int8_model_bytes",
    "iterative_prune",
    "logit_ensemble",
    "low_rank_linear",
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
    "train_classifier",
    "train_maml",
    "train_meta_sgd",
    "train_protonet",
    "train_reptile",
    "train_student",
    "trained_teacher",
    "uniform_soup",
]
