from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from reportgen.config import Config
from reportgen.data.model import PRICE_COLUMNS, FundData
from reportgen.data.sources import CsvSource
from reportgen.data.store import Store
from reportgen.tickers import file_stem

NOW = datetime(2026, 10, 12, 22, 0, tzinfo=UTC)


def prices(first: str, last: str, scale: float = 1.0) -> pd.DataFrame:
    days = pd.bdate_range(first, last, name="date")
    frame = pd.DataFrame(index=days, columns=PRICE_COLUMNS, dtype=float)
    frame["close"] = range(100, 100 + len(days))
    frame["adj_close"] = frame["close"] * scale
    return frame


class FakeRemote:
    """A network source whose history can grow and be re-adjusted between fetches."""

    key, label, is_sample, is_remote = "remote", "fake remote", False, True

    def __init__(self) -> None:
        self.history = {"AAA": prices("2026-01-01", "2026-10-02")}
        self.calls: list[dict[str, pd.Timestamp | None]] = []

    def fingerprint(self, ticker: str) -> str:
        return ""

    def fetch_prices(self, tickers, since):
        self.calls.append(dict(since))
        return {t: self.history[t][self.history[t].index >= (since[t] or pd.Timestamp.min)]
                for t in tickers}

    def fetch_fundamentals(self, tickers):
        return FundData()

    def locate(self, ticker: str, position: int) -> str:
        return self.label


def test_a_second_run_needs_no_fetch_and_a_refresh_fetches_only_missing_days(
        tmp_path: Path) -> None:
    store, remote = Store(tmp_path), FakeRemote()
    first = store.load(remote, ["AAA"], now=NOW)
    assert remote.calls == [{"AAA": None}]
    store.load(remote, ["AAA"], now=NOW + timedelta(hours=1))
    assert len(remote.calls) == 1  # fresh: served from the store
    remote.history["AAA"] = prices("2026-01-01", "2026-10-09")
    later = store.load(remote, ["AAA"], now=NOW + timedelta(days=1))
    assert remote.calls[1] == {"AAA": pd.Timestamp("2026-10-02")}  # overlap day only
    assert later.prices["AAA"].index[-1] == pd.Timestamp("2026-10-09")
    assert later.prices["AAA"].iloc[: len(first.prices["AAA"])].equals(first.prices["AAA"])
    pd.testing.assert_frame_equal(later.prices["AAA"], remote.history["AAA"], check_freq=False)


def test_a_re_adjusted_history_is_fetched_again_in_full(tmp_path: Path) -> None:
    store, remote = Store(tmp_path), FakeRemote()
    store.load(remote, ["AAA"], now=NOW)
    # A dividend went ex: every past adjusted close moves.
    remote.history["AAA"] = prices("2026-01-01", "2026-10-09", scale=0.99)
    data = store.load(remote, ["AAA"], now=NOW + timedelta(days=1))
    assert remote.calls[-1] == {"AAA": None}
    assert data.adj_close("AAA").iloc[0] == pytest.approx(99.0)


class CountingCsv(CsvSource):
    reads = 0

    def fetch_prices(self, tickers, since):
        CountingCsv.reads += 1
        return super().fetch_prices(tickers, since)


def test_csv_files_are_read_again_only_when_they_change(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    path = folder / "AAA.csv"
    path.write_text("date,close,adj_close\n2026-01-02,10,10\n")
    store, source = Store(tmp_path / "store"), CountingCsv(folder)
    store.load(source, ["AAA"])
    store.load(source, ["AAA"])
    assert CountingCsv.reads == 1
    path.write_text("date,close,adj_close\n2026-01-02,10,10\n2026-01-05,11,11\n")
    assert store.load(source, ["AAA"]).adj_close("AAA").iloc[-1] == 11.0
    assert CountingCsv.reads == 2


def test_stored_prices_read_back_as_pandas_reads_them(tmp_path: Path, real_prices: Path,
                                                      ) -> None:
    """The store builds each price frame from its file's columns (not through Arrow's pandas
    metadata): the same frames pandas reads from the files, as the sources gave them; a
    source's integer closes included (FakeRemote's), which take Arrow's general way."""
    store, source = Store(tmp_path), CsvSource(real_prices)
    tickers = [t for t in Config().instruments.all_tickers if source.has(t)]  # ^IRX, ^TNX too
    fetched = store.load(source, tickers).prices
    again = store.load(source, tickers).prices
    remote = FakeRemote()
    store.load(remote, ["AAA"], now=NOW)
    for ticker, frame in [*again.items(), ("AAA", store.load(remote, ["AAA"], now=NOW).prices
                                                  ["AAA"])]:
        folder = tmp_path / ("remote" if ticker == "AAA" else source.key) / "prices"
        read = pd.read_parquet(folder / f"{file_stem(ticker)}.parquet")
        pd.testing.assert_frame_equal(frame, read, check_exact=True)
        assert frame.columns.dtype == read.columns.dtype
    for ticker, frame in again.items():
        pd.testing.assert_frame_equal(frame, fetched[ticker], check_exact=True, check_freq=False)
    assert again["SPY"]["close"].dtype == float and remote.calls and len(again) == len(tickers)


def test_status_lists_each_series_and_flags_stale_ones(tmp_path: Path) -> None:
    store, remote = Store(tmp_path), FakeRemote()
    store.load(remote, ["AAA"], now=NOW)
    [row] = store.status(today=pd.Timestamp("2026-10-05"))
    assert (row.ticker, row.rows, row.source) == ("AAA", len(remote.history["AAA"]), "fake remote")
    assert not row.stale
    assert store.status(today=pd.Timestamp("2026-10-20"))[0].stale


def test_data_fetch_and_status_commands(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from reportgen.cli import app

    store = tmp_path / "cli-store"
    runner = CliRunner()
    fetched = runner.invoke(app, ["data", "fetch", "--source", "sample", "--store", str(store)])
    assert fetched.exit_code == 0, fetched.stderr
    status = runner.invoke(app, ["data", "status", "--store", str(store)])
    assert status.exit_code == 0
    assert "IWM" in status.stdout and "bundled sample data" in status.stdout
    assert "stale" in status.stdout  # the sample ends in October 2026


def test_a_store_written_in_an_older_format_is_fetched_again(tmp_path: Path) -> None:
    import json

    store, remote = Store(tmp_path), FakeRemote()
    store.load(remote, ["AAA"], now=NOW)
    meta_path = tmp_path / "remote" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["AAA"]["format"] = 1
    meta_path.write_text(json.dumps(meta))
    store.load(remote, ["AAA"], now=NOW + timedelta(hours=1))
    assert remote.calls[-1] == {"AAA": None}


@pytest.mark.parametrize("damage", ["truncated parquet", "foreign parquet", "meta.json",
                                    "fund table"])
def test_a_damaged_store_is_reported_and_fetched_again(tmp_path: Path, damage: str,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    store, remote = Store(tmp_path), FakeRemote()
    first = store.load(remote, ["AAA"], now=NOW)
    folder = tmp_path / "remote"
    target = {"truncated parquet": folder / "prices" / "AAA.parquet",
              "foreign parquet": folder / "prices" / "AAA.parquet",
              "meta.json": folder / "meta.json",
              "fund table": folder / "fundamentals.parquet"}[damage]
    content = target.read_bytes()
    target.write_bytes(content[: len(content) // 2] if damage != "foreign parquet"
                       else b"PAR1 not really parquet PAR1")
    with caplog.at_level("WARNING", logger="reportgen"):
        again = store.load(remote, ["AAA"], now=NOW + timedelta(hours=1))
    assert f"{target} is damaged" in caplog.text
    assert again.adj_close("AAA").equals(first.adj_close("AAA"))
    if damage != "fund table":
        assert remote.calls[-1] == {"AAA": None}  # fetched again in full
    store.load(remote, ["AAA"], now=NOW + timedelta(hours=2))  # and healed: no new warning
    assert caplog.text.count("is damaged") == 1
    assert store.status()[0].ticker == "AAA"
