"""
Keeping a head's selectivity at longer contexts: the iso-selectivity schedule
=============================================================================

A head trained at context T with inverse temperature β_train has some expected max weight. At a longer
context n the same β lets it fall: more keys compete. The iso-selectivity schedule β_iso(n) is the β at
which the exact E[max weight] at n equals its value at (T, β_train) (:func:`attnlimits.schedules.beta_iso`).
Practical long-context rules multiply the logits by a factor of n/T; here they are set against β_iso for
uniform keys in d = 64, trained at T = 4096 at the exact β_1/2(T) (:ref:`theory-practical-rules`).
"""

import matplotlib.pyplot as plt
import numpy as np

from attnlimits import UniformSphere
from attnlimits.schedules import beta_iso, multipliers
from attnlimits.theory import beta_half, expected_max_weight

d, n_train = 64, 4096
law = UniformSphere(d)
beta_train = beta_half(law, n_train)
ns = np.array([4096, 8192, 32768, 131072, 10**6, 10**7, 10**8])
iso = np.array([beta_iso(law, int(n), n_train, beta_train) for n in ns])
rules = {name: np.array([multipliers(int(n), n_train)[name] for n in ns]) for name in multipliers(ns[-1], n_train)}

fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 3.8), layout="constrained")
left.plot(ns, iso / beta_train, "k-o", ms=3, lw=2, label="β_iso(n) / β_train (exact)")
for name, factor in rules.items():
    left.plot(ns, factor, "--", lw=1.2, label=name)
    right.plot(ns, [expected_max_weight(law, int(n), f * beta_train) for n, f in zip(ns, factor)], "--", lw=1.2,
               label=name)
right.axhline(0.5, color="k", lw=2, label="kept value (β_iso)")
left.set(xscale="log", xlabel="context n", ylabel="logit multiplier", title="multiplier of β against n")
right.set(xscale="log", xlabel="context n", ylabel="exact E[max weight]", ylim=(0, 1),
          title="the E[max weight] each rule leaves")
left.legend(fontsize=7)
right.legend(fontsize=7)
fig.suptitle(f"Uniform keys, d = {d}, T = {n_train}, β_train = β_1/2(T) = {beta_train:.2f}", fontsize=10)
plt.show()

# %%
# LongRoPE, Qwen log-n and SSMax apply the same ln n / ln T beyond T, so their three lines coincide. In this
# pre-asymptotic range those ln n rules come closest to the exact schedule, and YaRN's m² overshoots.
# ``attnlimits schedule`` prints the same comparison; with ``--model`` it starts from a real head's own law.
