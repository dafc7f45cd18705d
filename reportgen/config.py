"""Instruments and firm settings: defaults from REPORT_SPEC.md, overridable by a YAML file."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from reportgen.errors import ReportgenError


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


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    firm_name: str = "Example Wealth Partners"
    instruments: Instruments = Instruments()


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except OSError as error:
        raise ReportgenError(f"{path}: cannot read the config file ({error.strerror}).") from None
    except yaml.YAMLError as error:
        raise ReportgenError(f"{path}: not valid YAML ({error}).") from None
    try:
        return Config.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise ReportgenError(f"{path}: {problems}") from None
