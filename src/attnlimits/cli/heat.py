"""``attnlimits heat``: self-attention dynamics as a backward heat equation (:ref:`theory-limit-laws`)."""

from __future__ import annotations

import click

from .._validation import MAX_MODE
from ._common import BETA, FIGURE_PATH, SEED, Count, one_line_warnings, print_json, print_table, progress_callback


@click.command("heat")
@click.option("--d", "d", type=Count(2, 3), default=3, show_default=True, help="2 (circle, cos(Lθ)) or 3 (S^2, P_L(z)).")
@click.option("--mode", type=Count(1, MAX_MODE), default=2, show_default=True,
              help=f"Harmonic degree L in [1, {MAX_MODE}] of the seed 1 + eps·Y_L.")
@click.option("--eps", type=float, default=0.3, show_default=True, help="Seed amplitude eps in (0, 1).")
@click.option("--n", "n", type=Count(2), default="20000", show_default=True,
              help="Particles n >= 2 (accepts 2e4); refused if its memory exceeds half the machine's.")
@click.option("--beta", type=BETA, default=100.0, show_default=True, help="Inverse temperature beta in (0, 1e30].")
@click.option("--steps", type=Count(0), default=10, show_default=True, help="Attention steps >= 0.")
@click.option("--init", type=click.Choice(["quasi", "random"]), default="quasi", show_default=True,
              help="Deterministic quasi-uniform lattice or i.i.d. draws from the density.")
@click.option("--seed", type=SEED, default=None, help="Seed of the random start (default: fresh entropy, reported).")
@click.option("--plot", "plot", type=FIGURE_PATH, default=None, help="Write a figure (PNG/PDF/SVG).")
@click.option("--backend", type=click.Choice(["numpy", "torch"]), default=None,
              help="numpy or torch (default: numpy, torch on cuda or with --kernel sdpa).")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
@click.option("--kernel", type=click.Choice(["blocked", "sdpa"]), default="blocked", show_default=True,
              help="Tiled symmetric step, or torch's fused scaled_dot_product_attention (needs torch).")
@click.option("--dtype", type=click.Choice(["float64", "float32"]), default="float64", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def heat_command(d, mode, eps, n, beta, steps, init, seed, plot, backend, device, kernel, dtype, as_json):
    """Seed n particles with density 1 + EPS·Y_MODE, run STEPS renormalised self-attention steps at BETA, and
    compare the growth of the mode with exp(L(L+d-2)·steps/beta) and (1 + L(L+d-2)/beta)^steps."""
    from ..heat import run_dynamics

    if backend is None:
        backend = "torch" if device == "cuda" or kernel == "sdpa" else "numpy"
    with progress_callback("attention steps") as progress, one_line_warnings():
        res = run_dynamics(d, mode, eps, n, beta, steps, init, seed, backend=backend, device=device, dtype=dtype, kernel=kernel,
                           keep_points=plot is not None, progress=progress)
    out = res.to_dict()
    if plot is not None:
        from ..heat._curves import heat_plot_data
        from ..report import heat_figure, save_figure

        save_figure(heat_figure(res, heat_plot_data(res)), plot)
        out["plot"] = plot
    if as_json:
        print_json(out)
        return
    title = (f"heat: d={res.d}, mode L={res.mode}, eps={res.eps:g}, n={res.n:,}, β={res.beta:g}, {res.steps} steps, "
             f"{res.init} start (seed {res.seed}), n·F(1/β)={res.effective_keys:.4g}")
    print_table(title, ["quantity", "value"], [
        ("growth measured", res.growth_measured),
        ("exp(L(L+d-2)·steps/β)", res.growth_predicted),
        ("(1 + L(L+d-2)/β)^steps", res.growth_predicted_per_step),
        ("mean field g_L(β)^steps", res.growth_predicted_mean_field),
        ("measured / per-step − 1", res.growth_measured / res.growth_predicted_per_step - 1.0),
        ("measured / mean field − 1", res.growth_measured / res.growth_predicted_mean_field - 1.0),
        ("amplitude start", res.amplitude_by_step[0]),
        ("amplitude end", res.amplitude_by_step[-1]),
        ("off-mode power start", res.off_mode_power_by_step[0]),
        ("off-mode power end", res.off_mode_power_by_step[-1]),
    ])
    if plot is not None:
        click.echo(f"figure: {plot}")
