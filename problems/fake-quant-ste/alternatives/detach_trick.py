"""Written differently: the exact forward value plus (g - g.detach()) of a surrogate g whose
derivatives are the STE and LSQ ones; no custom autograd.Function."""

import torch


def fake_quantize(x, scale, zero_point, qmin, qmax):
    if not qmin < qmax:
        raise ValueError("qmin must be below qmax")
    if (scale <= 0).any():
        raise ValueError("scale must be positive")
    v = x / scale
    r = torch.round(v).detach()
    code = r + zero_point
    inside = (code >= qmin) & (code <= qmax)
    exact = (code.clamp(qmin, qmax) - zero_point) * scale
    # Inside: d/dx = 1 and d/ds = round(v) - v; outside: d/dx = 0 and d/ds = q - z.
    surrogate = torch.where(
        inside, x + scale * (r - v).detach(), (code.clamp(qmin, qmax) - zero_point) * scale
    )
    return exact.detach() + surrogate - surrogate.detach()
