"""The clients file: who gets a personalised edition, at which addresses, with what branding.

    firm:                       # optional: overrides the config's branding for everyone
      firm_name: Example Wealth Partners
    clients:
      - id: acme                # letters, digits, - and _; used in file names and the send log
        name: Acme Family Office
        email: [cio@acme.example, office@acme.example]
        adviser: Jane Doe       # optional
        branding:               # optional, per client: firm_name, logo, colour, disclaimer, paper
          paper: Letter
"""

from __future__ import annotations

from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from reportgen.config import (
    Branding,
    Colour,
    LogoFile,
    Paper,
    PlainText,
    error_message,
    read_yaml,
)
from reportgen.errors import ReportgenError


class BrandingOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")

    firm_name: PlainText | None = None
    logo: LogoFile | None = None
    colour: Colour | None = None
    disclaimer: str | None = None
    paper: Paper | None = None

    def apply(self, base: Branding) -> Branding:
        return base.model_copy(update=self.model_dump(exclude_none=True))


class Client(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)
    name: PlainText = Field(min_length=1, max_length=200)
    email: list[str] = Field(min_length=1)
    adviser: PlainText | None = Field(None, max_length=200)
    branding: BrandingOverride = BrandingOverride()

    @field_validator("email")
    @classmethod
    def _addresses(cls, addresses: list[str]) -> list[str]:
        """Each address checked by email-validator (syntax only: no network), written in
        its normal form, and listed once."""
        checked = []
        for address in addresses:
            try:
                checked.append(validate_email(address, check_deliverability=False).normalized)
            except EmailNotValidError as error:
                raise ValueError(f"{address!r} is not an email address: {error}") from None
        return list(dict.fromkeys(checked))


class ClientList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    firm: BrandingOverride = BrandingOverride()
    clients: list[Client] = Field(min_length=1)

    def branding_for(self, base: Branding, client: Client) -> Branding:
        return client.branding.apply(self.firm.apply(base))

    def select(self, only: list[str]) -> list[Client]:
        unknown = sorted(set(only) - {c.id for c in self.clients})
        if unknown:
            raise ReportgenError(f"--only: no client with id {', '.join(unknown)}.")
        return [c for c in self.clients if not only or c.id in only]


def _locate(error: ErrorDetails, raw: object) -> str:
    """'clients[2] (acme): email' rather than pydantic's 'clients.2.email'."""
    location = list(error["loc"])
    if len(location) >= 2 and location[0] == "clients" and isinstance(location[1], int):
        entry = raw["clients"][location[1]] if isinstance(raw, dict) else {}
        name = f" ({entry['id']})" if isinstance(entry, dict) and "id" in entry else ""
        rest = ".".join(str(p) for p in location[2:])
        return f"clients[{location[1] + 1}]{name}" + (f": {rest}" if rest else "")
    return ".".join(str(p) for p in location)


def parse_clients(raw: object, path: Path) -> ClientList:
    try:
        clients = ClientList.model_validate(raw if raw is not None else {})
    except ValidationError as error:
        problems = "; ".join(f"{_locate(e, raw)}: {error_message(e)}" for e in error.errors())
        raise ReportgenError(f"{path}: {problems}") from None
    seen: set[str] = set()
    for number, client in enumerate(clients.clients, start=1):
        if client.id in seen:
            raise ReportgenError(f"{path}: clients[{number}] ({client.id}): id: the id is "
                                 "used twice; each client needs its own.")
        seen.add(client.id)
    return clients


def load_clients(path: Path) -> ClientList:
    return parse_clients(read_yaml(path, "clients file"), path)

