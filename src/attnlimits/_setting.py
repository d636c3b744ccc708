"""One object for a setting: a query attending to n keys of a law (plus fixed keys) at inverse temperature β.

In the manner of scipy.stats' frozen distributions, :class:`Setting` fixes (law, n, β, sinks) once and
answers every question of the theory about it: the exact finite-n values as methods, the scales as
attributes, the limit laws through :attr:`Setting.limit` and the effective-exponent law through
:attr:`Setting.eff`; :meth:`Setting.simulate` runs the engine on the same setting. It is a thin layer over
the pure functions of :mod:`attnlimits.theory` and :mod:`attnlimits.engine`, which stay the layer
underneath. Settings are immutable, hashable and picklable: caches may key on them.
"""

from __future__ import annotations

from functools import cached_property

from ._validation import InputError, check_int, check_sinks

__all__ = ["Setting"]


class Setting:
    """One query attending to ``n`` i.i.d. keys of ``law``, beside fixed keys ``sinks``, at inverse temperature β.

    Parameters
    ----------
    law : KeyLaw
        The key law (e.g. ``UniformSphere(64)``).
    n : int
        Number of i.i.d. keys, ≥ 1.
    beta : float, optional
        Inverse temperature β ≥ 0.
    lam : float, optional
        Instead of ``beta``: λ > 0 with β = λ·β*_n (the critical scale of the law; :ref:`theory-scales`).
    sinks : sequence of float
        Scores of fixed keys (attention sinks) in the units of ⟨q, K⟩: logit β·s_j beside β(1 − D) for a random
        key (:ref:`theory-sinks`). Empty: the i.i.d. model.

    Examples
    --------
    >>> from attnlimits import Setting, UniformSphere
    >>> s = Setting(UniformSphere(8), 1000, lam=1.0)
    >>> s.regime, round(s.max_weight(), 4), round(s.limit.max_weight(), 4), round(s.alpha_n, 4)
    ('critical', 0.0616, 0.0363, 3.373)
    >>> round(Setting(UniformSphere(8), 1000, beta=20.0, sinks=[0.9]).sink_weight()[0], 4)
    0.2703
    """

    __slots__ = ("law", "n", "beta", "sinks", "__dict__")

    def __init__(self, law, n, beta=None, *, lam=None, sinks=()):
        from .engine._montecarlo import resolve_beta

        n = check_int("n", n, minimum=1)
        beta, _ = resolve_beta(law, n, beta, lam)
        object.__setattr__(self, "law", law)
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "beta", float(beta))
        object.__setattr__(self, "sinks", check_sinks(sinks))

    # ------------------------------------------------------------------ identity
    @property
    def key(self) -> tuple:
        """What identifies the setting: (the law's ``cache_key``, n, β, sinks)."""
        return (self.law.cache_key, self.n, self.beta, self.sinks)

    def __eq__(self, other):
        return isinstance(other, Setting) and self.key == other.key

    def __hash__(self):
        return hash(self.key)

    def __setattr__(self, name, value):
        raise AttributeError(f"Setting is immutable; make a new one (Setting.replace) instead of setting {name!r}")

    def __reduce__(self):
        return (_rebuild, (self.law, self.n, self.beta, self.sinks))

    def __repr__(self):
        sinks = f", sinks={list(self.sinks)}" if self.sinks else ""
        return f"Setting({self.law.spec!r}, n={self.n}, beta={self.beta:.6g}{sinks})"

    def replace(self, *, n=None, beta=None, lam=None, sinks=None) -> "Setting":
        """A new setting with some of n, β (or λ) and the sinks changed (λ at the new n)."""
        if beta is not None and lam is not None:
            raise InputError(f"invalid beta={beta!r}, lam={lam!r}: give at most one of beta or lam")
        n = self.n if n is None else n
        if beta is None and lam is None:
            beta = self.beta
        return Setting(self.law, n, beta, lam=lam, sinks=self.sinks if sinks is None else sinks)

    def _theory(self):
        """The theory's functions, after checking the law has what they need."""
        from . import theory

        law = self.law
        if not (law.has_distance_law and law.has_quantile) or not law.has_critical_scale:
            raise InputError(f"invalid law={law.spec!r}: the theory needs a law with a known distance CDF "
                             "(uniform, subsphere:K, vmf:KAPPA with angle 0)")
        return theory

    # ------------------------------------------------------------------ scales
    @cached_property
    def alpha(self) -> float:
        """Local exponent α of the distance law, F(t) ~ c t^α near 0."""
        return float(self.law.local_exponent)

    @cached_property
    def critical_beta(self) -> float:
        """β*_n = (c n)^{1/α} (:ref:`theory-scales`)."""
        return self._theory().critical_beta(self.law, self.n)

    @cached_property
    def lam(self) -> float:
        """λ = β/β*_n."""
        return self.beta / self.critical_beta

    @cached_property
    def beta_half(self) -> float | None:
        """β_1/2(n): where the exact E[max weight] (sinks included) is 1/2; None at n = 1 or where tied top sinks
        hold the max weight at 1/2 (:attr:`notes` says why)."""
        return self.summary()["beta_half"]

    @cached_property
    def regime(self) -> str:
        """'subcritical', 'critical' or 'supercritical', from the exact E[max weight] (< 0.05, > 0.95)."""
        return self.summary()["regime"]

    @cached_property
    def n_effective(self) -> float:
        """n·F(1/β): the keys that compete at this β."""
        return self._theory().n_effective(self.law, self.n, self.beta)

    @cached_property
    def alpha_n(self) -> float:
        """The effective exponent α_n at F(t_n) = 1/n (:ref:`theory-effective-exponent`)."""
        return self.eff.alpha

    # ------------------------------------------------------------------ exact finite-n values
    def max_weight(self) -> float:
        """Exact E[max weight] over all n + m weights (:ref:`theory-exact-identities`)."""
        t = self._theory()
        return t.expected_max_weight(self.law, self.n, self.beta, sinks=self.sinks)

    def one_minus_max_weight(self) -> float:
        """Exact E[1 − max weight], accurate where the max weight is near 1 (i.i.d. keys)."""
        self._no_sinks("one_minus_max_weight")
        return self._theory().expected_one_minus_max_weight(self.law, self.n, self.beta)

    def ipr(self) -> float:
        """Exact E[Σ w²] (the inverse participation ratio) over all weights."""
        return self._theory().expected_ipr(self.law, self.n, self.beta, sinks=self.sinks)

    def inner(self) -> float:
        """Exact E⟨q, O⟩ of the output O = Σ w_i K_i (i.i.d. keys)."""
        self._no_sinks("inner")
        return self._theory().expected_inner(self.law, self.n, self.beta)

    def defect(self) -> float:
        """Exact E[β(1 − ⟨q, O⟩)] (i.i.d. keys)."""
        self._no_sinks("defect")
        return self._theory().expected_defect(self.law, self.n, self.beta)

    def power_sum(self, p: float) -> float:
        """Exact E[Σ w^p] (i.i.d. keys)."""
        self._no_sinks("power_sum")
        return self._theory().expected_power_sum(self.law, self.n, self.beta, p)

    def sink_weight(self) -> list:
        """Exact E[w_j] of each fixed key, in the order of ``sinks`` (empty without sinks)."""
        if not self.sinks:
            return []
        return [float(w) for w in self._theory().expected_sink_weight(self.law, self.n, self.beta, self.sinks)]

    def _no_sinks(self, what: str) -> None:
        if self.sinks:
            raise InputError(f"invalid sinks={list(self.sinks)}: {what} is computed for i.i.d. keys only (the sinks' "
                             "weights are known, not their directions); use max_weight, ipr or sink_weight")

    # ------------------------------------------------------------------ views and summary
    @cached_property
    def limit(self) -> "LimitView":
        """The limit laws n → ∞ at this (n, β): Poisson–Kingman at λ, the subcritical LLN and CLT."""
        return LimitView(self)

    @cached_property
    def eff(self) -> "EffectiveView":
        """The effective-exponent law at this n (:ref:`theory-effective-exponent`)."""
        return EffectiveView(self)

    def summary(self) -> dict:
        """Every prediction at once, with ``notes`` saying why a value is None: the record of
        ``attnlimits theory --json`` (:func:`attnlimits.theory.predict`; ``d``, ``n``, ``beta`` and ``law``
        first)."""
        cached = self.__dict__.get("_summary")
        if cached is None:
            pred = self._theory().predict(self.law, self.n, self.beta, sinks=self.sinks)
            cached = {"d": self.law.d, "n": self.n, "beta": self.beta, "law": self.law.spec, **pred}
            self.__dict__["_summary"] = cached
        return dict(cached)

    @property
    def notes(self) -> list:
        """Why a value of :meth:`summary` (or of the views) is None, and what to read instead."""
        return list(self.summary()["notes"])

    def simulate(self, samples: int = 1000, *, seed=None, **options):
        """The engine on this setting: :func:`attnlimits.simulate` with ``samples`` replicates (``options`` as
        there: method, k, output, workers, backend, …)."""
        from .engine import simulate

        return simulate(self.law, self.n, self.beta, samples=samples, seed=seed, sinks=self.sinks, **options)


class _View:
    """Values of :meth:`Setting.summary` under their view's names; None where the summary's notes say why."""

    _KEYS: dict = {}

    def __init__(self, setting: Setting):
        self._setting = setting

    def _get(self, name: str):
        return self._setting.summary()[self._KEYS[name]]

    @property
    def notes(self) -> list:
        """The setting's notes that concern this view."""
        return [note for note in self._setting.notes if any(k in note for k in self._KEYS.values())]


class LimitView(_View):
    """The n → ∞ limits at the setting's λ (Poisson–Kingman) and β (subcritical LLN, CLT, heat rate); each
    None where it does not describe this n (pre-asymptotic, out of range: :attr:`Setting.notes`)."""

    _KEYS = {"max_weight": "max_weight_limit", "ipr": "ipr_limit", "inner": "inner_limit",
             "tangent_var": "tangent_var_limit", "radial_var": "radial_var_limit", "heat_rate": "heat_rate"}

    def max_weight(self):
        """Poisson–Kingman E[W_1] at λ (:ref:`theory-limit-laws`)."""
        return self._get("max_weight")

    def ipr(self):
        """Poisson–Kingman E[Σ W²] at λ."""
        return self._get("ipr")

    def inner(self):
        """The subcritical law of large numbers: ⟨q, O⟩ → A(β)."""
        return self._get("inner")

    def tangent_var(self):
        """The subcritical CLT's tangent variance σ⊥²."""
        return self._get("tangent_var")

    def radial_var(self):
        """The subcritical CLT's radial variance σ∥²."""
        return self._get("radial_var")

    def heat_rate(self):
        """The growth exponent ℓ(ℓ + d − 2)/β per step of the degree-2 harmonic (the backward heat equation)."""
        return self._get("heat_rate")

    @property
    def poisson_kingman(self):
        """The Poisson–Kingman law PK(α, λ) of the critical regime (its methods: ``max_weight_limit``,
        ``ipr_limit``, ``sample``, …); built whatever λ, for exploration."""
        from .theory import PoissonKingman

        return PoissonKingman(self._setting.alpha, self._setting.lam)


class EffectiveView(_View):
    """The effective-exponent law at the setting's n: F replaced by c_n t^{α_n} matched at F(t_n) = 1/n."""

    _KEYS = {"alpha": "alpha_eff", "critical_beta": "critical_beta_eff", "lam": "lam_eff",
             "max_weight": "max_weight_eff", "beta_half": "beta_half_eff"}

    @property
    def alpha(self):
        """α_n."""
        return self._get("alpha")

    @property
    def critical_beta(self):
        """β̃*_n = 1/t_n."""
        return self._get("critical_beta")

    @property
    def lam(self):
        """λ̃ = β t_n."""
        return self._get("lam")

    @property
    def beta_half(self):
        """The effective law's β_1/2 (second order)."""
        return self._get("beta_half")

    def max_weight(self):
        """The effective law's E[W_1] at λ̃ (second order)."""
        return self._get("max_weight")


def _rebuild(law, n, beta, sinks):
    return Setting(law, n, beta, sinks=sinks)
