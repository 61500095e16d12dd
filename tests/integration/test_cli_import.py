"""`estate import owners|bills FILE` on the SQLite database the demo loaded: counts printed, and
a refused file exits 1 with every row's error and changes nothing."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from entrypoints.demo import DEMO_TENANT_ID
from estate_core.shared.clock import local_date

ADMIN_PHONE = "13900139000"

OWNERS = """楼栋,单元,房号,类型,面积,业主姓名,业主手机
1,1,101,住宅,89.50,张伟,13800138001
1,1,102,住宅,120.00,赵敏,13800138099
3,1,101,住宅,95.00,周杰,13800138010
3,1,102,,95.00,周杰,13800138010
"""

BAD_OWNERS = """楼栋,单元,房号,面积,业主姓名,业主手机
3,2,101,95.00,孙丽,13800138011
3,2,102,abc,孙丽,12345
3,2,101,95.00,孙丽,13800138011
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    """The demo company loaded into a fresh data directory, and its community id."""
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


def _import(
    env: dict[str, str], community: str, what: str, file: Path, staff: str = ADMIN_PHONE
) -> subprocess.CompletedProcess[str]:
    return _estate(
        env,
        "import",
        what,
        str(file),
        "--tenant",
        str(DEMO_TENANT_ID),
        "--community",
        community,
        "--staff",
        staff,
        check=False,
    )


def _count(env: dict[str, str], table: str) -> int:
    engine = sa.create_engine(f"sqlite:///{env['ESTATE_DATA_DIR']}/estate.db")
    with engine.connect() as connection:
        count = connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return int(count)


def test_owner_import_creates_new_homes_and_updates_existing_ones(
    demo: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    env, community = demo
    file = tmp_path / "owners.csv"
    file.write_text(OWNERS, encoding="utf-8")
    before = _count(env, "properties")
    done = _import(env, community, "owners", file)
    assert done.returncode == 0, done.stderr
    assert "2 properties created, 1 updated, 1 unchanged, 0 bound automatically" in done.stdout
    assert _count(env, "properties") == before + 2


def test_a_refused_owner_file_exits_1_with_every_rows_errors_and_changes_nothing(
    demo: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    env, community = demo
    file = tmp_path / "bad.csv"
    file.write_text(BAD_OWNERS, encoding="utf-8")
    before = (_count(env, "properties"), _count(env, "residents"))
    refused = _import(env, community, "owners", file)
    assert refused.returncode == 1
    assert "owner_import.invalid" in refused.stderr
    assert "row 3: area:" in refused.stderr
    assert "row 3: owner_phone:" in refused.stderr
    assert "row 4: room:" in refused.stderr
    assert refused.stdout == ""
    assert (_count(env, "properties"), _count(env, "residents")) == before


def test_an_unknown_staff_phone_is_refused(
    demo: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    env, community = demo
    file = tmp_path / "owners.csv"
    file.write_text(OWNERS, encoding="utf-8")
    refused = _import(env, community, "owners", file, staff="13900139999")
    assert refused.returncode == 1
    assert "staff.not_found" in refused.stderr


def test_bill_import_issues_the_files_bills_all_or_nothing(
    demo: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    env, community = demo
    today = local_date(datetime.now(UTC))
    next_month = (today.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    bad = tmp_path / "bad_bills.csv"
    bad.write_text(
        f"楼栋,单元,房号,收费项目,账期,金额\n1,1,102,物业费,{next_month},336.00\n"
        f"9,9,909,物业费,{next_month},10.00\n",
        encoding="utf-8",
    )
    before = _count(env, "bills")
    refused = _import(env, community, "bills", bad)
    assert refused.returncode == 1
    assert "row 3: room:" in refused.stderr
    assert _count(env, "bills") == before
    good = tmp_path / "bills.csv"
    good.write_text(
        f"楼栋,单元,房号,收费项目,账期,金额\n1,1,102,物业费,{next_month},336.00\n",
        encoding="utf-8",
    )
    done = _import(env, community, "bills", good)
    assert done.returncode == 0, done.stderr
    assert "bills imported: 1" in done.stdout
    assert _count(env, "bills") == before + 1


def test_an_excel_workbook_is_imported_as_it_was_saved(
    demo: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    """Numbers typed as numbers (a phone, an area) read as the text a person sees."""
    env, community = demo
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["楼栋", "单元", "房号", "面积", "业主姓名", "业主手机"])
    sheet.append([5, 1, 501, 95.5, "吴刚", 13800138051])
    sheet.append([])
    sheet.append([5, 1, 502, 96, "郑爽", "13800138052"])
    file = tmp_path / "owners.xlsx"
    workbook.save(file)
    before = _count(env, "properties")
    done = _import(env, community, "owners", file)
    assert done.returncode == 0, done.stderr
    assert "2 properties created" in done.stdout
    assert _count(env, "properties") == before + 2


def test_a_bill_file_with_a_huge_amount_is_a_row_error_not_a_traceback(
    demo: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    env, community = demo
    file = tmp_path / "huge.csv"
    file.write_text(
        "楼栋,单元,房号,收费项目,账期,金额\n\n1,1,102,物业费,2030-01,99999999999999999999\n",
        encoding="utf-8",
    )
    before = _count(env, "bills")
    refused = _import(env, community, "bills", file)
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert "row 3: amount:" in refused.stderr
    assert "bill_import.invalid_amount" in refused.stderr
    assert _count(env, "bills") == before
