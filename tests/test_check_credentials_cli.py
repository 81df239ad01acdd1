"""``logos check-credentials``: names the variables a venue broker reads and whether they are
set, never their values; ``--online`` asks the venue once (Alpaca: the account's status and
buying power). Alpaca's client is faked at its method boundary."""

from __future__ import annotations

import pytest
from cli_run import run_cli
from logos_alpaca.testing import FakeTradingClient, api_error

KEY, SECRET = "PKCHECKKEY0099", "check-secret-77aa"


@pytest.fixture
def keys(monkeypatch) -> None:
    monkeypatch.setenv("APCA_API_KEY_ID", KEY)
    monkeypatch.setenv("APCA_API_SECRET_KEY", SECRET)


@pytest.fixture
def venue(monkeypatch) -> FakeTradingClient:
    client = FakeTradingClient({})
    client.made_with = []

    def make_client(credentials, paper):
        client.made_with.append((dict(credentials), paper))
        return client

    monkeypatch.setattr("logos_alpaca.broker.make_client", make_client)
    return client


def test_missing_keys_are_named(capsys, monkeypatch, venue):
    monkeypatch.delenv("APCA_API_KEY_ID", raising=False)
    monkeypatch.setenv("APCA_API_SECRET_KEY", SECRET)
    code, out, err = run_cli(capsys, "check-credentials", "--broker", "alpaca", "--online")
    assert code == 1
    assert "key: APCA_API_KEY_ID NOT SET" in out
    assert "secret: APCA_API_SECRET_KEY set" in out
    assert "APCA_API_KEY_ID is not set (the key of broker 'alpaca')" in err
    assert venue.calls == []  # nothing asked of Alpaca without both keys
    assert SECRET not in out + err


def test_keys_set_offline(capsys, keys, venue):
    code, out, err = run_cli(capsys, "check-credentials", "--broker", "alpaca")
    assert (code, err) == (0, "")
    assert "endpoint: paper (paper-api.alpaca.markets)" in out
    assert "ok: the credentials of broker 'alpaca' are set (not tried: add --online)" in out
    assert venue.calls == []


def test_online_reports_the_account_never_the_keys(capsys, keys, venue):
    code, out, err = run_cli(capsys, "check-credentials", "--broker", "alpaca", "--online")
    assert (code, err) == (0, "")
    assert "account status: ACTIVE" in out
    assert "buying power: 200000 USD" in out
    assert "are set, and taken by the venue" in out
    assert [name for name, _ in venue.calls] == ["get_account"]
    assert venue.made_with == [({"key": KEY, "secret": SECRET}, True)]
    assert KEY not in out + err and SECRET not in out + err


def test_online_against_the_live_endpoint(capsys, keys, venue):
    code, out, _ = run_cli(
        capsys, "check-credentials", "--broker", "alpaca", "--online", "--set", "paper=false"
    )
    assert code == 0
    assert "endpoint: live (api.alpaca.markets)" in out
    assert venue.made_with[0][1] is False


def test_keys_alpaca_refuses(capsys, keys, venue):
    venue.fail["get_account"] = [api_error(401, "request is not authorized")]
    code, _, err = run_cli(capsys, "check-credentials", "--broker", "alpaca", "--online")
    assert code == 1
    assert "Alpaca refused the keys: alpaca: request is not authorized (HTTP 401)" in err


def test_a_broker_without_credentials_says_so(capsys):
    code, _, err = run_cli(capsys, "check-credentials", "--broker", "paper")
    assert code == 1
    assert "broker 'paper' reads no credentials (venue brokers do: alpaca, ccxt)" in err


def test_bad_params_are_one_line(capsys, keys):
    code, _, err = run_cli(capsys, "check-credentials", "--broker", "alpaca", "--set", "paper=1")
    assert code == 1
    assert "--set paper=...: Input should be true or false" in err
