"""Where and how to send: the config file's ``smtp`` section, overridden by the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal, cast, get_args

from reportgen.config import SmtpConfig
from reportgen.errors import ReportgenError

ENV = "REPORTGEN_SMTP_"
Security = Literal["starttls", "ssl", "none"]
DEFAULT_PORTS: dict[Security, int] = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: Security
    from_address: str
    user: str | None
    password: str | None
    per_minute: int | None = None  # the most messages a minute; None: no limit

    def __repr__(self) -> str:  # never show the password, even in a traceback
        return (f"SmtpSettings(host={self.host!r}, port={self.port}, security="
                f"{self.security!r}, from_address={self.from_address!r}, user={self.user!r}, "
                f"per_minute={self.per_minute})")


def smtp_settings(config: SmtpConfig, environ: dict[str, str] | None = None) -> SmtpSettings:
    env = os.environ if environ is None else environ
    security = _security(env.get(f"{ENV}SECURITY", config.security))
    host = env.get(f"{ENV}HOST", config.host)
    sender = env.get(f"{ENV}FROM", config.from_address)
    if not host or not sender:
        raise ReportgenError(f"Set the mail server and sender: {ENV}HOST and {ENV}FROM (or "
                             "smtp.host and smtp.from in the config file).")
    port_text = env.get(f"{ENV}PORT")
    try:
        port = int(port_text) if port_text else (config.port or DEFAULT_PORTS[security])
    except ValueError:
        raise ReportgenError(f"{ENV}PORT={port_text!r} is not a port number.") from None
    user = env.get(f"{ENV}USER", config.user)
    password = env.get(f"{ENV}PASSWORD")
    if user and not password:
        raise ReportgenError(f"{ENV}USER is set but {ENV}PASSWORD is not: the password is read "
                             "only from the environment.")
    rate_text = env.get(f"{ENV}PER_MINUTE")
    try:
        per_minute = int(rate_text) if rate_text else config.per_minute
    except ValueError:
        raise ReportgenError(f"{ENV}PER_MINUTE={rate_text!r} is not a whole number.") from None
    if per_minute is not None and per_minute <= 0:
        raise ReportgenError(f"{ENV}PER_MINUTE must be above 0 (or unset for no limit).")
    return SmtpSettings(host, port, security, sender, user, password, per_minute)


def _security(text: str) -> Security:
    if text not in get_args(Security):
        raise ReportgenError(f"{ENV}SECURITY={text!r}: use starttls, ssl or none.")
    return cast(Security, text)
