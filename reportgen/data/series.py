"""Macro and long-history series: FRED (the policy rate, yields, credit spreads, VIX,
recessions) and Kenneth French's data library (the size factor and size-sorted portfolios
since 1926).

Each source is live (over HTTP, through a ``requests`` session that tests can hand in) or a
folder of the same files, read offline. Both give plain ``pd.Series`` indexed by date, in the
publisher's units converted as stated: FRED values as published (percent, index points, 0/1
for recessions); French returns as fractions per month (the library prints percent).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from python_calamine import CalamineError

from reportgen.errors import ReportgenError

FRED_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv?id={series}"
FRENCH_URL = ("https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp/{name}_CSV.zip")
TIMEOUT_SECONDS = 30

# The French files each series comes from, and the column in the file's first (monthly,
# value-weighted) block.
FRENCH_SERIES: dict[str, tuple[str, str]] = {
    "SMB": ("F-F_Research_Data_Factors", "SMB"),
    "SIZE_LO10": ("Portfolios_Formed_on_ME", "Lo 10"),
    "SIZE_HI10": ("Portfolios_Formed_on_ME", "Hi 10"),
}


class SeriesSource(Protocol):
    key: str  # the store's folder
    label: str  # how reports name it
    is_remote: bool

    def has(self, name: str) -> bool: ...

    def fingerprint(self, name: str) -> str: ...

    def fetch(self, name: str) -> pd.Series: ...


def parse_fred_csv(text: str, where: str) -> pd.Series:
    """FRED's download (``observation_date,ID`` or the older ``DATE,ID``, "." for a missing
    day) or the same two columns under other names."""
    try:
        frame = pd.read_csv(io.StringIO(text), na_values=["."], keep_default_na=True)
        dates = pd.to_datetime(frame.iloc[:, 0], format="%Y-%m-%d")
        values = pd.to_numeric(frame.iloc[:, 1], errors="raise")
    except (ValueError, IndexError, pd.errors.ParserError) as error:
        raise ReportgenError(f"{where}: not a FRED series file ({error}).") from None
    series = pd.Series(values.to_numpy(dtype=float), index=pd.DatetimeIndex(dates, name="date"))
    return series.dropna().sort_index()


def parse_french_csv(text: str, column: str, where: str) -> pd.Series:
    """The first block of a French library file (monthly, value-weighted): rows ``YYYYMM,
    v1, v2, …`` under a header row that names ``column``; the block ends at the first row
    that is not a month. Percent becomes a fraction; −99.99 means missing."""
    header: list[str] | None = None
    dates: list[pd.Timestamp] = []
    values: list[float] = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.split(",")]
        if header is None:
            if column in cells:
                header = cells
            continue
        if not (len(cells[0]) == 6 and cells[0].isdigit()):
            if dates:
                break
            continue
        value = float(cells[header.index(column)])
        if value != -99.99:
            dates.append(pd.Period(f"{cells[0][:4]}-{cells[0][4:]}", "M").to_timestamp("M"))
            values.append(value / 100)
    if not dates:
        raise ReportgenError(f"{where}: no monthly column {column!r} in it; is it a file from "
                             "Kenneth French's data library?")
    return pd.Series(values, index=pd.DatetimeIndex(dates, name="date"), name=column)


def _get(session: Any, url: str, what: str) -> bytes:
    import requests  # imported here: only the live sources need it

    try:
        response = (session or requests.Session()).get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
    except requests.RequestException as error:
        raise ReportgenError(f"Cannot fetch {what} from {url} ({error}). Check the network, "
                             "or read the files from a folder (see README, Macro series)."
                             ) from None
    return bytes(response.content)


def _french_text(data: bytes, where: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read(archive.namelist()[0]).decode("latin-1")
    except (zipfile.BadZipFile, IndexError) as error:
        raise ReportgenError(f"{where}: not the library's zipped CSV ({error}).") from None


# What the report uses from each.
FRED_SERIES = ["DFEDTARU", "DFEDTARL", "DGS10", "BAMLH0A0HYM2", "VIXCLS", "USREC"]
FRENCH_USED = ["SIZE_LO10", "SIZE_HI10"]  # SMB is readable, but no figure uses it yet


class FredLive:
    key, label, is_remote = "fred", "FRED, Federal Reserve Bank of St. Louis", True

    def __init__(self, session: Any = None) -> None:
        self.session = session

    def has(self, name: str) -> bool:
        return True

    def fingerprint(self, name: str) -> str:
        return ""

    def fetch(self, name: str) -> pd.Series:
        url = FRED_URL.format(series=name)
        return parse_fred_csv(_get(self.session, url, f"FRED series {name}").decode(), url)


class FrenchLive:
    key, label = "french", "Kenneth R. French Data Library"
    is_remote = True

    def __init__(self, session: Any = None) -> None:
        self.session = session

    def has(self, name: str) -> bool:
        return name in FRENCH_SERIES

    def fingerprint(self, name: str) -> str:
        return ""

    def fetch(self, name: str) -> pd.Series:
        file, column = _french_entry(name)
        url = FRENCH_URL.format(name=file)
        text = _french_text(_get(self.session, url, f"French library file {file}"), url)
        return parse_french_csv(text, column, url)


class SeriesFolder:
    """A folder of the same files, read offline: ``<ID>.csv`` as FRED serves them, and the
    French library's CSV files (unzipped or zipped) under their own names."""

    is_remote = False

    def __init__(self, folder: Path, kind: str, label: str | None = None) -> None:
        self.folder = folder.resolve()
        if not self.folder.is_dir():
            raise ReportgenError(f"{folder}: no such folder of {kind} files.")
        self.kind = kind
        digest = hashlib.sha256(str(self.folder).encode()).hexdigest()[:12]
        self.key = f"{kind}-{digest}"
        self.label = label or {"fred": FredLive.label, "french": FrenchLive.label}[kind]

    def _find(self, name: str) -> Path | None:
        stem = name if self.kind == "fred" else _french_entry(name)[0]
        for candidate in (f"{stem}.csv", f"{stem}.CSV", f"{stem}_CSV.zip"):
            if (self.folder / candidate).is_file():
                return self.folder / candidate
        return None

    def has(self, name: str) -> bool:
        return self._find(name) is not None

    def _path(self, name: str) -> Path:
        found = self._find(name)
        if found is None:
            raise ReportgenError(f"{self.folder}: no file for {self.kind} series {name}.")
        return found

    def fingerprint(self, name: str) -> str:
        stat = self._path(name).stat()
        return f"{stat.st_mtime_ns}:{stat.st_size}"

    def fetch(self, name: str) -> pd.Series:
        path = self._path(name)
        if self.kind == "fred":
            return parse_fred_csv(path.read_text(), str(path))
        data = path.read_bytes()
        text = (_french_text(data, str(path)) if path.suffix == ".zip"
                else data.decode("latin-1"))
        return parse_french_csv(text, _french_entry(name)[1], str(path))


def _french_entry(name: str) -> tuple[str, str]:
    if name not in FRENCH_SERIES:
        raise ReportgenError(f"Unknown French library series {name}: use "
                             f"{', '.join(FRENCH_SERIES)}.")
    return FRENCH_SERIES[name]


def open_series_source(spec: str, kind: str, session: Any = None) -> SeriesSource:
    """``fred`` / ``french`` (live), or a folder of the files."""
    if spec == kind:
        return FredLive(session) if kind == "fred" else FrenchLive(session)
    return SeriesFolder(Path(spec).expanduser(), kind)


SHILLER_LABEL = "Robert J. Shiller, Irrational Exuberance data (shillerdata.com)"


def read_shiller_cape(path: Path) -> pd.Series:
    """The S&P 500's cyclically adjusted P/E (CAPE) from Shiller's ``ie_data.xls`` as he
    publishes it: sheet "Data", a header row naming "Date" and "CAPE", dates written as
    year.month (1871.01 is January; 1871.1 is October, the trailing zero lost)."""
    try:
        sheet = pd.read_excel(path, sheet_name="Data", header=None, engine="calamine")
    except (OSError, ValueError, CalamineError) as error:
        raise ReportgenError(f"{path}: cannot read Shiller's workbook ({error}).") from None
    header = next((n for n in range(min(20, len(sheet))) if sheet.iloc[n, 0] == "Date"), None)
    if header is None or "CAPE" not in list(sheet.iloc[header]):
        raise ReportgenError(f"{path}: no 'Date' and 'CAPE' header in its Data sheet; is it "
                             "Shiller's ie_data.xls?")
    column = list(sheet.iloc[header]).index("CAPE")
    rows = sheet.iloc[header + 1:, [0, column]].apply(pd.to_numeric, errors="coerce").dropna()
    years = rows.iloc[:, 0].astype(float)
    months = ((years - years.astype(int)) * 100).round().astype(int)
    dates = [pd.Period(year=y, month=m, freq="M").to_timestamp("M")
             for y, m in zip(years.astype(int), months, strict=True)]
    return pd.Series(rows.iloc[:, 1].to_numpy(dtype=float), index=pd.DatetimeIndex(dates),
                     name="CAPE")


def read_valuation_history(path: Path) -> dict[str, pd.Series]:
    """A vendor's history of multiples, one CSV of ``date,measure,value`` rows (e.g.
    ``2024-12-31,Russell 2000 forward P/E,24.1``): one series per measure."""
    try:
        frame = pd.read_csv(path, parse_dates=["date"], date_format="%Y-%m-%d")
        values = pd.to_numeric(frame["value"], errors="raise")
    except (OSError, KeyError, ValueError) as error:
        raise ReportgenError(f"{path}: not a valuation history (columns date,measure,value): "
                             f"{error}.") from None
    frame = frame.assign(value=values)
    return {str(measure): group.set_index("date")["value"].sort_index()
            for measure, group in frame.groupby("measure")}
