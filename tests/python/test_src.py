"""snnsim.src.run against `snnsim src --json`: the same table, the same checks and messages (issue 22)."""
import json
import subprocess

import pytest

import snnsim

# Small and fast (as tests/ann/test_cli.cpp's kSmall): two tasks, 20 images per task, a 32-24 net.
SMALL = dict(method=["sequential", "src"], seed=3, seeds=2, tasks=2, per_task=20, hidden=[32, 24], batch=10, epochs=2,
             sleep_steps=100, sleep_steps_per_task=50, max_train=2000, max_test=300, threads=1)


def cli_args(**kw):
    """The keyword arguments written as the CLI's options, by hand (not through the module)."""
    out = []
    for k, v in kw.items():
        out.append("--" + k.replace("_", "-"))
        out.append(",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v))
    return out


def strip_timing(j):
    """Drops what differs between two identical runs: wall times, per-phase timing, the file name."""
    if isinstance(j, dict):
        return {k: strip_timing(v) for k, v in j.items() if k not in ("wall_s", "timing", "out")}
    if isinstance(j, list):
        return [strip_timing(v) for v in j]
    return j


def test_src_run_equals_cli_json(cli, data_dir, tmp_path):
    p = subprocess.run([cli, "src", "--data", data_dir, *cli_args(**SMALL), "--out", str(tmp_path / "cli.h5"), "--json",
                        "--quiet"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    want = json.loads(p.stdout)
    got = snnsim.src.run(data=data_dir, **SMALL)  # no out=: no run file
    assert got["command"] == "src" and got["out"] == ""
    assert [r["method"] for r in got["runs"]] == ["sequential", "sequential", "src", "src"]
    assert [r["seed"] for r in got["runs"]] == [3, 4, 3, 4]
    assert strip_timing(got) == strip_timing(want)  # every accuracy, per-task value, sleep statistic: exact
    # With out= it writes the same run file the CLI writes.
    got2 = snnsim.src.run(data=data_dir, out=str(tmp_path / "py.h5"), **SMALL)
    assert strip_timing(got2) == strip_timing(want) and (tmp_path / "py.h5").exists()
    # One method: also the top-level accuracy and per-task table (means over seeds), as --json has them.
    one = snnsim.src.run(data=data_dir, **{**SMALL, "method": "src"})
    assert len(one["per_task"]) == 2 and one["accuracy"] == want["summary"]["src"]["accuracy_mean"]


def cli_error(cli, *args):
    p = subprocess.run([cli, "src", *args], capture_output=True, text=True)
    assert p.returncode == 2, p.stderr
    return p.stderr.strip().split("error: ", 1)[1]


@pytest.mark.parametrize("bad", [dict(gate="tanh"), dict(beta=[1, 2]), dict(dropout=1), dict(preset="cifar"),
                                 dict(seeds=0), dict(threads=-1), dict(method="nope"), dict(no_such_option=1)])
def test_src_errors_are_the_clis(cli, data_dir, bad):
    args = {"method": "src", **bad}
    with pytest.raises(ValueError) as e:
        snnsim.src.run(data=data_dir, **args)
    assert str(e.value) == cli_error(cli, "--data", data_dir, "--out", "/tmp/unused.h5", *cli_args(**args))


def test_src_switches_and_files(tmp_path, data_dir):
    with pytest.raises(ValueError, match="--norm-w"):
        snnsim.src.run(data=data_dir, method="src", norm_w="yes")  # a switch takes True/False
    with pytest.raises(ValueError, match="--lr"):
        snnsim.src.run(data=data_dir, method="src", lr=True)  # a value is not a switch
    with pytest.raises(snnsim.DataError):
        snnsim.src.run(data=str(tmp_path / "none"), method="src")
