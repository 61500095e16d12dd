"""`estate export …`, `estate bill-run` and `estate reconcile` on the SQLite database the demo
loaded: files Excel opens, one-sentence refusals with exit 1, --help on each."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from entrypoints.cli import main
from entrypoints.demo import DEMO_TENANT_ID
from estate_core.shared.clock import local_date
from estate_core.shared.ids import new_id

ADMIN_PHONE = "13900139000"
TECHNICIAN_PHONE = "13700137001"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    """The demo company (this month's bills, one paid by WeChat) and its community id."""
    var = tmp_path_factory.mktemp("estate") / "var"
    env = {"ESTATE_DATA_DIR": str(var), "PATH": "/usr/bin:/bin"}
    loaded = _estate(env, "demo")
    match = re.search(r"\(community ([0-9a-f-]{36})\)", loaded.stdout)
    assert match is not None, loaded.stdout
    return env, match[1]


def _estate(
    env: dict[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "entrypoints.cli", *args]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, check=check, timeout=120
    )


def _export(
    env: dict[str, str], community: str, report: str, *args: str, staff: str = ADMIN_PHONE
) -> subprocess.CompletedProcess[str]:
    this_month = local_date(datetime.now(UTC)).replace(day=1)
    return _estate(
        env,
        "export",
        report,
        "--tenant",
        str(DEMO_TENANT_ID),
        "--community",
        community,
        "--staff",
        staff,
        "--from",
        str(this_month),
        "--to",
        str(this_month + timedelta(days=27)),
        *args,
        check=False,
    )


def test_collection_rate_to_xlsx(demo: tuple[dict[str, str], str], tmp_path: Path) -> None:
    env, community = demo
    file = tmp_path / "rate.xlsx"
    done = _export(env, community, "collection-rate", "--output", str(file))
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(io.BytesIO(file.read_bytes())).active
    assert sheet is not None
    [header, row] = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert header[:4] == ["账期", "应收笔数", "应收金额", "已收笔数"]
    this_month = local_date(datetime.now(UTC)).replace(day=1)
    midnight = datetime.combine(this_month, datetime.min.time())
    assert (row[0], row[1], row[3], row[7]) == (midnight, 3, 1, 0.3333)


def test_income_and_service_statistics_to_csv_with_bom(
    demo: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    env, community = demo
    income = tmp_path / "income.csv"
    assert _export(env, community, "income", "--output", str(income)).returncode == 0
    lines = income.read_bytes().decode("utf-8").splitlines()
    assert lines[0] == "\ufeff日期,渠道,收款笔数,收款金额,退款笔数,退款金额,净收入"
    assert [line.split(",")[1:3] for line in lines[1:]] == [["wechat_jsapi", "1"]]
    stats = tmp_path / "workorders.csv"
    assert _export(env, community, "workorders", "--output", str(stats)).returncode == 0
    rows = stats.read_text(encoding="utf-8-sig").splitlines()
    assert rows[1].startswith("报修,全部,1,0,1,1.0000,1,1,1.0000")
    assert rows[-1].startswith("投诉,全部,0,0,0,,")


@pytest.mark.parametrize(
    ("args", "staff", "sentence"),
    [
        (("--to", "2099-01-01"), ADMIN_PHONE, "[report.range_too_long]"),
        ((), TECHNICIAN_PHONE, "[permission.missing] this needs the report.read permission"),
        (("--format", "pdf"), ADMIN_PHONE, "invalid choice: 'pdf'"),
    ],
)
def test_refusals_are_one_sentence_and_exit_non_zero(
    demo: tuple[dict[str, str], str],
    tmp_path: Path,
    args: tuple[str, ...],
    staff: str,
    sentence: str,
) -> None:
    env, community = demo
    file = tmp_path / "income.csv"
    refused = _export(env, community, "income", "--output", str(file), *args, staff=staff)
    assert refused.returncode != 0
    assert sentence in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not file.exists()


def test_an_output_of_unknown_kind_is_refused(
    demo: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    env, community = demo
    refused = _export(env, community, "arrears", "--output", str(tmp_path / "arrears.pdf"))
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "estate: refused: [export.unknown_format] give --format csv or xlsx, "
        "or an --output ending in one"
    )


def test_bill_run_issues_next_month_once(demo: tuple[dict[str, str], str]) -> None:
    env, community = demo
    next_month = (local_date(datetime.now(UTC)).replace(day=1) + timedelta(days=32)).strftime(
        "%Y-%m"
    )
    args = ("--tenant", str(DEMO_TENANT_ID), "--community", community, "--staff", ADMIN_PHONE)
    first = _estate(env, "bill-run", *args, "--period", next_month)
    assert f"billing run {next_month}: 3 bills issued, 0 already issued" in first.stdout
    again = _estate(env, "bill-run", *args, "--period", next_month)
    assert f"billing run {next_month}: 0 bills issued, 3 already issued" in again.stdout


def test_reconcile_skips_a_company_without_a_configured_gateway(
    demo: tuple[dict[str, str], str],
) -> None:
    env, _ = demo
    company = new_id()
    done = _estate(env, "reconcile", "--date", "2026-12-01", "--tenant", str(company))
    assert done.returncode == 0
    assert done.stdout == (
        f"tenant {company} wechat: skipped, no gateway configured\n"
        f"tenant {company} alipay: skipped, no gateway configured\n"
    )


@pytest.mark.parametrize(
    "command", [("export",), ("export", "arrears"), ("bill-run",), ("reconcile",)]
)
def test_help(command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("usage: estate")
