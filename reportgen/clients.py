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
        holdings:               # optional: a "Your portfolio" page in this client's copy
          - {ticker: IWM, weight: 0.40}     # weights (summing to 1), or units held:
          - {ticker: SPY, weight: 0.60}     #   - {ticker: IWM, units: 1200}
      - id: birch
        ...
        holdings_file: birch.csv          # or a CSV beside this file: ticker,weight or
                                          # ticker,units
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from reportgen.config import (
    MAX_LIST_BYTES,
    Branding,
    Colour,
    LogoFile,
    Paper,
    PlainText,
    error_message,
    read_text,
    read_yaml,
)
from reportgen.errors import ReportgenError
from reportgen.tickers import check_ticker


class BrandingOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")

    firm_name: PlainText | None = None
    logo: LogoFile | None = None
    colour: Colour | None = None
    disclaimer: str | None = None
    paper: Paper | None = None

    def apply(self, base: Branding) -> Branding:
        return base.model_copy(update=self.model_dump(exclude_none=True))


# Weights may be rounded by whoever typed them; beyond this they are a mistake, not rounding.
WEIGHT_TOLERANCE = 0.005


class Holding(BaseModel):
    """One line of a client's portfolio: a weight (a share of the portfolio) or units."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ticker: str
    weight: float | None = Field(None, gt=0, le=1)
    units: float | None = Field(None, gt=0)

    @field_validator("ticker")
    @classmethod
    def _symbol(cls, ticker: str) -> str:
        try:
            return check_ticker(ticker)
        except ReportgenError as error:
            raise ValueError(str(error)) from None

    @model_validator(mode="after")
    def _one_measure(self) -> Holding:
        if (self.weight is None) == (self.units is None):
            raise ValueError(f"{self.ticker}: give a weight or units, not both or neither")
        return self


class Client(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)
    name: PlainText = Field(min_length=1, max_length=200)
    email: list[str] = Field(min_length=1)
    adviser: PlainText | None = Field(None, max_length=200)
    branding: BrandingOverride = BrandingOverride()
    holdings: list[Holding] = Field(default_factory=list, max_length=500)
    # A CSV of holdings (ticker,weight or ticker,units), read relative to the clients file;
    # once read, its rows are the holdings and this is cleared.
    holdings_file: str | None = None

    @property
    def portfolio_key(self) -> tuple[Holding, ...]:
        """The holdings as one value: clients with the same hold the same portfolio, and
        their portfolio pages are the same."""
        return tuple(self.holdings)

    @model_validator(mode="after")
    def _consistent_holdings(self) -> Client:
        if self.holdings and self.holdings_file:
            raise ValueError("give holdings or a holdings_file, not both")
        tickers = [h.ticker for h in self.holdings]
        if len(set(tickers)) != len(tickers):
            raise ValueError(f"holdings: {_twice(tickers)} is listed twice")
        if len({h.weight is None for h in self.holdings}) > 1:
            raise ValueError("holdings: use weights for every line or units for every line")
        weights = [h.weight for h in self.holdings if h.weight is not None]
        if weights and abs(sum(weights) - 1) > WEIGHT_TOLERANCE:
            raise ValueError(f"holdings: the weights add up to {sum(weights):.4f}, not 1")
        return self

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

    @property
    def holding_tickers(self) -> list[str]:
        """Every ticker a client holds, once: the build loads their prices too."""
        return list(dict.fromkeys(h.ticker for c in self.clients for h in c.holdings))

    def as_stored(self) -> str:
        """The list as one self-contained file (JSON, which YAML reads), holdings inline:
        what an edition keeps when the clients file named holdings files beside it."""
        return json.dumps(self.model_dump(mode="json", exclude_defaults=True), indent=1,
                          ensure_ascii=False) + "\n"

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


def _twice(items: list[str]) -> str:
    return next(item for item in items if items.count(item) > 1)


def _validated(raw: object, path: Path) -> ClientList:
    try:
        return ClientList.model_validate(raw if raw is not None else {})
    except ValidationError as error:
        problems = "; ".join(f"{_locate(e, raw)}: {error_message(e)}" for e in error.errors())
        raise ReportgenError(f"{path}: {problems}") from None


def read_holdings_file(path: Path) -> list[dict[str, str]]:
    """A holdings CSV's rows (``ticker`` and ``weight`` or ``units``), as text for the
    Holding model to check; errors name the file."""
    text = read_text(path, "holdings file", MAX_LIST_BYTES)
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or not {"ticker"} <= set(rows[0]) or not {"weight", "units"} & set(rows[0]):
        raise ReportgenError(f"{path}: expected a header 'ticker,weight' or 'ticker,units' "
                             "and one row per holding.")
    return [{k: v for k, v in row.items() if k in ("ticker", "weight", "units") and v}
            for row in rows]


def parse_clients(raw: object, path: Path) -> ClientList:
    """The clients file's clients, each holdings file read into its client's holdings (so
    the list, stored with an edition, needs no other file to be read back)."""
    if isinstance(raw, dict) and isinstance(raw.get("clients"), list):
        for entry in raw["clients"]:
            if (isinstance(entry, dict) and isinstance(entry.get("holdings_file"), str)
                    and "holdings" not in entry):
                source = path.parent / entry.pop("holdings_file")
                entry["holdings"] = read_holdings_file(source)
    clients = _validated(raw, path)
    seen: set[str] = set()
    for number, client in enumerate(clients.clients, start=1):
        if client.id in seen:
            raise ReportgenError(f"{path}: clients[{number}] ({client.id}): id: the id is "
                                 "used twice; each client needs its own.")
        seen.add(client.id)
    return clients


def load_clients(path: Path) -> ClientList:
    return parse_clients(read_yaml(path, "clients file", MAX_LIST_BYTES), path)

