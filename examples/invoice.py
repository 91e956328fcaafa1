"""Write a demo purchase invoice for the README tour, and print what the seller declares.

    .venv/bin/python examples/invoice.py var/tour-invoice.png > var/tour-declaration.json

The invoice is the kind the demo's sellers upload: a VAT special invoice (PNG) issued ten days
ago by Gucci's authorized distributor in the demo (上海华懋名品贸易有限公司) to the demo reseller
xinyu-vintage, for one Gucci Jackie 1961 bag. Its date moves with today's (UTC), so it stays
inside the 180-day validity window; its number is made from the date, so two runs on one day write
the same file.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from probandi.entrypoints.cli import demo_images as img
from probandi.entrypoints.cli.demo import HUAMAO, SELLER_BY_ID


def main(out: Path) -> None:
    issued = datetime.now(UTC).date() - timedelta(days=10)
    item = img.Text("GUCCI 古驰 Jackie 1961 小号手袋", "GUCCI Jackie 1961 small hobo bag")
    buyer = SELLER_BY_ID["xinyu-vintage"].party
    doc = img.Document(
        f"{issued:%y%m%d}17", issued, HUAMAO, buyer, (img.DocLine(item, 1, Decimal("16000")),)
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(img.purchase_invoice(doc))
    declaration = {
        "issuer": HUAMAO.name.zh,
        "issuer_tax_id": HUAMAO.tax_id,
        "buyer_name": buyer.name.zh,
        "issued_on": issued.isoformat(),
        "document_number": doc.number,
        "currency": "CNY",
        "lines": [{"brand": "GUCCI 古驰", "item": "Jackie 1961", "quantity": 1, "amount": "16000"}],
    }
    print(json.dumps(declaration, ensure_ascii=False))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "var/tour-invoice.png"))
