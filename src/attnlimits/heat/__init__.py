"""Attention as a backward heat equation (:ref:`theory-limit-laws`): population map and self-attention dynamics."""

from ._density import CallableDensity, HarmonicDensity, SphereDensity, VonMisesFisherDensity, as_density
from ..theory import heat_drift
from ._drift import first_order_map, mode_growth_factor
from ._dynamics import INITS, HeatRegimeWarning, HeatResult, initial_points, run_dynamics
from ._harmonics import harmonic_amplitude, harmonic_norm, laplace_eigenvalue, off_mode_power, zonal_harmonic
from ._population import population_map, population_map_error
from ._step import BACKENDS, DEVICES, KERNELS, attention_step, attention_step_dense, resolve_backend

__all__ = [
    "BACKENDS",
    "DEVICES",
    "INITS",
    "KERNELS",
    "HeatRegimeWarning",
    "HeatResult",
    "attention_step",
    "attention_step_dense",
    "initial_points",
    "resolve_backend",
    "run_dynamics",
    "CallableDensity",
    "HarmonicDensity",
    "SphereDensity",
    "VonMisesFisherDensity",
    "as_density",
    "first_order_map",
    "harmonic_amplitude",
    "harmonic_norm",
    "heat_drift",
    "laplace_eigenvalue",
    "mode_growth_factor",
    "off_mode_power",
    "population_map",
    "population_map_error",
    "zonal_harmonic",
]
