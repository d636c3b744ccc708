"""
The Poisson–Kingman law at the critical scale
=============================================

At β = λ β*_n the rescaled distances βD_i of the nearest keys converge to the points of a Poisson process, and
the ordered weights converge to a Poisson–Kingman law (:ref:`theory-critical`): random, with no key taking all
the mass. Here the law of the largest weight W₁ at n = 10¹² keys (exact order-statistics simulation,
:func:`attnlimits.simulate` with ``method="orderstat"``) is set against draws from the limit law itself
(:meth:`attnlimits.theory.PoissonKingman.sample`), and against its exact mean.
"""

import matplotlib.pyplot as plt
import numpy as np

from attnlimits import UniformSphere, simulate
from attnlimits.theory import PoissonKingman

d, n, samples = 3, 10**12, 4000
alpha = (d - 1) / 2
fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.4), layout="constrained", sharey=True)
for ax, lam in zip(axes, [0.5, 1.0, 2.0]):
    run = simulate(UniformSphere(d), n, lam=lam, samples=samples, seed=[7, int(10 * lam)], method="orderstat",
                   output=False)
    pk = PoissonKingman(alpha, lam)
    limit = pk.sample(np.random.default_rng(int(10 * lam)), samples)[:, 0]
    grid = np.linspace(0, 1, 201)
    ax.plot(grid, np.searchsorted(np.sort(run.values["max_weight"]), grid) / samples,
            label=f"simulated, n = 1e12 ({samples} reps)")
    ax.plot(grid, np.searchsorted(np.sort(limit), grid) / samples, "--", label=f"Poisson–Kingman ({samples} draws)")
    mean = pk.max_weight_limit()
    ax.axvline(mean, color="k", lw=0.8)
    ax.set(title=f"λ = {lam:g}: E W₁ = {mean:.3f}\nsimulated {run.max_weight.mean:.3f} ± {run.max_weight.se:.3f}",
           xlabel="largest weight W₁")
    ax.title.set_fontsize(9)
axes[0].set_ylabel("P(W₁ ≤ w)")
axes[0].legend(fontsize=7, loc="upper left")
fig.suptitle(f"Uniform keys, d = {d} (α = {alpha:g}), β = λ β*_n: the law of the largest weight", fontsize=10)
plt.show()

# %%
# The vertical line is the limit's exact mean E W₁ (:meth:`~attnlimits.theory.PoissonKingman.max_weight_limit`).
# At λ = 2 the largest weight is usually above one half, yet not one: the law is a genuine random
# partition of the mass, which is why the critical regime is neither averaging nor collapse.
