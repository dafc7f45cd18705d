"""Instruments and firm settings: defaults from REPORT_SPEC.md, overridable by a YAML file.

The config file is found without flags: ``--config FILE``, else ``$REPORTGEN_CONFIG``, else
``./reportgen.yaml`` when it exists, else the built-in defaults. Relative paths in it are
read from the file's own folder.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from reportgen.errors import ReportgenError
from reportgen.tickers import check_ticker

# What an instrument is decides which prices are possible and how far one day may move it.
InstrumentKind = Literal["fund", "stock", "index", "rate"]


class Instruments(BaseModel):
    model_config = ConfigDict(extra="forbid")

    small_caps: list[str] = ["IWM", "IJR", "VTWO"]
    large_caps: list[str] = ["SPY", "QQQ", "IWB"]
    world_ex_us: list[str] = ["ACWX"]
    small_cap_styles: list[str] = ["AVUV", "VBR", "IJS"]
    short_rate: str = "^IRX"
    long_rate: str = "^TNX"
    # Pairs for relative strength, small first.
    relative_pairs: list[tuple[str, str]] = [("IWM", "SPY"), ("IJR", "SPY")]
    # Stocks for leaders and laggards, dispersion and breadth.
    universe: list[str] = ["ICHR", "CC", "POWL", "BE"]
    # Large-cap names the thesis points at (e.g. software megacaps under pressure).
    large_cap_watch: list[str] = ["CRM", "NOW", "ADBE"]
    # What each fund tracks, for the reader.
    names: dict[str, str] = {
        "IWM": "Russell 2000", "IJR": "S&P 600", "VTWO": "Russell 2000 (Vanguard)",
        "SPY": "S&P 500", "QQQ": "Nasdaq 100", "IWB": "Russell 1000",
        "ACWX": "MSCI ACWI ex USA", "AVUV": "Avantis US Small Cap Value",
        "VBR": "Vanguard Small-Cap Value", "IJS": "S&P 600 Value",
        "^IRX": "13-week T-bill", "^TNX": "10-year Treasury",
    }

    @field_validator("small_caps", "large_caps", "world_ex_us", "small_cap_styles",
                     "universe", "large_cap_watch", mode="after")
    @classmethod
    def _check_symbols(cls, tickers: list[str]) -> list[str]:
        return [_symbol(t) for t in tickers]

    @field_validator("short_rate", "long_rate", mode="after")
    @classmethod
    def _check_symbol(cls, ticker: str) -> str:
        return _symbol(ticker)

    @field_validator("relative_pairs", mode="after")
    @classmethod
    def _check_pairs(cls, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        if not pairs:
            raise ValueError("give at least one pair, small first, e.g. [[IWM, SPY]]")
        return [(_symbol(small), _symbol(large)) for small, large in pairs]

    def name(self, ticker: str) -> str:
        return self.names.get(ticker, ticker)

    def kind(self, ticker: str) -> InstrumentKind:
        if ticker in self.rates:
            return "rate"
        if ticker in self.funds:
            return "fund"
        return "index" if ticker.startswith("^") else "stock"

    @property
    def funds(self) -> list[str]:
        return [*self.small_caps, *self.large_caps, *self.world_ex_us, *self.small_cap_styles]

    @property
    def rates(self) -> list[str]:
        return [self.short_rate, self.long_rate]

    @property
    def all_tickers(self) -> list[str]:
        return list(dict.fromkeys([*self.funds, *self.rates, *self.universe,
                                   *self.large_cap_watch]))

    @property
    def primary_pair(self) -> tuple[str, str]:
        return self.relative_pairs[0]


def plain_text(text: str) -> str:
    """``text`` NFC-normalised; refused if it holds control, format (bidi overrides,
    zero-width) or line-separator characters, which would reorder, hide or break what the
    client reads (a cover line, a To header)."""
    text = unicodedata.normalize("NFC", text)
    bad = [ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")]
    if bad:
        raise ValueError(f"holds the invisible or control character U+{ord(bad[0]):04X}; "
                         "write it as plain text on one line")
    return text


PlainText = Annotated[str, AfterValidator(plain_text)]


def _symbol(ticker: str) -> str:
    try:
        return check_ticker(ticker)
    except ReportgenError as error:
        raise ValueError(str(error)) from None


class AcknowledgedMove(BaseModel):
    """A daily move beyond the limit that the analyst has checked and knows to be real."""

    model_config = ConfigDict(extra="forbid")

    ticker: str
    date: date
    reason: str = Field(min_length=1)


class DataQuality(BaseModel):
    """The data-quality gate's limits; see README, "Data quality"."""

    model_config = ConfigDict(extra="forbid")

    # The largest believable one-day move: a fraction for prices, points for yields.
    max_daily_move: dict[InstrumentKind, float] = {
        "fund": 0.25, "index": 0.25, "stock": 0.75, "rate": 2.0}
    acknowledged_moves: list[AcknowledgedMove] = []
    # More missing trading days than this in a row is a gap: figures spanning it are withheld.
    max_gap_days: int = Field(5, ge=1)

    @field_validator("max_daily_move", mode="after")
    @classmethod
    def _every_kind(cls, limits: dict[InstrumentKind, float]) -> dict[InstrumentKind, float]:
        defaults = cls.model_fields["max_daily_move"].default
        return {**defaults, **limits}


DEFAULT_DISCLAIMER = (
    "This document is for information only and is not investment advice, a recommendation or "
    "an offer to buy or sell any security. Past performance is not a reliable indicator of "
    "future results; the value of investments and the income from them can fall as well as "
    "rise. Figures are computed from the data sources named above as of the dates shown and "
    "may differ from other sources. Small-company shares can be more volatile and less liquid "
    "than those of larger companies."
)


Paper = Literal["A4", "Letter"]
LOGO_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]*\.(svg|png|jpe?g)$")


def _logo_file(name: str) -> str:
    """A plain file name: no folders, no escapes, so it can only name a file in an asset
    folder."""
    if not LOGO_FILE.match(name):
        raise ValueError(f"{name!r}: a logo is an SVG, PNG or JPEG file name such as logo.svg, "
                         "looked up in assets_dir (no folders or escapes)")
    return name


LogoFile = Annotated[str, AfterValidator(_logo_file)]
Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]


class Branding(BaseModel):
    """How the firm (or a client's edition) looks; see README for each field."""

    model_config = ConfigDict(extra="forbid")

    firm_name: PlainText = "Example Wealth Partners"
    # A file in templates/assets/ or in ``assets_dir``.
    logo: LogoFile = "logo.svg"
    # The accent colour of headings, rules and the cover.
    colour: Colour = "#0b5394"
    disclaimer: str = DEFAULT_DISCLAIMER
    paper: Paper = "A4"


class SmtpConfig(BaseModel):
    """Mail server settings from the config file; the environment overrides each, and the
    password comes only from the environment (REPORTGEN_SMTP_PASSWORD)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    host: str | None = None
    port: int | None = None
    user: str | None = None
    security: Literal["starttls", "ssl", "none"] = "starttls"
    from_address: str | None = Field(None, alias="from")
    # At most this many messages a minute (providers throttle); None: as fast as accepted.
    per_minute: int | None = Field(None, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _no_password(cls, raw: object) -> object:
        if isinstance(raw, dict) and "password" in raw:
            raise ValueError("the SMTP password is never read from a file; set "
                             "REPORTGEN_SMTP_PASSWORD in the environment instead")
        return raw


class MacroSources(BaseModel):
    """Where the macro and long-history series come from; each is optional (the report says
    what it lacks). ``fred``/``french`` fetch live; a folder is read offline."""

    model_config = ConfigDict(extra="forbid")

    fred: str | None = None  # fred, or a folder of FRED CSV downloads (<SERIES>.csv)
    french: str | None = None  # french, or a folder of the library's CSV (or zip) files
    # Valuation against its own history: Shiller's ie_data.xls (S&P 500 CAPE) and a vendor's
    # file of multiples (date,measure,value).
    shiller: str | None = None
    valuation_history: str | None = None


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Defaults for the monthly commands, so they need no repeated options.
    source: str | None = None  # --source: sample, csv:DIR or yfinance
    # How client documents name the source, e.g. "ICE Data Services" (default per kind).
    source_label: PlainText | None = None
    out: Path | None = None  # --out: the editions folder
    store: Path | None = None  # --store: the local data store
    branding: Branding = Branding()
    smtp: SmtpConfig = SmtpConfig()
    instruments: Instruments = Instruments()
    data_quality: DataQuality = DataQuality()
    macro: MacroSources = MacroSources()
    # A fund's holdings file as iShares publishes it (e.g. IWM's): the stock universe, with
    # sectors. Without it, instruments.universe.
    universe_file: Path | None = None
    # A folder of the firm's own assets (logo), the only place besides templates/ that the
    # PDF renderer may read.
    assets_dir: Path | None = None
    # An edition is sent only once a named person has approved it (`reportgen approve`);
    # firms that do not need the step set this to false.
    require_approval: bool = True


CONFIG_ENV = "REPORTGEN_CONFIG"
CONFIG_FILE = "reportgen.yaml"


def find_config(option: Path | None) -> Path | None:
    """``--config``, else ``$REPORTGEN_CONFIG``, else ``./reportgen.yaml`` if it exists."""
    if option is not None:
        return option
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    local = Path(CONFIG_FILE)
    return local if local.is_file() else None


def load_config(option: Path | None) -> Config:
    path = find_config(option)
    if path is None:
        return Config()
    raw = read_yaml(path, "config file") or {}
    try:
        config = Config.model_validate(raw)
    except ValidationError as error:
        raise ReportgenError(f"{path}: {describe_errors(error)}") from None
    return _checked_assets(_relative_to(config, path.resolve().parent), path)


def _checked_assets(config: Config, path: Path) -> Config:
    """The renderer may read ``assets_dir``: it must be a real folder, and not the root."""
    folder = config.assets_dir
    if folder is None:
        return config
    if not folder.is_dir():
        raise ReportgenError(f"{path}: assets_dir {folder} is not a folder; create it, or "
                             "remove the setting to use the bundled assets.")
    if folder.resolve() == Path(folder.resolve().anchor):
        raise ReportgenError(f"{path}: assets_dir is the root of the file system; give a "
                             "folder that holds only the firm's assets.")
    return config.model_copy(update={"assets_dir": folder.resolve()})


def _relative_to(config: Config, folder: Path) -> Config:
    """Relative paths in a config file name places beside the file."""
    def place(path: Path | None) -> Path | None:
        return None if path is None else folder / path.expanduser()

    source = config.source
    if source and source.startswith("csv:"):
        source = f"csv:{place(Path(source.removeprefix('csv:')))}"
    macro = MacroSources(**{kind: spec if spec in (None, "fred", "french")
                            else str(place(Path(spec)))
                            for kind, spec in config.macro.model_dump().items()})
    return config.model_copy(update={"source": source, "out": place(config.out),
                                     "macro": macro,
                                     "universe_file": place(config.universe_file),
                                     "store": place(config.store),
                                     "assets_dir": place(config.assets_dir)})


# No input file of reportgen's is anywhere near this; a bigger one is a mistake or an attack.
MAX_INPUT_BYTES = 1 << 20
# But a firm's client list grows with the firm: 10,000 clients are about 1.1 MiB, a few MiB
# with their holdings.
MAX_LIST_BYTES = 64 << 20


def read_text(path: Path, what: str, limit: int = MAX_INPUT_BYTES) -> str:
    """A UTF-8 text file of at most ``limit`` bytes."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise ReportgenError(f"{path}: cannot read the {what} ({error.strerror}).") from None
    if len(data) > limit:
        raise ReportgenError(f"{path}: the {what} is larger than {limit >> 20} MiB; "
                             "is it the right file?")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ReportgenError(f"{path}: the {what} is not UTF-8 text (byte {error.start})."
                             ) from None


# libyaml's parser where PyYAML has it (its wheels do): four times faster than the pure
# Python one on a 10,000-client file. Both build the same values.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_anchors(text: str) -> None:
    """Safe YAML without anchors and aliases: the files here never need them, and aliases
    are how a few lines expand to gigabytes ("billion laughs"). Checked on the parser's
    events, before anything is built from them."""
    for event in yaml.parse(text, Loader=_YamlLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            where = f"line {event.start_mark.line + 1}: " if event.start_mark else ""
            raise yaml.YAMLError(f"{where}anchors and aliases (& and *) are not allowed; "
                                 "write each value out")


def parse_yaml(text: str, path: Path) -> object:
    try:
        _refuse_anchors(text)
        return yaml.load(text, Loader=_YamlLoader)
    except yaml.MarkedYAMLError as error:  # one line: where, and what is wrong
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ReportgenError(f"{path}: not valid YAML ({where}{error.problem}).") from None
    except yaml.YAMLError as error:
        raise ReportgenError(f"{path}: not valid YAML ({error}).") from None


def read_yaml(path: Path, what: str, limit: int = MAX_INPUT_BYTES) -> object:
    return parse_yaml(read_text(path, what, limit), path)


def error_message(error: ErrorDetails) -> str:
    """pydantic's message, without the "Value error, " it puts before our own."""
    return error["msg"].removeprefix("Value error, ")


def describe_errors(error: ValidationError) -> str:
    """pydantic's errors as 'where: what' phrases, joined."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {error_message(e)}"
                     for e in error.errors())
