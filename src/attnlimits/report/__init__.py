"""Reports: figures and pages drawn from results (matplotlib imported lazily inside each module)."""
