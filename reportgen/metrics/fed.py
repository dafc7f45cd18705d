"""How small caps fared against large caps after Federal Reserve rate cuts."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pandas as pd

from reportgen.formatting import day
from reportgen.metrics.relative import aligned

HORIZONS_MONTHS = [1, 3, 6, 12]
# A cut after this long without one opens a new easing cycle.
CYCLE_GAP = pd.Timedelta(days=180)


def fomc_cuts_path() -> Path:
    return Path(str(resources.files("reportgen.metrics") / "fomc_cuts.csv"))


def load_fomc_cuts(path: Path | None = None) -> pd.DataFrame:
    cuts = pd.read_csv(path or fomc_cuts_path(), comment="#", parse_dates=["date"])
    return cuts.sort_values("date").reset_index(drop=True)


def reviewed_through(path: Path | None = None) -> pd.Timestamp:
    """The date the hand-kept list was last checked against the Fed's record (its header)."""
    header = (path or fomc_cuts_path()).read_text()
    found = re.search(r"reviewed through (\d{4}-\d{2}-\d{2})", header)
    if found is None:
        raise ValueError(f"{path or fomc_cuts_path()}: no 'reviewed through' date")
    return pd.Timestamp(found.group(1))


def fomc_source_note(path: Path | None = None) -> str:
    """Where the cut dates come from, for the reader."""
    return ("FOMC decisions that lowered the federal funds target, from the Federal Reserve "
            "Board's record of policy actions and FOMC statements, checked through "
            f"{day(reviewed_through(path))}.")


def cycle_starts(cut_dates: pd.Series) -> pd.Series:
    """True for each cut that opens an easing cycle: the first on record, or the first after
    more than CYCLE_GAP without one."""
    return cut_dates.diff().isna() | (cut_dates.diff() > CYCLE_GAP)


def place_in_cycle(cut_dates: pd.Series, as_of: pd.Timestamp
                   ) -> tuple[pd.Timestamp, int, pd.Timestamp] | None:
    """The last cut on or before ``as_of``: its date, its number within its cycle (1 for
    the cycle's first) and the date the cycle began; None before any cut."""
    known = cut_dates[cut_dates <= as_of].reset_index(drop=True)
    if known.empty:
        return None
    starts = cycle_starts(known)
    began = int(starts[starts].index[-1])
    return (pd.Timestamp(known.iloc[-1]), len(known) - began,
            pd.Timestamp(known.iloc[began]))


def event_returns(small: pd.Series, large: pd.Series, cut_dates: pd.Series,
                  as_of: pd.Timestamp) -> pd.DataFrame:
    """Small-minus-large total return from the last close on or before each cut to the last
    close on or before the cut plus 1, 3, 6 and 12 months. NaN where the horizon ends after
    ``as_of`` or the history does not reach back to the cut."""
    both = aligned(small, large, as_of)
    rows = {}
    for cut in cut_dates:
        start = both.index.searchsorted(cut, side="right") - 1
        row = {}
        for months in HORIZONS_MONTHS:
            horizon_end = cut + pd.DateOffset(months=months)
            end = both.index.searchsorted(horizon_end, side="right") - 1
            if start < 0 or horizon_end > as_of:
                row[months] = float("nan")
                continue
            growth = both.iloc[end] / both.iloc[start] - 1.0
            row[months] = float(growth["small"] - growth["large"])
        rows[cut] = row
    table = pd.DataFrame.from_dict(rows, orient="index", columns=HORIZONS_MONTHS)
    table.index.name = "cut"
    return table


def summarise_events(table: pd.DataFrame) -> pd.DataFrame:
    """Per horizon: mean, median, the number of cuts with a result, and the share of them in
    which small caps beat large caps."""
    return pd.DataFrame({
        "mean": table.mean(),
        "median": table.median(),
        "count": table.count(),
        "share_positive": (table > 0).sum() / table.count(),
    })
