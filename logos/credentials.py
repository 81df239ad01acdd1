"""Credentials never live in a config file, and their values never appear in output.

A config key that looks like a credential (``api_key``, ``secret``, ``password``, ``token``,
...; any table, any case) is refused by config validation: credentials go in environment
variables, which a component's params name (``key_env = "APCA_API_KEY_ID"``), see
docs/plugins.md "Credentials". Keys ending in ``_env`` name such a variable and are fine.

:func:`redact` is the last line of defence: the CLI passes every error message through it,
so a ``key=value`` or ``'key': 'value'`` pair with a credential-looking key never reaches the
terminal with its value.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from typing import Any

from logos.errors import LogosError

CREDENTIALS_DOC = 'docs/plugins.md, section "Credentials"'
MASK = "***"

_WORDS = (
    "api_?key",
    "api_?secret",
    "secret",
    "passw(or)?d",
    "passphrase",
    "token",
    "private_?key",
    "credentials?",
)
_CREDENTIAL = re.compile(rf"({'|'.join(_WORDS)})", re.IGNORECASE)
_ENV_NAME = re.compile(r"_(env|var)$", re.IGNORECASE)
_WORD = "(?:" + "|".join(_WORDS) + ")"
# key=value (a flag, --set) or 'key': value / "key" = value (a repr'd mapping); an unquoted
# "path.to.key: message" is how problems are worded and is left alone
_PAIR = re.compile(
    rf"""(?P<key>[A-Za-z0-9_.\-\[\]]*{_WORD}[A-Za-z0-9_\-]*(?P<sep>\s*=\s*)"""
    rf"""|(?P<q>['"])[A-Za-z0-9_.\-]*{_WORD}[A-Za-z0-9_\-]*(?P=q)\s*[=:]\s*)"""
    r"""(?P<value>'[^']*'|"[^"]*"|[^\s,;)}\]'"]+)""",
    re.IGNORECASE,
)


def is_credential_key(key: object) -> bool:
    """True when a config key looks like it holds a credential (``api_key``, ``Secret``,
    ``broker.params.password`` ...) and is not the name of an env var (``secret_env``)."""
    name = str(key).rsplit(".", 1)[-1].replace("-", "_")
    return bool(_CREDENTIAL.search(name)) and not _ENV_NAME.search(name)


def credential_keys(data: Any, prefix: str = "") -> Iterator[str]:
    """Dotted paths (``broker.params.api_key``, ``risk[0].params.token``) of every
    credential-looking key in a parsed config; the top-level ``metadata`` table is keyed by
    symbol, as is a replay feed's ``files`` table, so their keys are not looked at (their
    values are)."""
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            keyed_by_symbol = prefix == "metadata" or prefix.endswith(".files")
            if is_credential_key(key) and not keyed_by_symbol:
                yield path
            else:
                yield from credential_keys(value, path)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from credential_keys(value, f"{prefix}[{i}]")


def credential_problem(path: str) -> str:
    """The message refusing a credential at ``path`` (never its value)."""
    return (
        f"{path}: looks like a credential; logos never reads credentials from a config file or "
        "flag: put it in an environment variable and name that variable in the component's "
        f'params (e.g. key_env = "MY_VENUE_API_KEY"); see {CREDENTIALS_DOC}'
    )


def redact(text: str) -> str:
    """``text`` with the value of every credential-looking ``key=value`` pair masked, and
    every credential read by :func:`read_credentials` in this process masked wherever it
    appears."""

    def mask(match: re.Match[str]) -> str:
        key = match.group("key")
        if _ENV_NAME.search(key.strip("'\"=: ")):
            return match.group(0)
        return f"{key}{MASK}"

    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return _PAIR.sub(mask, text)


def mask_known_secrets(line: bytes) -> bytes:
    """``line`` (UTF-8) with every credential :func:`read_credentials` read in this process
    replaced by ``***``; unchanged, and no work, when none was read (every session but a
    live one). What the journal writes goes through it."""
    if not _SECRETS:
        return line
    for secret in sorted(_SECRETS, key=len, reverse=True):
        encoded = secret.encode()
        if encoded in line:
            line = line.replace(encoded, MASK.encode())
    return line


MIN_SECRET_LENGTH = 4
"""Shorter values are not masked by value (every "1" in a log would become ``***``)."""

_SECRETS: set[str] = set()
"""The credential values this process has read: masked by :func:`redact` wherever they
appear (a venue library echoing a key in an error message included)."""


class CredentialsError(LogosError):
    """A broker's credentials are not all set in the environment (names only, no values)."""


def read_credentials(names: Mapping[str, str], environ: Mapping[str, str]) -> dict[str, str]:
    """``role -> value`` for ``names`` (``role -> environment variable``), read from
    ``environ``; raises :class:`CredentialsError` naming every variable that is unset or
    empty. Every value read is remembered so :func:`redact` masks it from then on."""
    missing = [f"{name} ({role})" for role, name in names.items() if not environ.get(name, "")]
    if missing:
        raise CredentialsError(
            f"credentials not set: {', '.join(missing)}; export them in the shell that runs "
            "logos (never in a config file)"
        )
    values = {role: environ[name] for role, name in names.items()}
    for value in values.values():
        if len(value) >= MIN_SECRET_LENGTH:
            _SECRETS.add(value)
    return values


class RedactingFilter(logging.Filter):
    """A logging filter that passes every record through :func:`redact` (the message is
    formatted once, its arguments dropped), so no log line carries a credential."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; never drops it."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True
