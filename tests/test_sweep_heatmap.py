"""``heatmap.png``: the objective over the first two swept params, linked from sweep.md, a
PNG of a fixed size, grey where no eligible trial is, the same bytes whatever the number of
workers; a sweep of one param writes none and says so."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from cli_run import run_cli
from matplotlib.image import imread
from sweep_config import BARS, sweep_config

CONFIG = sweep_config()
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GREY = np.array([0xD9, 0xD9, 0xD9]) / 255  # a cell without an eligible trial


def make_config(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = BARS.read_text().splitlines(keepends=True)[:301]
    (folder / "bars.csv").write_text("".join(lines))
    path = folder / "sweep.toml"
    path.write_text(CONFIG)
    return path


def sweep(capsys: pytest.CaptureFixture[str], config: Path, out: Path, *args: str) -> str:
    code, stdout, stderr = run_cli(capsys, "sweep", str(config), *args, "--out", str(out),
                                   "--no-progress")  # fmt: skip
    assert code == 0, stderr
    return stdout


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk (the first, right after the signature)."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def grey_pixels(path: Path) -> int:
    pixels = imread(path)[:, :, :3]
    return int(np.all(np.isclose(pixels, GREY, atol=1 / 255), axis=2).sum())


def test_two_params_give_a_heatmap_linked_from_sweep_md_grey_where_constrained_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config(tmp_path)
    grid = ["--param", "fast=2:8:3", "--param", "slow=4,10", "--where", "fast < slow"]
    pictures = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        stdout = sweep(capsys, config, out, *grid, "--workers", workers)
        assert "heatmap.png" in stdout
        pictures.append((out / "heatmap.png").read_bytes())
    assert pictures[0] == pictures[1]
    out = tmp_path / "w1"
    assert png_size(out / "heatmap.png") == (800, 600)
    report = (out / "sweep.md").read_text()
    assert "![sharpe by fast and slow](heatmap.png)" in report
    assert b"Software" not in pictures[0]  # no matplotlib version in the bytes
    # fast=5 and 8 with slow=4 are constrained out: two grey cells of a 3 x 2 grid
    constrained = grey_pixels(out / "heatmap.png")
    assert constrained > 800 * 600 // 20

    full = tmp_path / "full"
    sweep(capsys, config, full, "--param", "fast=2,5", "--param", "slow=10,20", "--workers", "1")
    assert png_size(full / "heatmap.png") == (800, 600)
    assert grey_pixels(full / "heatmap.png") < 1000  # a few anti-aliased text pixels only


def test_one_param_writes_no_heatmap_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config(tmp_path)
    out = tmp_path / "one"
    stdout = sweep(capsys, config, out, "--param", "fast=2,5", "--workers", "1")
    assert not (out / "heatmap.png").exists()
    assert "heatmap.png" not in stdout
    report = (out / "sweep.md").read_text()
    assert "No heatmap: the sweep has one parameter (it needs two)." in report
    assert "](heatmap.png)" not in report
