"""Figure of ``attnlimits schedule``: β applied by each long-context rule against the critical schedule."""

from __future__ import annotations

__all__ = ["schedule_figure"]


def schedule_figure(table: dict, path) -> None:
    """Draw β(n) of every rule, the critical schedule β_train·β_{1/2}(n)/β_{1/2}(T) and β*_n (log–log) to
    ``path``; the title states the law, d, T and β_train."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = table["rows"]
    ns = [r["n"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name in rows[0]["rules"]:
        style = {"critical": dict(color="k", lw=2.5), "none": dict(color="0.6", ls=":")}.get(name, dict(marker="o", ms=3))
        ax.plot(ns, [r["rules"][name]["beta"] for r in rows], label=name, **style)
    ax.plot(ns, [r["beta_star"] for r in rows], "k--", lw=1, label="β*_n (asymptotic)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("visible context n")
    ax.set_ylabel("β applied (logit multiplier × β_train)")
    ax.set_title(f"law {table['law']}, d = {table['d']}, T = {table['n_train']}, β_train = {table['beta_train']:.3g}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
