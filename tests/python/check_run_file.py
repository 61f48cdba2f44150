"""Loads an snnsim run file the way an analysis user would (h5py + numpy) and checks the schema
documented in docs/run-file.md. Run with Debian's /usr/bin/python3."""
import json
import sys

import h5py
import numpy as np


def main(path, eval_json):
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == "snnsim-run", f.attrs["format"]
        assert list(f.attrs["format_version"]) == [1, 0]
        for key in ("snnsim_version", "git_commit", "created_utc", "hdf5_version", "command_line"):
            assert key in f.attrs, key
        cfg = f["config"].attrs
        n_exc = int(cfg["n_exc"])
        n_input = int(cfg["n_input"])
        assert n_exc == 12 and n_input == 784
        assert float(cfg["dt_ms"]) == 0.5 and float(cfg["exc_tau_m_ms"]) == 100.0
        assert int(cfg["master_seed"]) == 3
        assert set(f["network"].keys()) == {"init", "trained"}, list(f["network"].keys())
        st = f["network/trained"]
        w = st["edges/input_to_exc/weight"][()]
        assert w.shape == (784, n_exc) and w.dtype == np.float32
        assert np.all(w >= 0) and np.all(w <= 1)
        assert np.allclose(w.sum(axis=0), 78.0, rtol=0.05), w.sum(axis=0)  # normalised before each image
        theta = st["nodes/exc/theta_mV"][()]
        assert theta.shape == (n_exc,) and np.all(theta >= 19.0)
        labels = st["nodes/exc/label"][()]
        assert labels.shape == (n_exc,) and labels.min() >= -1 and labels.max() <= 9
        assert st["nodes/exc/class_rate_Hz"].shape == (n_exc, 10)
        rf = st["receptive_fields"][()]
        assert rf.shape == (n_exc, 28, 28)
        assert np.array_equal(rf[3].reshape(-1), w[:, 3])
        log = {k: v[()] for k, v in f["train/log"].items()}  # struct of arrays -> DataFrame(log)
        assert len(log["sample_index"]) == 40 and set(log) >= {"label", "tries", "exc_spikes", "running_accuracy"}
        assert np.all(log["tries"] >= 1)
        res = f["eval/results"]
        acc = res["accuracy"][()]
        states = res["state"].asstr()[()]
        assert len(acc) == 1 and states[0] == "trained"
        assert int(res["n_samples"][0]) == 30
        conf = f["eval/confusion"][()]
        assert conf.shape == (1, 10, 10)
        assert conf.sum() == int(res["n_samples"][0]) - int(res["n_silent"][0])
        assert np.trace(conf[0]) == int(res["n_correct"][0])
    with open(eval_json) as fh:
        j = json.load(fh)
    assert abs(j["accuracy"] - float(acc[0])) < 1e-12
    assert 0.0 <= j["accuracy"] <= 1.0
    print("run file OK:", path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
