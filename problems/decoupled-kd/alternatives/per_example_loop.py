"""One example at a time, with index lists: the binary KL written out, the non-target
logits selected by index and log-softmaxed; float64-safe because it keeps the dtype."""

import torch


def decoupled_kd_loss(student_logits, teacher_logits, labels, alpha, beta, temperature):
    if student_logits.ndim != 2 or teacher_logits.shape != student_logits.shape:
        raise ValueError("shape")
    n, c = student_logits.shape
    if c < 2 or tuple(labels.shape) != (n,) or not temperature > 0:
        raise ValueError("classes / labels / temperature")
    if any(int(k) < 0 or int(k) >= c for k in labels):
        raise ValueError("label out of range")
    weights = beta if torch.is_tensor(beta) else torch.full((n,), float(beta))
    if weights.shape != (n,):
        raise ValueError("beta")
    T = float(temperature)
    terms = []
    for i in range(n):
        k = int(labels[i])
        rest = [j for j in range(c) if j != k]
        s = student_logits[i] / T
        t = teacher_logits[i].detach() / T
        ls, lt = torch.log_softmax(s, 0), torch.log_softmax(t, 0)
        bs = torch.stack([ls[k], torch.logsumexp(ls[rest], 0)])
        bt = torch.stack([lt[k], torch.logsumexp(lt[rest], 0)])
        tckd = (bt.exp() * (bt - bs)).sum()
        ns, nt = torch.log_softmax(s[rest], 0), torch.log_softmax(t[rest], 0)
        nckd = (nt.exp() * (nt - ns)).sum()
        terms.append(alpha * tckd + weights[i] * nckd)
    return T * T * torch.stack(terms).mean()
