"""A credential in a config or a flag is refused, naming where it is and where credentials
go (environment variables, docs/plugins.md), and its value never appears in any output."""

from __future__ import annotations

from pathlib import Path

import pytest

from logos.cli import main

SECRET = "sk-live-4f9a2c7e1b"
DATA = Path(__file__).resolve().parents[1] / "logos" / "data" / "btcusdt-perp-1m.csv"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def config(tmp_path: Path, extra: str = "", broker: str = "") -> Path:
    path = tmp_path / "run.toml"
    path.write_text(
        f'symbols = ["BTC/USDT:USDT"]\n{extra}[feed]\nname = "replay"\n'
        f'params = {{ path = "{DATA}" }}\n[broker]\nname = "paper"\n{broker}'
        '[strategy]\nname = "sma_cross"\n'
    )
    return path


@pytest.mark.parametrize(
    ("broker", "where"),
    [
        (f'params = {{ api_key = "{SECRET}" }}\n', "broker.params.api_key"),
        (f'params = {{ APIKEY = "{SECRET}" }}\n', "broker.params.APIKEY"),
        (f'params = {{ Secret = "{SECRET}" }}\n', "broker.params.Secret"),
        (f'params = {{ password = "{SECRET}" }}\n', "broker.params.password"),
        (f'params = {{ passphrase = "{SECRET}" }}\n', "broker.params.passphrase"),
        (f'params = {{ auth = {{ token = "{SECRET}" }} }}\n', "broker.params.auth.token"),
        (f'params = {{ private_key = "{SECRET}" }}\n', "broker.params.private_key"),
    ],
)
def test_a_credential_in_component_params_is_refused_without_its_value(
    capsys, tmp_path, broker, where
):
    code, output = run(capsys, "validate", str(config(tmp_path, broker=broker)))
    assert code == 1
    assert f"{where}: looks like a credential" in output
    assert "environment variable" in output and 'docs/plugins.md, section "Credentials"' in output
    assert SECRET not in output
    assert f"{where}: Extra inputs" not in output  # the credential message replaces it


def test_a_credential_in_a_top_level_table_or_a_risk_guard_is_refused(capsys, tmp_path):
    extra = (
        f'api_token = "{SECRET}"\n[[risk]]\nname = "max_drawdown"\n'
        f'params = {{ limit = 0.2, token = "{SECRET}" }}\n'
    )
    code, output = run(capsys, "validate", str(config(tmp_path, extra=extra)))
    assert code == 1
    assert "api_token: looks like a credential" in output
    assert "risk[0].params.token: looks like a credential" in output
    assert SECRET not in output


def test_a_credential_in_a_value_of_another_field_is_not_echoed(capsys, tmp_path):
    # strategy.params.fast is the wrong type AND holds a credential: the type error stays,
    # but pydantic's "(got ...)" shows *** instead of the value
    path = config(tmp_path)
    path.write_text(
        path.read_text() + f'params = {{ fast = {{ secret = "{SECRET}" }}, slow = 30 }}\n'
    )
    code, output = run(capsys, "validate", str(path))
    assert code == 1
    assert "strategy.params.fast.secret: looks like a credential" in output
    assert "(got ***)" in output
    assert SECRET not in output


def test_a_credential_in_a_set_flag_is_refused_on_backtest(capsys, tmp_path):
    code, output = run(
        capsys,
        "backtest",
        str(config(tmp_path)),
        "--set",
        f"broker.params.api_secret={SECRET}",
        "--out",
        str(tmp_path / "run"),
    )
    assert code == 1
    assert "broker.params.api_secret: looks like a credential" in output
    assert SECRET not in output
    assert not (tmp_path / "run").exists()


def test_a_malformed_risk_flag_does_not_echo_a_credential(capsys, tmp_path):
    code, output = run(
        capsys, "validate", str(config(tmp_path)), "--risk", f"max_drawdown:password={SECRET},oops"
    )
    assert code == 1
    assert "'oops' is not key=value" in output and "password=***" in output
    assert SECRET not in output


def test_a_key_naming_an_environment_variable_is_not_a_credential(capsys, tmp_path):
    # paper has no such param, so this is an ordinary unknown-param error, not a credential one
    code, output = run(
        capsys, "validate", str(config(tmp_path, broker='params = { secret_env = "MY_SECRET" }\n'))
    )
    assert code == 1
    assert "broker.params.secret_env: Extra inputs are not permitted (got 'MY_SECRET')" in output
    assert "looks like a credential" not in output


def test_a_symbol_named_like_a_credential_is_not_one(capsys, tmp_path):
    extra = 'symbols = ["TOKEN/USDT"]\n[metadata."TOKEN/USDT"]\nlot_size = "1"\n'
    path = config(tmp_path, extra=extra)
    path.write_text(path.read_text().replace('symbols = ["BTC/USDT:USDT"]\n', "", 1))
    code, output = run(capsys, "validate", str(path))
    assert code == 0, output
