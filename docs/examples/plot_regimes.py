"""
Three regimes: the max weight across the critical scale
=======================================================

One query attends to n keys drawn uniformly on the sphere at inverse temperature β = λ β*_n, with β*_n the
critical scale (:ref:`theory-critical-scale`). Below it (λ → 0) attention averages and the largest weight
vanishes; above it (λ → ∞) all the mass collapses onto the nearest key; at λ of order one a few keys keep
macroscopic mass. The curves are the exact finite-n expectation E[max weight]
(:func:`attnlimits.theory.expected_max_weights`, :ref:`theory-exact-identities`); the dashed curve is the
n → ∞ Poisson–Kingman limit (:func:`attnlimits.theory.max_weight_limit`, :ref:`theory-critical`); the points
are Monte Carlo (:func:`attnlimits.simulate`). In d = 3 every n already sits on the limit; in d = 64 none does:
the pre-asymptotic regime of real head dimensions (:ref:`theory-pre-asymptotic`).
"""

import matplotlib.pyplot as plt
import numpy as np

from attnlimits import UniformSphere, simulate
from attnlimits.theory import critical_beta, expected_max_weights, max_weight_limit

fig, axes = plt.subplots(1, 2, figsize=(9.6, 4.0), layout="constrained", sharey=True)
for ax, d, lams in [(axes[0], 3, np.logspace(-2, 2, 33)), (axes[1], 64, np.logspace(-1, 3, 33))]:
    law = UniformSphere(d)
    alpha = (d - 1) / 2
    for n, colour in [(100, "tab:blue"), (10**4, "tab:orange"), (10**6, "tab:green")]:
        beta_star = critical_beta(law, n)
        ax.plot(lams, expected_max_weights(law, n, lams * beta_star), color=colour,
                label=f"exact, n = {n:.0e} (β*_n = {beta_star:.3g})")
        if n <= 10**4:  # Monte Carlo at a few λ, 300 replicates each
            points = lams[::8]
            runs = [simulate(law, n, lam=lam, samples=300, seed=[1, d, i], output=False)
                    for i, lam in enumerate(points)]
            ax.errorbar(points, [r.max_weight.mean for r in runs], yerr=[2 * r.max_weight.se for r in runs],
                        fmt="o", ms=3.5, color=colour, capsize=2)
    ax.plot(lams, [max_weight_limit(alpha, lam) for lam in lams], "k--", lw=1, label="Poisson–Kingman limit")
    ax.set(xscale="log", xlabel="λ = β / β*_n", ylim=(0, 1.02),
           title=f"uniform keys, d = {d} (α = {alpha:g})")
axes[0].set_ylabel("E[max weight]")
axes[0].legend(fontsize=7, loc="upper left")
axes[1].legend(fontsize=7, loc="upper left")
fig.suptitle("Subcritical (left of each curve), critical, supercritical (right); points: 300 replicates, ±2 SE",
             fontsize=10)
plt.show()

# %%
# In d = 3 the distance law is an exact power law (⟨q,K⟩ is uniform), so β*_n is the right scale from the
# first keys on. In d = 64 the same λ means very different things at different n, and the critical window
# sits at λ ≈ 10–100: the power law behind β*_n does not yet hold at the nearest keys. The effective exponent
# (:ref:`theory-effective-exponent`) repairs this; see the effective-exponent example.
