"""Self-attention dynamics seeded with ρ = 1 + ε·Y_ℓ, and the growth of the mode ℓ (:ref:`theory-limit-laws`).

One renormalised attention step moves each particle by β^{−1}∇ log ρ to first order, a time step 1/β of
the backward heat equation ∂_t ρ = −Δ_S ρ. The degree-ℓ coefficient therefore grows by 1 + ℓ(ℓ+d−2)/β
per step (to O(β^{−2})), i.e. by exp(ℓ(ℓ+d−2)·steps/β) in the limit β → ∞ at fixed steps/β — while the
mean-field picture holds (n·F(1/β) ≫ 1) and the density stays positive (amplitude < 1).
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from .._rng import as_seed_sequence, generator
from .._validation import InputError, check_beta, check_choice, check_int, check_keys, check_memory
from ..theory import harmonic_growth, uniform_distance_cdf
from ._density import HarmonicDensity
from ._drift import mode_growth_factor
from ._harmonics import harmonic_amplitude, harmonic_norm, laplace_eigenvalue, off_mode_power
from ._step import KERNELS, attention_step, default_block, resolve_backend

__all__ = ["HeatRegimeWarning", "HeatResult", "run_dynamics", "initial_points", "INITS"]

INITS = ("quasi", "random")
#: n·F(1/β) below this: too few particles within 1/β of each other for the population map.
MIN_EFFECTIVE_KEYS = 30.0
#: ℓ(ℓ+d−2)/β above this: one step is not small, the 1/β expansion is poor.
MAX_STEP_RATE = 0.1
#: ℓ(ℓ+d−2)·steps/β above this: the predicted growth exp(·) overflows float64 (refused; the linear law
#: stops once the amplitude reaches 1, long before).
MAX_GROWTH_EXPONENT = 700.0


def estimated_bytes(n: int, d: int, block: int) -> float:
    """Peak memory of :func:`run_dynamics` in bytes, worst case (every block pair active): ~12 copies of the
    n×(d+1) particle arrays, three block×n tiles, the (n/block)² active-pair mask and the column lists of
    the tiles (n²/(2·block) int64)."""
    n, nb = float(n), -(-float(n) // block)
    return 8.0 * (12.0 * n * (d + 1) + 3.0 * n * block + n * n / (2.0 * block)) + nb * nb


class HeatRegimeWarning(UserWarning):
    """The run leaves the regime where the backward-heat law is expected to hold; the message says why."""


@dataclass
class HeatResult:
    """A self-attention dynamics run: the mode amplitude after each step and the predictions (:ref:`theory-limit-laws`).

    Returned by :func:`run_dynamics`; the ``growth_*`` properties compare the measured growth of the mode
    with exp(ℓ(ℓ+d−2)·steps/β), (1 + ℓ(ℓ+d−2)/β)^steps and the mean-field g_ℓ(β)^steps.

    Parameters
    ----------
    d, n : int
        Dimension (points on S^{d−1}) and number of particles.
    beta : float
        Inverse temperature β > 0.
    steps : int
        Attention steps taken.
    mode : int
        Seeded degree ℓ of the start ρ = 1 + ε·Y_ℓ.
    eps : float
        Its amplitude ε ∈ (0, 1).
    init : {"quasi", "random"}
        How the start was drawn (:func:`initial_points`).
    seed : int
        Entropy of the seed sequence of the random start.
    backend, device, dtype, kernel : str
        Where and how the steps ran (see :func:`attention_step`).
    amplitude_by_step : list of float
        :func:`harmonic_amplitude` of the particles before the first step and after each step (steps + 1).
    off_mode_power_by_step : list of float
        :func:`off_mode_power` at the same times.
    effective_keys : float
        n·F(1/β): expected particles within distance 1/β of each one (the regime needs it ≫ 1).
    elapsed_s : float
        Wall time of the steps and measurements, in seconds.
    warnings : list of str
        The :class:`HeatRegimeWarning` messages the run emitted.
    initial, final : numpy.ndarray or None
        The (n, d) particles before and after the run (only with ``keep_points``).
    """

    d: int
    n: int
    beta: float
    steps: int
    mode: int
    eps: float
    init: str
    seed: int
    backend: str
    device: str
    dtype: str
    kernel: str
    amplitude_by_step: list
    off_mode_power_by_step: list
    effective_keys: float
    elapsed_s: float
    warnings: list = field(default_factory=list)
    initial: np.ndarray | None = field(default=None, repr=False)
    final: np.ndarray | None = field(default=None, repr=False)

    @property
    def rate(self) -> int:
        """ℓ(ℓ+d−2)."""
        return laplace_eigenvalue(self.d, self.mode)

    @property
    def growth_measured(self) -> float:
        """Amplitude after the last step over the amplitude at the start."""
        return self.amplitude_by_step[-1] / self.amplitude_by_step[0]

    @property
    def growth_predicted(self) -> float:
        """exp(ℓ(ℓ+d−2)·steps/β): the backward heat equation (the β → ∞ limit at fixed steps/β)."""
        return harmonic_growth(self.mode, self.d, self.steps, self.beta)

    @property
    def growth_predicted_per_step(self) -> float:
        """(1 + ℓ(ℓ+d−2)/β)^steps: the per-step factor to first order in 1/β."""
        return harmonic_growth(self.mode, self.d, self.steps, self.beta, exact_steps=True)

    @property
    def growth_predicted_mean_field(self) -> float:
        """g_ℓ(β)^steps, the exact mean-field (n → ∞) growth to first order in ε (:func:`mode_growth_factor`)."""
        return float(mode_growth_factor(self.d, self.mode, self.beta)) ** self.steps

    @property
    def growth_by_step(self) -> list:
        """Amplitude after each step over the amplitude at the start (steps + 1 values, the first 1)."""
        a0 = self.amplitude_by_step[0]
        return [a / a0 for a in self.amplitude_by_step]

    def to_dict(self) -> dict:
        """JSON-ready summary (no point arrays)."""
        return {
            "d": self.d, "n": self.n, "beta": self.beta, "steps": self.steps, "mode": self.mode, "eps": self.eps,
            "init": self.init, "seed": self.seed, "backend": self.backend, "device": self.device, "dtype": self.dtype,
            "kernel": self.kernel,
            "growth_measured": self.growth_measured, "growth_predicted": self.growth_predicted,
            "growth_predicted_per_step": self.growth_predicted_per_step,
            "growth_predicted_mean_field": self.growth_predicted_mean_field,
            "relative_error_exponential": self.growth_measured / self.growth_predicted - 1.0,
            "relative_error_per_step": self.growth_measured / self.growth_predicted_per_step - 1.0,
            "relative_error_mean_field": self.growth_measured / self.growth_predicted_mean_field - 1.0,
            "amplitude_by_step": list(self.amplitude_by_step), "growth_by_step": self.growth_by_step,
            "off_mode_power_by_step": list(self.off_mode_power_by_step),
            "effective_keys": self.effective_keys, "elapsed_s": self.elapsed_s, "warnings": list(self.warnings),
        }


def initial_points(density: HarmonicDensity, n: int, init: str, seed=None) -> np.ndarray:
    """n starting points with density ρ: ``quasi`` (deterministic lattice) or ``random`` (i.i.d.).

    Parameters
    ----------
    density : HarmonicDensity
        ρ = 1 + ε·Y_ℓ.
    n : int
        Number of points.
    init : {"quasi", "random"}
        ``quasi``: :meth:`HarmonicDensity.quasi_uniform`, no sampling noise; ``random``: rejection sampling
        (:meth:`HarmonicDensity.sample`) from child stream 0 of ``seed``.
    seed : int or SeedSequence, optional
        Seed of the random start (unused for ``quasi``).

    Returns
    -------
    numpy.ndarray, shape (n, d)
        Unit vectors whose empirical law approximates ρ.

    Examples
    --------
    >>> from attnlimits.heat import HarmonicDensity
    >>> x = initial_points(HarmonicDensity(2, 2, 0.3), 1000, "quasi")
    >>> x.shape, round(harmonic_amplitude(x, 2, 2), 2)
    ((1000, 2), 0.3)
    """
    init = check_choice("init", init, INITS)
    if init == "quasi":
        return density.quasi_uniform(n)
    return density.sample(generator(as_seed_sequence(seed), 0), n)


def run_dynamics(d: int, mode: int, eps: float, n: int, beta: float, steps: int, init: str = "quasi", seed=None, *,
                 backend: str = "numpy", device: str = "cpu", dtype: str = "float64", block: int | None = None,
                 kernel: str = "blocked",
                 max_degree: int | None = None, keep_points: bool = False, progress=None) -> HeatResult:
    """Run renormalised self-attention dynamics (V = I) from ρ = 1 + ε·Y_ℓ and measure the mode ℓ.

    Parameters
    ----------
    d : {2, 3}
        Circle (Y_ℓ = cos ℓθ) or S^2 (Y_ℓ = P_ℓ(x_3)).
    mode : int
        ℓ in [1, 64] (``attnlimits._validation.MAX_MODE``); ℓ(ℓ+d−2)·steps/β ≤ 700.
    eps : float
        ε ∈ (0, 1).
    n : int
        Particles, n ≥ 2 (each a query against all n as keys: O(n²) work per step, O(n·block) memory);
        refused when ``estimated_bytes`` exceeds half of the physical memory.
    beta : float
        β > 0.
    steps : int
        Steps ≥ 0.
    init : {"quasi", "random"}
        Deterministic quasi-uniform lattice pushed through ρ, or i.i.d. draws (whose sampling noise the
        ill-posed backward heat equation amplifies).
    seed : int or SeedSequence, optional
        Seed of the random start (the entropy is reported).
    backend, device, dtype : str
        ``numpy`` (CPU) or ``torch`` (``cpu`` or ``cuda``); ``float64`` (default) or ``float32``.
    block : int, optional
        Query rows per block.
    kernel : {"blocked", "sdpa"}
        The step's kernel (see :func:`attention_step`); "sdpa" needs backend="torch".
    max_degree : int, optional
        Highest harmonic degree in the off-mode power (default max(8, ℓ + 2)).
    keep_points : bool
        Keep the initial and final particles in the result (for plots).
    progress : callable, optional
        ``progress(done, total)`` after each step.

    Returns
    -------
    HeatResult
        ``growth_measured`` against ``growth_predicted`` = exp(ℓ(ℓ+d−2)·steps/β) and
        ``growth_predicted_per_step`` = (1 + ℓ(ℓ+d−2)/β)^steps (:ref:`theory-limit-laws`).

    Warns
    -----
    HeatRegimeWarning
        When n·F(1/β) < 30, when ℓ(ℓ+d−2)/β > 0.1, when the amplitude (predicted or measured) reaches 1,
        or when the power in other harmonics ends above the mode's own (amplified noise: clustering).

    Examples
    --------
    >>> res = run_dynamics(2, 2, 0.3, 2000, 200.0, 10, "quasi")
    >>> round(res.growth_measured, 3), round(res.growth_predicted_per_step, 3), round(res.growth_predicted, 3)
    (1.217, 1.219, 1.221)
    """
    density = HarmonicDensity(d, mode, eps)
    d, mode, eps = density.d, density.mode, density.eps
    n = check_keys(n, minimum=2)
    beta = check_beta(beta, positive=True)
    steps = check_int("steps", steps, minimum=0)
    init = check_choice("init", init, INITS)
    torch = resolve_backend(backend, device, dtype)
    kernel = check_choice("kernel", kernel, KERNELS)
    if kernel == "sdpa" and backend != "torch":
        raise InputError(f"invalid kernel='sdpa' for backend={backend!r}: the fused kernel is torch's; use backend='torch'")
    if block is not None:
        block = check_int("block", block, minimum=1)
    max_degree = check_int("max_degree", max_degree if max_degree is not None else max(8, mode + 2), minimum=1)
    check_memory(f"n={n} (particles in d={d})", estimated_bytes(n, d, block or default_block(backend, device)))
    exponent = laplace_eigenvalue(d, mode) * steps / beta
    if exponent > MAX_GROWTH_EXPONENT:
        raise InputError(f"invalid steps={steps} for mode={mode}, beta={beta:g}: ℓ(ℓ+d−2)·steps/β = {exponent:.3g}; "
                         f"expected at most {MAX_GROWTH_EXPONENT:g} (beyond, the predicted growth overflows; the "
                         "linear law ends at amplitude 1 long before)")
    ss = as_seed_sequence(seed)
    rate = laplace_eigenvalue(d, mode)
    effective = float(n * uniform_distance_cdf(1.0 / beta, d))
    notes = _regime_notes(d, mode, eps, n, beta, steps, rate, effective)

    x0 = initial_points(density, n, init, ss)
    start = time.perf_counter()
    amps = [harmonic_amplitude(x0, d, mode)]
    power = [off_mode_power(x0, d, mode, max_degree)]
    if torch is not None:
        x = torch.from_numpy(x0).to(device=device, dtype=getattr(torch, dtype))
    else:
        x = x0.astype(dtype)
    for k in range(steps):
        x = attention_step(x, beta, block=block, backend=backend, device=device, kernel=kernel)
        pts = x.double().cpu().numpy() if torch is not None else x.astype(float, copy=False)
        amps.append(harmonic_amplitude(pts, d, mode))
        power.append(off_mode_power(pts, d, mode, max_degree))
        if progress is not None:
            progress(k + 1, steps)
    final = x.double().cpu().numpy() if torch is not None else np.asarray(x, dtype=float)
    if max(abs(a) for a in amps) >= 1.0 and not any("amplitude" in m for m in notes):
        notes.append(f"measured amplitude reached {max(abs(a) for a in amps):.3g} >= 1: the density 1 + a·Y_ℓ is no "
                     "longer positive and the linear law no longer applies; lower eps or steps, or raise beta")
    mode_power = amps[-1] ** 2 * harmonic_norm(d, mode)  # the same orthonormal scale as off_mode_power
    if power[-1] > mode_power:
        notes.append(f"off-mode power {power[-1]:.3g} exceeds the mode's own {mode_power:.3g} after {steps} steps: "
                     "noise amplified by the ill-posed backward heat equation (particles cluster) has overtaken "
                     "the mode; use init='quasi', more particles, or fewer steps")
    for msg in notes:
        warnings.warn(msg, HeatRegimeWarning, stacklevel=2)
    return HeatResult(d=d, n=n, beta=beta, steps=steps, mode=mode, eps=eps, init=init, seed=int(ss.entropy),
                      backend=backend, device=device, dtype=dtype, kernel=kernel, amplitude_by_step=amps,
                      off_mode_power_by_step=power, effective_keys=effective,
                      elapsed_s=time.perf_counter() - start, warnings=notes,
                      initial=x0 if keep_points else None, final=final if keep_points else None)


def _regime_notes(d, mode, eps, n, beta, steps, rate, effective) -> list:
    notes = []
    if effective < MIN_EFFECTIVE_KEYS:
        notes.append(f"n·F(1/β) = {effective:.3g} particles within distance 1/β of each one (n={n}, beta={beta:g}): "
                     f"too few for the population map behind the heat law (needs >> 1, here >= {MIN_EFFECTIVE_KEYS:g}); "
                     "raise n or lower beta")
    if rate / beta > MAX_STEP_RATE:
        notes.append(f"one step changes the mode by ℓ(ℓ+d−2)/β = {rate / beta:.3g} > {MAX_STEP_RATE:g}: the expansion in "
                     "1/β behind the heat law is poor; raise beta (and steps in proportion)")
    predicted = eps * math.exp(min(rate * steps / beta, 700.0))
    if predicted >= 1.0:
        notes.append(f"predicted final amplitude eps·exp(ℓ(ℓ+d−2)·steps/β) = {predicted:.3g} >= 1: the density "
                     "1 + a·Y_ℓ would turn negative, so the linear law cannot hold to the end; lower eps or steps")
    return notes
