"""``attnlimits heat`` as a user runs it."""

import pytest

from conftest import run_cli, run_cli_json

KEYS = {"d", "n", "beta", "steps", "mode", "eps", "init", "growth_measured", "growth_predicted",
        "growth_predicted_per_step", "amplitude_by_step"}


def test_json_keys_and_values(tmp_path):
    plot = tmp_path / "heat.png"
    out = run_cli_json("heat", "--d", "3", "--mode", "2", "--eps", "0.3", "--n", "2e3", "--beta", "40", "--steps", "3",
                       "--init", "random", "--seed", "7", "--plot", str(plot))
    assert KEYS <= set(out)
    assert (out["d"], out["n"], out["beta"], out["steps"], out["mode"], out["eps"], out["init"]) == \
        (3, 2000, 40.0, 3, 2, 0.3, "random")
    assert out["growth_predicted"] == pytest.approx(2.718281828 ** (6 * 3 / 40))
    assert out["growth_predicted_per_step"] == pytest.approx((1 + 6 / 40) ** 3)
    assert 1.0 < out["growth_predicted_mean_field"] < out["growth_predicted_per_step"]
    assert len(out["amplitude_by_step"]) == 4
    assert out["growth_measured"] == pytest.approx(out["amplitude_by_step"][-1] / out["amplitude_by_step"][0])
    assert plot.stat().st_size > 10_000


def test_table_output_and_warning_on_stderr():
    proc = run_cli("heat", "--d", "2", "--n", "300", "--beta", "500", "--steps", "1", check=True)
    assert "growth measured" in proc.stdout
    assert "warning: n·F(1/β)" in proc.stderr


@pytest.mark.parametrize("args, name", [
    (["--mode", "0"], "mode"), (["--eps", "1"], "eps"), (["--eps", "-0.1"], "eps"), (["--steps", "-1"], "steps"),
    (["--d", "4"], "d"), (["--n", "1"], "n"), (["--beta", "0"], "beta"), (["--n", "2.5"], "n"),
    (["--backend", "numpy", "--device", "cuda"], "device")])
def test_bad_input_exits_2_with_one_line(args, name):
    proc = run_cli("heat", *args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0]


def test_cuda_without_gpu_exits_2():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    proc = run_cli("heat", "--device", "cuda", "--n", "100")
    assert proc.returncode == 2 and proc.stderr.strip() == "error: invalid device='cuda': torch sees no CUDA GPU on this machine; expected cpu"
