"""Generated catalogs for sweep tests: believable titles, a few gated, obfuscated or fake.

Titles mix plain products, gated brands of the test registry (also in Chinese, obfuscated,
or as a compatibility mention), brands the registry does not gate, counterfeit slang and
prices far below the reference price. Seeded: the same arguments give the same catalog.
"""

from __future__ import annotations

import csv
import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from probandi.bootstrap import Runtime
from probandi.domain.actors import SYSTEM
from probandi.domain.brands import Brand, ReferencePrice
from probandi.domain.commands import BrandFields, SaveBrand, UpsertListing, UpsertSeller
from probandi.domain.listing_gate import GateState
from probandi.domain.listings import ListingContent
from probandi.domain.money import Money
from probandi.domain.sellers import SellerKind
from probandi.domain.sweep import Finding
from probandi.entrypoints.sweep.output import part_files, read_part_findings
from probandi.services.brands import save_brand
from probandi.services.listings import upsert_listing, upsert_seller

COLUMNS = ("id", "seller_id", "title", "brand", "price", "currency")
PRODUCTS = (
    "小号肩背包 黑色",
    "真皮 手提包 2024新款",
    "男士 商务 腰带",
    "女士 链条包 斜挎包",
    "running shoes men size 42",
    "leather wallet card holder",
    "丝巾 桑蚕丝 礼盒装",
    "纯棉 T恤 男女同款",
    "机械表 男表 防水",
    "保温杯 500ml 不锈钢",
    "儿童 书包 护脊",
    "蓝牙耳机 降噪",
)
GATED_NAMES = (
    "Gucci",
    "古驰",
    "GUCCI",
    "Ｇｕｃｃｉ",
    "G U C C I",
    "gucc1",
    "Chanel",
    "香奈儿",
    "路易威登",
)
OTHER_BRANDS = ("Nike", "耐克", "Prada", "优衣库", "Apple")
SLANG = ("高仿", "1:1", "A货", "复刻", "replica", "同款", "原单")
COMPATIBLE = ("适用于LV 老花包 替换肩带", "strap for Gucci bags", "古驰包专用 防尘袋")


def registry_brands() -> list[Brand]:
    """The test registry: three gated brands (Gucci with a reference price) and one not."""
    return [
        Brand(
            id="gucci",
            name="Gucci",
            aliases=("古驰", "古奇"),
            reference_prices=(ReferencePrice("*", Money(Decimal("12000"), "CNY")),),
        ),
        Brand(id="chanel", name="Chanel", aliases=("香奈儿",)),
        Brand(id="louis-vuitton", name="Louis Vuitton", aliases=("路易威登", "LV")),
        Brand(id="prada", name="Prada", aliases=("普拉达",), gated=False),
    ]


def a_title(rng: random.Random) -> tuple[str, str | None]:
    """A title and, sometimes, the brand field."""
    product = rng.choice(PRODUCTS)
    roll = rng.random()
    brand: str | None = None
    if roll < 0.15:
        name = rng.choice(GATED_NAMES)
        title = f"{name} {product}"
        brand = name if rng.random() < 0.3 else None
    elif roll < 0.25:
        title = f"{rng.choice(OTHER_BRANDS)} {product}"
    elif roll < 0.30:
        title = rng.choice(COMPATIBLE)
    elif roll < 0.33:
        title = product
        brand = "Gucci"
    else:
        title = product
    if rng.random() < 0.12:
        title = f"{title} {rng.choice(SLANG)}"
    return title, brand


def catalog_rows(count: int, *, seed: int = 7, sellers: int = 40) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        title, brand = a_title(rng)
        cheap = rng.random() < 0.2
        price = f"{rng.randint(20, 900)}.00" if cheap else f"{rng.randint(1000, 30000)}.00"
        rows.append(
            {
                "id": f"L{i:06d}",
                "seller_id": f"shop-{rng.randrange(sellers):03d}",
                "title": title,
                "brand": brand,
                "price": price if rng.random() < 0.9 else None,
                "currency": "CNY",
            }
        )
    return rows


def write_catalog(path: Path, rows: list[dict[str, Any]], *, row_group: int = 500) -> Path:
    """CSV, JSON lines or Parquet, by the file's extension."""
    if path.suffix == ".parquet":
        table = pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in COLUMNS]))
        pq.write_table(table, path, row_group_size=row_group)
    elif path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in rows)
    else:
        with path.open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    return path


def swept(out: Path) -> list[Finding]:
    """Every finding of a finished sweep, in input order."""
    return [f for path in part_files(out) for f in read_part_findings(path)]


def _push(runtime: Runtime, listing_id: str, title: str) -> GateState:
    content = ListingContent(title=title, price=Money(Decimal("9800"), "CNY"), stock=1)
    done = upsert_listing(
        UpsertListing(SYSTEM, listing_id, "shop-a", content), svc=runtime.services
    )
    return done.listing.gate.state


def a_crackdown(runtime: Runtime) -> None:
    """Gucci is gated; Chanel becomes gated only after one of its listings was pushed."""
    svc = runtime.services
    save_brand(SaveBrand(SYSTEM, BrandFields("Gucci", ("古驰",))), svc=svc)
    chanel = save_brand(SaveBrand(SYSTEM, BrandFields("Chanel", ("香奈儿",), gated=False)), svc=svc)
    seller = UpsertSeller(SYSTEM, "shop-a", SellerKind.RESELLER, "上海某某有限公司", "上海市")
    upsert_seller(seller, svc=svc)
    assert _push(runtime, "held-1", "Gucci 手提包") is GateState.AWAITING_PROOF
    assert _push(runtime, "old-chanel", "香奈儿 经典 2.55") is GateState.UNGATED
    fields = BrandFields("Chanel", ("香奈儿",), gated=True)
    save_brand(SaveBrand(SYSTEM, fields, brand_id=chanel.id), svc=svc)
