"""The torch backend of the exact engine (CPU or CUDA): the same statistics as :func:`attend_exact`.

Streams. Keys come in blocks of :data:`TORCH_STREAM_BLOCK` keys (per device type). Block ``b`` of a
replicate draws its distances from a ``torch.Generator`` seeded from the replicate's SeedSequence child
``(0, b)`` and its tangent directions from child ``(1, b)`` (the tree of :mod:`attnlimits._rng`), so the keys
do not depend on chunk size, workers or order, and the results agree to rounding whatever they are
(bit-identical at a fixed torch thread count: torch splits its CPU reductions by thread). The numbers differ from the numpy backend's for the same
seed, because the bit generators differ: numpy uses PCG64 with its own float and normal transforms; torch's
CPU generator is an mt19937 (its full 19937-bit state is filled from the SeedSequence here, because
``manual_seed`` keeps only 32 bits on the CPU, which would make distinct blocks collide by the birthday
bound), CUDA's is Philox4x32 seeded with 64 bits, and torch's ``rand``/``randn`` map bits to floats
differently; blocks are also larger (a GPU needs millions of keys per launch). The two backends therefore
agree in law, not draw by draw: same means within standard errors and a two-sample KS test (tested), and
agree to ~1e−15 relative when reducing the same distances (:func:`~attnlimits.engine.reduce_distances`).
Laws without a device sampler (vMF, empirical keys) are drawn on the host by their own numpy sampler with the
numpy backend's streams and reduced on the device, so there the two backends agree to rounding. The output
of a zonal law comes from the scalar recursion of :mod:`attnlimits.engine._zonal` (on the device for laws
drawn there, its u from the torch stream (2, b); on the host otherwise, as the numpy backend).

Precision. ``float64`` (default) matches the numpy backend. ``float32`` keeps and reduces the distances in
float32: each D is computed in float64 from float64 uniforms and rounded once, so D keeps relative precision
u = 2^−24 ≈ 6e−8 even at D ~ 1e−12 (float32 uniforms would put D = 2U on an absolute grid of 2^−23 ≈ 1.2e−7,
coarse above n ~ 1e5 at d = 3), and the chunk sums accumulate in float64. The cost is in the exponents:
β(D_i − D_min) is off by about u·β(D_i + D_min). Against float64 on the same keys, max_weight, ipr,
effective_support, nearest_distance and defect are within 8u(1 + βD_(1)) relative error, entropy and inner
within 8u(1 + βD_(1)) absolute (tested; measured worst 1.5u(1 + βD_(1)) over d ∈ {2, 3, 64}, n ≤ 1e6,
λ ∈ [0.01, 1e4]). tangent_sq and output_gap_sq are sums that cancel (mean-zero tangents; O − K_(1) above the
critical scale): measured relative errors up to ~8u(1 + βD_(1)) and ~300u respectively, no useful a-priori bound.

Work per chunk: the minimum; a probe of 1024 keys deciding whether to fold all keys or only those that can
weigh (β(D − D_min) under a floor; see :class:`TorchWeightReduction`); the shifted exponentials; the three
sums S0 = Σe, S1 = Σe(D − D_min), S2 = Σe² as one matrix–vector product (one kernel) into float64
accumulators that stay on the device and are rescaled there when the minimum drops. The host reads a few
scalars per chunk (chunks are 2^25 keys on a GPU, so the waits are negligible) and the sums at the end.
"""

from __future__ import annotations

import math

import numpy as np

from .._rng import child, generator
from ..laws import Draw
from ..laws._uniform import uniform_distances_torch
from .._backend import import_torch
from ._exact import _TANGENT_ELEMENTS, STREAM_BLOCK, finish_output
from ._reduction import _EXP_ZERO, ReductionSums
from ._zonal import ZonalOutput, zonal_output

__all__ = ["attend_torch", "TorchWeightReduction", "TORCH_STREAM_BLOCK", "torch_generator", "has_device_sampler"]

#: Keys per torch stream block, by device type (part of the definition of the torch streams, so fixed rather
#: than sized to the free memory, which would make results depend on the GPU). GPU: 2^25 keys keep a launch
#: busy and need about 1.5 GB in float64 by count (d ≥ 4: three block-sized temporaries and the 3-row
#: reduction buffer; not yet measured on a GPU). CPU: 2^17 keys keep the working set near the caches.
TORCH_STREAM_BLOCK = {"cpu": 1 << 17, "cuda": 1 << 25}
#: Pass 1 keeps its device draws for pass 2 below this many keys.
_CACHE_KEYS = 1 << 22
#: Exponents are clamped below at −β(D − D_min) ≥ −_EXP_FLOOR[dtype] (see TorchWeightReduction).
_EXP_FLOOR = {"float64": 350.0, "float32": 87.0}
#: Keys of a chunk probed to choose between folding all keys and only those near the minimum.
_PROBE = 1024
#: Byte offset and count of the mt19937 state words in torch's CPU generator state (5056 bytes).
_MT_OFFSET, _MT_WORDS, _MT_STATE_BYTES = 24, 624, 5056


def torch_generator(parent: np.random.SeedSequence, device, *key: int):
    """A ``torch.Generator`` on ``device`` seeded from ``child(parent, *key)``.

    CPU: the 624 mt19937 state words come from the SeedSequence (``manual_seed`` would keep 32 bits).
    CUDA: Philox seeded with 64 bits of the SeedSequence.
    """
    torch = import_torch()
    ss = child(parent, *key)
    gen = torch.Generator(device=device)
    if gen.device.type != "cpu":
        gen.manual_seed(int(ss.generate_state(1, np.uint64)[0]))
        return gen
    gen.manual_seed(0)
    raw = gen.get_state().numpy().copy()
    if raw.size != _MT_STATE_BYTES:  # an unknown torch layout: fall back to a 64-bit seed (torch keeps 32)
        gen.manual_seed(int(ss.generate_state(1, np.uint64)[0]))
        return gen
    words = ss.generate_state(_MT_WORDS, np.uint32).astype(np.uint64)
    raw[_MT_OFFSET:_MT_OFFSET + 8 * _MT_WORDS] = words.view(np.uint8)
    gen.set_state(torch.from_numpy(raw))
    return gen


def has_device_sampler(law) -> bool:
    """True where the torch backend draws this law's keys on the device (its
    :attr:`~attnlimits.laws.KeyLaw.device_sampler`: uniform keys, great subspheres)."""
    return law.device_sampler is not None


class TorchWeightReduction(ReductionSums):
    """The streaming reduction of :class:`~attnlimits.engine.WeightReduction`, on a torch device.

    Same sums and finishing formulas (S0 = Σe_i, S1 = Σe_i(D_i − D_min), S2 = Σe_i², e_i = e^{−β(D_i−D_min)},
    rescaled exactly when D_min drops); the sums live on the device in float64 whatever ``dtype``.

    One deliberate difference: keys whose exponent β(D − D_min) exceeds a floor (350; float32: 87) are
    not given their exact e^{−β(D − D_min)}. Where a probe of the first 1024 keys of a chunk finds fewer than
    a quarter of them under the floor (at and above the critical scale, nearly every chunk), only the keys
    under it are selected and folded — a compare and a gather instead of four elementwise passes and a
    product; otherwise the whole chunk is folded with exponents clamped at the floor, because torch's CPU
    ``exp`` takes a scalar slow path below −709 (11–80 ns per element instead of 0.6, measured). Either way
    a key past the floor contributes ε = e^{−350} ≈ 1e−152 (float32: e^{−87} ≈ 1.6e−38) or nothing, instead
    of a value below ε, to S0 ≥ 1: S0 moves by < nε relative, S1 by < 2nε absolute, so entropy and defect
    move by < 2βnε absolute: nothing in float64 at β ≤ 1e30, n ≤ 1e18; below float32 rounding while
    βn < 1e30. In float64 the products e·e and e·(D − D_min) stay normal numbers, which keeps the CPU off
    its subnormal slow path too.

    Parameters
    ----------
    beta : float
    k : int
    device : str
        ``"cpu"`` or ``"cuda"``.
    dtype : str
        ``"float64"`` or ``"float32"``: precision of the distances and of the elementwise work.
    """

    def __init__(self, beta: float, k: int = 10, *, device: str = "cpu", dtype: str = "float64"):
        self.torch = torch = import_torch()
        self.beta = float(beta)
        self.k = int(k)
        self.device = torch.device(device)
        self.dtype = getattr(torch, dtype)
        self._floor = -_EXP_FLOOR[dtype]
        self.count = 0
        self._acc = torch.zeros(3, dtype=torch.float64, device=self.device)  # S0, S1, S2
        self._dmin = None  # 0-d float64 tensor
        self._smallest = torch.empty(0, dtype=self.dtype, device=self.device)
        self._buf = None

    def as_tensor(self, dist):
        """``dist`` as a tensor of this reduction's device and dtype."""
        return self.torch.as_tensor(dist).to(device=self.device, dtype=self.dtype)

    def _buffer(self, size: int):
        if self._buf is None or self._buf.shape[1] < size:
            self._buf = self.torch.empty((3, size), dtype=self.dtype, device=self.device)
            self._buf[0].fill_(1.0)
        return self._buf[:, :size]

    def update(self, dist) -> None:
        """Fold a chunk of distances (a tensor of this device and dtype) into the running sums."""
        torch = self.torch
        size = dist.shape[0]
        if size == 0:
            return
        low = dist.min()
        m = low.to(torch.float64)
        if self.count == 0:
            self._dmin = m
        else:
            new = torch.minimum(self._dmin, m)
            delta = self._dmin - new
            f = torch.exp(delta * -self.beta)
            s0, s1, s2 = self._acc.unbind()
            self._acc = torch.stack([f * s0, f * (s1 + delta * s0), f * f * s2])
            self._dmin = new
        self._fold(self._near(dist))
        self.count += size
        self._update_smallest(dist, low)

    def _near(self, dist):
        """The keys that can weigh: where a probe of the chunk says fewer than a quarter have
        β(D − D_min) < the exponent floor, only those (the rest weigh < e^{−floor} each; see the class
        docstring), else the whole chunk."""
        if self.beta == 0.0:
            return dist
        cut = (self._dmin - self._floor / self.beta).to(self.dtype)
        probe = dist[:_PROBE]
        if int((probe <= cut).sum()) * 4 >= probe.shape[0]:
            return dist
        return dist[dist <= cut]

    def _fold(self, dist) -> None:
        """Add the chunk's S0, S1, S2 (shifted by the current D_min) to the accumulators."""
        torch = self.torch
        size = dist.shape[0]
        if size == 0:
            return
        buf = self._buffer(size)
        shifted, e = buf[1], buf[2]
        torch.sub(dist, self._dmin.to(self.dtype), out=shifted)
        torch.mul(shifted, -self.beta, out=e)
        e.clamp_(min=self._floor).exp_()
        if self.dtype == torch.float64:
            self._acc += torch.mv(buf, e)  # [Σe, Σe·shifted, Σe²] in one kernel
        else:
            self._acc += (buf * e).sum(dim=1, dtype=torch.float64)

    def _update_smallest(self, dist, low) -> None:
        torch = self.torch
        if self._smallest.shape[0] >= self.k:
            kth = self._smallest.max()
            if not low < kth:  # the chunk's minimum settles it: no candidate (the usual case)
                return
            cand = dist[dist < kth]
            if cand.shape[0] == 0:
                return
            if cand.shape[0] > self.k:
                cand = torch.topk(cand, self.k, largest=False, sorted=False).values
        else:
            cand = torch.topk(dist, min(self.k, dist.shape[0]), largest=False, sorted=False).values
        merged = torch.cat([self._smallest, cand])
        if merged.shape[0] > self.k:
            merged = torch.topk(merged, self.k, largest=False, sorted=False).values
        self._smallest = merged

    # host-side view, valid after finish(): the interface finish_output() needs
    def _host(self) -> None:
        s0, s1, s2 = self._acc.tolist()
        self.s0, self.s1, self.s2 = s0, s1, s2
        self.dmin = float(self._dmin)
        self.smallest = self._smallest.to(device="cpu", dtype=self.torch.float64).numpy()

    def finish(self) -> dict:
        """Every weight statistic, with the formulas of :class:`ReductionSums` on the host-side sums."""
        self._host()
        return super().finish()


def attend_torch(law, n: int, beta: float, seed: np.random.SeedSequence, *, k: int = 10, output: bool = True,
                 chunk_size: int | None = None, device: str = "cpu", dtype: str = "float64") -> dict:
    """One replicate on the torch backend: the statistics of :func:`~attnlimits.engine.attend_exact`.

    Parameters
    ----------
    law : KeyLaw
    n : int
    beta : float
    seed : SeedSequence
        The replicate's seed; children (0, b) and (1, b) seed block b's distances and directions.
    k : int
    output : bool
        Also build O = Σ w_i K_i (``tangent_sq``, ``output_gap_sq``).
    chunk_size : int, optional
        Keys per reduction step (default: the stream block; results agree to rounding whatever it is).
    device : {"cpu", "cuda"}
    dtype : {"float64", "float32"}

    Returns
    -------
    dict
        As :func:`~attnlimits.engine.attend_exact`.
    """
    torch = import_torch()
    dev = torch.device(device)
    red = TorchWeightReduction(beta, k, device=device, dtype=dtype)
    sampler = law.device_sampler
    native = sampler is not None
    block = TORCH_STREAM_BLOCK[dev.type] if native else STREAM_BLOCK
    chunk = chunk_size or block

    def draws():
        for b, start in enumerate(range(0, n, block)):
            size = min(block, n - start)
            if native:
                dist = sampler(torch, torch_generator(seed, dev, 0, b), size, dev)
                yield b, dist.to(red.dtype), None
            else:
                draw = law.draw(generator(seed, 0, b), size)
                yield b, red.as_tensor(draw.distances), draw

    cache = [] if output and n <= _CACHE_KEYS else None
    with torch.inference_mode():
        for b, dist, draw in draws():
            for start in range(0, dist.shape[0], chunk):
                red.update(dist[start:start + chunk])
            if cache is not None:
                cache.append((b, dist, draw))
        stats = red.finish()
        if output:
            again = cache if cache is not None else draws()
            if law.zonal_dimension is not None and native:
                stats.update(_zonal_output_device(law, red, again, seed))
            elif law.zonal_dimension is not None:
                stats.update(zonal_output(law, red, ((b, _as_reduced(draw, dist).distances)
                                                     for b, dist, draw in again), seed))
            elif native:
                stats.update(_finish_output_device(law, red, again, seed))
            else:
                stats.update(finish_output(law, red, ((b, _as_reduced(draw, dist)) for b, dist, draw in again),
                                           seed))
    return stats


def _as_reduced(draw, dist):
    """The host draw with the distances the device reduced (float32: rounded), so pass 2 selects the same
    keys and finds the nearest one."""
    if dist.element_size() == 8:  # float64: the very same numbers
        return draw
    return Draw(dist.cpu().double().numpy(), draw.latent)


def _zonal_output_device(law, red: TorchWeightReduction, draws, seed) -> dict:
    """Pass 2 on the device for a zonal law drawn there: the scalar recursion of :mod:`._zonal`, with block
    b's u drawn on the device from the torch stream (2, b) (the same formulas as :func:`._zonal.zonal_u`)."""
    torch = red.torch
    m, dev, f64 = law.zonal_dimension, red.device, torch.float64
    out = ZonalOutput(red, m, seed)

    def draw_u(b):
        def draw(count):
            gen = torch_generator(seed, dev, 2, b)
            if m == 1:  # c = ±1
                return (torch.rand(count, generator=gen, dtype=f64, device=dev) >= 0.5).to(f64).mul_(2.0)
            return uniform_distances_torch(torch, gen, count, m, dev)
        return draw

    for b, dist, _ in draws:
        out.add_block(torch, b, dist.to(f64), draw_u(b))
    return out.finish()


def _finish_output_device(law, red: TorchWeightReduction, draws, seed) -> dict:
    """Pass 2 on the device for uniform keys: P⊥K = √(D(2−D)) U, U uniform on the sphere of q⊥ ∩ R^k drawn
    from the stream (1, b), for the keys whose weight is not exactly zero (as :func:`finish_output`); k from
    the law's :attr:`~attnlimits.laws.KeyLaw.sphere_parameters`."""
    torch = red.torch
    beta, dmin, dim = red.beta, red.dmin, law.sphere_parameters[0] - 1
    total = torch.zeros(dim, dtype=torch.float64, device=red.device)
    nearest = None
    rows = max(1, _TANGENT_ELEMENTS // law.d)
    for b, dist, _ in draws:
        dist = dist.to(torch.float64)
        sel = torch.arange(dist.shape[0], device=red.device) if beta == 0.0 else \
            torch.nonzero((dist - dmin) * beta < _EXP_ZERO).flatten()
        if sel.shape[0] == 0:
            continue
        gen = torch_generator(seed, red.device, 1, b)
        for start in range(0, sel.shape[0], rows):
            dsel = dist[sel[start:start + rows]]
            if dim == 1:
                u = torch.rand((dsel.shape[0], 1), generator=gen, dtype=torch.float64, device=red.device)
                u = (u < 0.5).to(torch.float64).mul_(-2.0).add_(1.0)  # random signs
            else:
                u = torch.randn((dsel.shape[0], dim), generator=gen, dtype=torch.float64, device=red.device)
                u /= torch.linalg.vector_norm(u, dim=1, keepdim=True)
            tang = u.mul_(torch.sqrt(dsel * (2.0 - dsel))[:, None])
            w = torch.exp((dsel - dmin) * -beta) / red.s0
            total += w @ tang
            if nearest is None:
                hit = torch.nonzero(dsel == dmin).flatten()
                if hit.shape[0]:
                    nearest = tang[int(hit[0])].clone()
    total_h = total.cpu().numpy()
    diff = total_h - nearest.cpu().numpy()
    radial_gap = red.mean_distance - dmin
    return {"tangent_sq": float(total_h @ total_h), "output_gap_sq": radial_gap * radial_gap + float(diff @ diff)}
