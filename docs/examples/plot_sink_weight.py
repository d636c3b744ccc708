"""
A fixed key beside the random ones: the weight of an attention sink
===================================================================

Real decoders keep keys that take mass whatever the context, most often the first token. The model takes
them in as fixed keys with a score s in the units of ⟨q,K⟩ (:ref:`theory-sinks`). The exact expected weight
of the sink (:func:`attnlimits.theory.expected_sink_weight`) falls as n grows, because every added key takes a
share of the normaliser; the exact E[max weight] with and without the sink
(:func:`attnlimits.theory.expected_max_weight` with ``sinks=``) shows how the sink holds the maximum at small n
and hands it to the bulk. Points are Monte Carlo of the same model (:func:`attnlimits.simulate` with
``sinks=``).
"""

import matplotlib.pyplot as plt
import numpy as np

from attnlimits import UniformSphere, simulate
from attnlimits.theory import expected_max_weight, expected_sink_weight

d, beta, score, samples = 8, 20.0, 0.9, 400
law = UniformSphere(d)
ns = np.unique(np.logspace(1, 6, 16).astype(int))
sink = [expected_sink_weight(law, int(n), beta, (score,))[0] for n in ns]
with_sink = [expected_max_weight(law, int(n), beta, (score,)) for n in ns]
without = [expected_max_weight(law, int(n), beta) for n in ns]

fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
ax.plot(ns, sink, color="tab:red", label="E[sink weight], exact")
ax.plot(ns, with_sink, color="tab:blue", label="E[max weight] with the sink, exact")
ax.plot(ns, without, color="tab:blue", ls="--", label="E[max weight] without a sink, exact")
few = ns[ns <= 10**4][::2]
runs = [simulate(law, int(n), beta, samples=samples, seed=[3, i], sinks=(score,), output=False)
        for i, n in enumerate(few)]
ax.errorbar(few, [r.sink_weight.mean for r in runs], yerr=[2 * r.sink_weight.se for r in runs], fmt="o",
            ms=3.5, color="tab:red", capsize=2, label=f"simulated ({samples} reps, ±2 SE)")
ax.errorbar(few, [r.max_weight.mean for r in runs], yerr=[2 * r.max_weight.se for r in runs], fmt="o",
            ms=3.5, color="tab:blue", capsize=2)
ax.set(xscale="log", xlabel="n (random keys)", ylabel="expected weight", ylim=(0, 1),
       title=f"Uniform keys, d = {d}, β = {beta:g}, one fixed key of score s = {score}")
ax.legend(fontsize=8)
plt.show()

# %%
# A stationary sink loses weight as the context grows. The sinks measured in SmolLM2 do the opposite
# (their logits drift upward with position), which is why a forecast from short contexts must model the
# drift (:ref:`theory-sink-drift`).
