import torch


def adapt(model, x, y, loss_fn, inner_lr, steps=1, first_order=False):
    # in-place SGD on the model itself: changes the caller's model
    opt = torch.optim.SGD(model.parameters(), lr=inner_lr)
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return dict(model.named_parameters())
