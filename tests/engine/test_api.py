"""The engine's public names: what users call is in ``__all__``; the tuning constants stay importable."""

import warnings

from attnlimits import UniformSphere, engine


def test_engine_exports_what_users_call_and_not_its_tuning_constants():
    assert {"simulate", "SimulationResult", "Estimate", "TailToleranceWarning", "method_choice"} <= set(engine.__all__)
    internals = {"STREAM_BLOCK", "AUTO_ORDERSTAT_MIN_N", "DTYPES", "ORDERSTAT_DIAGNOSTICS", "MAX_NEAREST", "METHODS"}
    assert not internals & set(engine.__all__)
    assert all(hasattr(engine, name) for name in internals | set(engine.__all__))  # nothing removed


def test_method_choice_names_the_method_and_the_reason():
    law = UniformSphere(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert engine.method_choice(law, 10**6) == ("orderstat", "n >= 1e+06 and the law has an exact distance CDF, "
                                                    "density and quantile and rebuilds keys from their distances")
        assert engine.method_choice(law, 10**5) == ("exact", "n < 1e+06")
        assert engine.method_choice(law, 10, "orderstat") == ("orderstat", "asked for")
