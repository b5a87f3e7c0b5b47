"""The unit rows of features (each row divided by its Euclidean norm), by
which cosine similarities are taken (:mod:`.similarity`) and the cosine kNN
searches rank neighbours: ``F.normalize``'s numbers with a cheaper backward,
a gradient of 0 at an all-zero row, and tiny rows lifted (huge ones
brought down) before they are normalised, so that cosine is scale-free at
any scale."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

# torch.nn.functional.normalize's eps: rows of smaller norm are divided by it
_EPS = 1e-12


class _UnitRows(torch.autograd.Function):
    # F.normalize(x, dim=-1) with the same forward (bitwise) and its
    # gradient in closed form, dx = (g - y <g, y>) / |x|, except at a zero
    # row (the only rows below eps here, _lift_tiny_rows lifts the others),
    # where it is 0: the cosine is not continuous there, and F.normalize's
    # g / 1e-12 sent 1e12 x the incoming gradient into whatever made the
    # row (a projection, an encoder), the dense and sparse backends not
    # even agreeing on it (the dense one keeps the row's zero entries).
    # Autograd's backward of F.normalize (a division by an expanded norm,
    # then the norm's backward) makes about six [N, d] temporaries, each
    # fresh pages above glibc's mmap threshold (measured: 0.57-1.1 s against
    # 0.11-0.15 s at N = 262144, d = 128, one thread). The backward is made
    # of differentiable ops (double backward works). Forward and
    # setup_context apart: torch.func (grad over functional_call, as
    # meta-learning does) refuses a Function whose forward takes ctx; the
    # Jacobian (I - y y^T) / |x| is symmetric, so forward mode (torch.func.jvp,
    # Hessian-vector products) applies the backward's map to the tangent.
    # torch.func.jacfwd and hessian vmap that tangent: torch's own rule for
    # a Function of torch ops maps each of these over it.
    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor, norm: Tensor | None) -> Tensor:
        # norm: the rows' norms when already taken (_lift_tiny_rows)
        if norm is None:
            norm = x.norm(2, -1, keepdim=True)
        return x / norm.clamp_min(_EPS)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0], output)
        ctx.save_for_forward(inputs[0], output)

    @staticmethod
    def backward(ctx, grad: Tensor):
        # create_graph=True: no in-place op
        return _UnitRows._apply_jacobian(*ctx.saved_tensors, grad,
                                         torch.is_grad_enabled()), None

    @staticmethod
    def jvp(ctx, x_t: Tensor, _norm_t) -> Tensor:
        return _UnitRows._apply_jacobian(*ctx.saved_tensors, x_t, True)

    @staticmethod
    def _apply_jacobian(x: Tensor, y: Tensor, grad: Tensor, fresh: bool) -> Tensor:
        norm = x.norm(2, -1, keepdim=True)
        dot = torch.einsum("...d,...d->...", grad, y).unsqueeze(-1)
        nonzero = norm >= _EPS
        out = torch.addcmul(grad, y, torch.where(nonzero, dot, 0), value=-1)
        # a zero row divides by inf: gradient 0, the others' bitwise as before
        scale = torch.where(nonzero, norm, torch.inf)
        return out / scale if fresh else out.div_(scale)


def unit_rows(x: Tensor) -> Tensor:
    """``x`` with each row (last dimension) divided by its Euclidean norm,
    an all-zero row staying 0 (its gradient 0): ``F.normalize(x, dim=-1)``,
    bitwise, on rows of norm at least 1e-12 and on zero rows, with a
    backward that makes one temporary of ``x``'s size, not six. A non-zero row of smaller norm,
    or one whose squared norm overflows, is first divided by its largest
    magnitude (:func:`_lift_tiny_rows`).
    16-bit ``x`` is normalised in float32 and rounded back: 1e-12 is 0 in
    float16, where ``F.normalize`` makes an all-zero row NaN."""
    if x.dtype in (torch.float16, torch.bfloat16):
        return unit_rows(x.float()).to(x.dtype)
    x, norm = _lift_tiny_rows(x)
    if torch.compiler.is_compiling():  # Dynamo fails on the Function; the
        y = F.normalize(x, dim=-1)  # compiler fuses autograd's backward
        return torch.where(x.detach().abs().amax(-1, keepdim=True) > 0, y, y.detach())
    return _UnitRows.apply(x, norm)


def _lift_tiny_rows(x: Tensor) -> tuple[Tensor, Tensor | None]:
    """``x`` with each non-zero row of norm below 1e-12, or of a norm that
    overflows (inf: a squared norm beyond the dtype's range, from about
    1e19 in float32), divided by its largest magnitude, and the rows' norms
    (:obj:`None` where rows were divided), which the normalisation then
    reuses. An overflowed norm made the unit row 0 (x / inf), the cosine of
    such a row 0 with every unit. ``F.normalize`` divides such a row by 1e-12, not by
    its norm, so the cosine of tiny features would be about 0 whatever
    their directions (float64 features of scale 1e-13 would keep neighbours
    by index), and their squared norm underflows (float32 from about 1e-19). Cosine is
    scale-free: dividing a row by a constant (the magnitude is detached)
    changes neither its unit row nor that row's gradient. The test reads
    the norm, one pass, not the magnitudes (5x its time on the CPU), and
    only rows below it (zero rows, padding) cost more."""
    with torch.no_grad():
        norm = x.norm(2, -1, keepdim=True)
        low = (norm < _EPS) | (norm == torch.inf)
    if not torch.compiler.is_compiling() and not bool(low.any()):  # one host sync
        return x, norm
    with torch.no_grad():
        top = x.abs().amax(-1, keepdim=True)
        tiny = low & (top > 0)
    return torch.where(tiny, x / torch.where(tiny, top, torch.ones_like(top)), x), None
