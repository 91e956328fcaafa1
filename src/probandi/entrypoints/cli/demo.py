"""Demo data: a small, believable marketplace, loaded once through the use cases.

Every change goes through the service layer, so the demo also writes the audit log, the outbox,
findings and statements of reasons exactly as real traffic would.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from probandi.domain.actors import Actor, Role
from probandi.domain.brands import Distributor, ReferencePrice
from probandi.domain.commands import (
    BrandFields,
    DecideTask,
    FileNotice,
    SaveBrand,
    SetFxRate,
    SubmitVoucher,
    UpdateHolderProfile,
    UpsertListing,
    UpsertSeller,
)
from probandi.domain.listing_gate import GateState
from probandi.domain.listings import ListingContent
from probandi.domain.money import Money
from probandi.domain.notices import NoticeReason
from probandi.domain.notifiers import HolderKind, TrademarkRegistration
from probandi.domain.review import Decision
from probandi.domain.sellers import SellerKind, VoucherKind
from probandi.domain.vouchers import Declaration, DeclaredLine, Severity
from probandi.entrypoints.cli import demo_images as img
from probandi.entrypoints.cli.demo_images import DocLine, Document, Party, Text
from probandi.services.accounts import create_user
from probandi.services.brands import register_rights_holder, save_brand, set_fx_rate
from probandi.services.context import Services
from probandi.services.holders import enroll_trusted, update_holder_profile, verify_holder
from probandi.services.keys import create_api_key
from probandi.services.listings import upsert_listing, upsert_seller
from probandi.services.notices import file_notice
from probandi.services.readings import ReadingLimits, read_voucher
from probandi.services.review import claim_task, decide_task
from probandi.services.vouchers import VoucherResult, submit_voucher

ADMIN = Actor("demo-admin", Role.ADMIN)
PLATFORM = Actor("demo-platform", Role.PLATFORM)
REVIEWER = Actor("demo-reviewer", Role.REVIEWER)
SENTINEL_BRAND = "gucci"  # present once the demo has been loaded
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
FX_RATES = {"CNY": "0.14", "EUR": "1.08", "HKD": "0.128", "JPY": "0.0067", "GBP": "1.27"}


def uscc(prefix: str, region: str, org: str) -> str:
    """An 18-character unified social credit code with valid check digits (GB 32100-2015)."""
    org_check = 11 - sum(int(c) * w for c, w in zip(org, ORG_WEIGHTS, strict=True)) % 11
    body = prefix + region + org + {10: "X", 11: "0"}.get(org_check, str(org_check))
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_CHARS[(31 - total % 31) % 31]


def party(names: tuple[str, str], code: str, address: tuple[str, str]) -> Party:
    """A company from its Chinese and Latin names, 'type/region/organization' and address."""
    prefix, region, org = code.split("/")
    return Party(Text(*names), uscc(prefix, region, org), Text(*address))


@dataclass(frozen=True)
class DemoSeller:
    id: str
    kind: SellerKind
    party: Party
    display_name: str


@dataclass(frozen=True)
class DemoListing:
    id: str
    seller_id: str
    title: str
    price: str  # CNY
    stock: int
    expect: GateState  # where the demo leaves its gate
    brand: str | None = None
    category: str | None = None


# The tables below are data, aligned by hand for reading.
# fmt: off
RIGHTS_HOLDERS = {
    "kering": "Kering S.A. (开云集团)",
    "lvmh": "LVMH Moët Hennessy Louis Vuitton SE",
    "chanel-sa": "Chanel S.A. (香奈儿)",
    "hermes-intl": "Hermès International",
    "prada-spa": "Prada S.p.A. (普拉达)",
}
HUAMAO = party(("上海华懋名品贸易有限公司", "Shanghai Huamao Luxury Trading Co., Ltd."),
               "91/310000/69872135",
               ("上海市静安区南京西路1515号", "1515 West Nanjing Rd, Jing'an, Shanghai"))
HENGLONG = party(("北京恒隆精品进出口有限公司", "Beijing Henglong Boutique Import & Export Co."),
                 "91/110000/75260418",
                 ("北京市朝阳区建国路79号", "79 Jianguo Rd, Chaoyang, Beijing"))
LIJIA = party(("广州丽嘉时尚贸易有限公司", "Guangzhou Lijia Fashion Trading Co., Ltd."),
              "91/440100/58203746",
              ("广州市天河区天河路383号", "383 Tianhe Rd, Tianhe, Guangzhou"))
JIAWEI = party(("深圳前海嘉蔚商贸有限公司", "Shenzhen Qianhai Jiawei Commerce Co., Ltd."),
               "91/440300/34981027",
               ("深圳市南山区前海路88号", "88 Qianhai Rd, Nanshan, Shenzhen"))
CHUNXI = party(("成都春熙国际名品有限公司", "Chengdu Chunxi International Luxury Co., Ltd."),
               "91/510100/20657183",
               ("成都市锦江区红星路三段1号", "1 Hongxing Rd Sec. 3, Jinjiang, Chengdu"))
WULIN = party(("杭州武林名品购物中心有限公司", "Hangzhou Wulin Luxury Shopping Centre Co."),
              "91/330100/14370592",
              ("杭州市下城区延安路530号", "530 Yan'an Rd, Xiacheng, Hangzhou"))
GUCCIO = Party(Text("Guccio Gucci S.p.A.", "Guccio Gucci S.p.A."))
# name, aliases, rights holder, brand-wide reference price (CNY), authorized distributors
BRANDS = (
    ("Gucci",         ("古驰", "古奇"),             "kering",      "16000", (HUAMAO, GUCCIO)),
    ("Louis Vuitton", ("路易威登", "LV"),           "lvmh",        "15000", (HENGLONG,)),
    ("Chanel",        ("香奈儿", "夏奈尔"),         "chanel-sa",   "45000", (LIJIA,)),
    ("Dior",          ("迪奥", "Christian Dior"),   "lvmh",        "28000", (JIAWEI,)),
    ("Hermès",        ("爱马仕", "Hermes"),         "hermes-intl", "90000", (HUAMAO,)),
    ("Prada",         ("普拉达",),                  "prada-spa",   "15000", (CHUNXI,)),
)
SELLERS = (
    DemoSeller("gucci-flagship", SellerKind.BRAND_OWNER, party(
        ("古驰时尚(上海)商贸有限公司", "Gucci Fashion (Shanghai) Commerce Co., Ltd."),
        "91/310000/07391824",
        ("上海市黄浦区南京东路299号", "299 East Nanjing Rd, Huangpu, Shanghai")),
        "Gucci 古驰官方旗舰店"),
    DemoSeller("jinhua-luxury", SellerKind.AUTHORIZED_RETAILER, party(
        ("上海锦华名品商贸有限公司", "Shanghai Jinhua Luxury Commerce Co., Ltd."),
        "91/310000/31270658",
        ("上海市黄浦区淮海中路300号", "300 Middle Huaihai Rd, Huangpu, Shanghai")),
        "锦华名品"),
    DemoSeller("xinyu-vintage", SellerKind.RESELLER, party(
        ("杭州欣语二手奢侈品有限公司", "Hangzhou Xinyu Pre-owned Luxury Co., Ltd."),
        "91/330100/52810374",
        ("杭州市上城区解放路138号", "138 Jiefang Rd, Shangcheng, Hangzhou")),
        "欣语中古"),
    DemoSeller("mingpinhui", SellerKind.RESELLER, party(
        ("广州名品汇服饰商行", "Guangzhou Mingpinhui Apparel Store"),
        "92/440100/61537290",
        ("广州市白云区三元里大道1089号", "1089 Sanyuanli Ave, Baiyun, Guangzhou")),
        "名品汇"),
    DemoSeller("oulu-daigou", SellerKind.PURCHASING_AGENT, party(
        ("深圳市福田区欧陆优选代购服务部", "Shenzhen Futian Oulu Select Purchasing Service"),
        "92/440300/80416257",
        ("深圳市福田区福华三路168号", "168 Fuhua 3rd Rd, Futian, Shenzhen")),
        "欧陆优选 欧洲直邮"),
)
_S, _L = GateState, DemoListing
DEMO_LISTINGS = (
    _L("tb-1001", "xinyu-vintage", "纯棉圆领T恤 白色 基础款", "59", 120, _S.UNGATED,
       category="apparel"),
    _L("tb-1002", "mingpinhui", "手工头层牛皮钱包 复古棕", "189", 35, _S.UNGATED,
       category="wallets"),
    _L("tb-2001", "jinhua-luxury", "Chanel 香奈儿 Classic Flap 经典口盖包 中号 黑色", "58000", 1,
       _S.AWAITING_PROOF, "Chanel", "handbags"),
    _L("tb-2002", "xinyu-vintage", "迪奥 Saddle 马鞍包 九成新", "19500", 1,
       _S.AWAITING_PROOF, "Dior", "handbags"),
    _L("tb-2003", "mingpinhui", "LV老花 Neverfull 1:1 高仿 原单品质", "680", 50,
       _S.AWAITING_PROOF, category="handbags"),
    _L("tb-2004", "oulu-daigou", "爱马仕 Birkin 30 Togo 金扣 法国直邮", "128000", 1,
       _S.AWAITING_PROOF, "Hermès", "handbags"),
    _L("tb-3001", "xinyu-vintage", "Gucci 古驰 GG Marmont 小号链条肩背包", "14800", 2,
       _S.IN_REVIEW, "Gucci", "handbags"),
    _L("tb-3002", "gucci-flagship", "Gucci Horsebit 1955 马衔扣手袋 官方正品", "21500", 10,
       _S.IN_REVIEW, "Gucci", "handbags"),
    _L("tb-3003", "oulu-daigou", "普拉达 Galleria 萨菲亚诺中号手袋 意大利直邮", "19800", 1,
       _S.IN_REVIEW, "Prada", "handbags"),
    _L("tb-4001", "jinhua-luxury", "Louis Vuitton 路易威登 Neverfull MM 托特包", "15500", 3,
       _S.APPROVED, "Louis Vuitton", "handbags"),
    _L("tb-5001", "mingpinhui", "LV 路易威登 Neverfull 中号托特包 全新", "8800", 1,
       _S.REJECTED, "LV", "handbags"),
)
del _S, _L
LETTER_SCOPE = (
    Text("中国大陆地区线上官方旗舰店零售", "Online retail in the official flagship store"),
    Text("全系列皮具、成衣及配饰", "All leather goods, ready-to-wear and accessories"),
)
PRADA_URL = "https://www.prada.com/it/it/products/galleria-saffiano-medium-bag.html"
FILENAMES = {
    VoucherKind.PURCHASE_INVOICE: "增值税专用发票.png",
    VoucherKind.MALL_RECEIPT: "商场小票.jpg",
    VoucherKind.BRAND_AUTHORIZATION: "品牌授权书.png",
    VoucherKind.PRICE_CAPTURE: "official-site-price.png",
    VoucherKind.TRANSACTION_RECORD: "交易记录.png",
}
# fmt: on
SELLER_BY_ID = {s.id: s for s in SELLERS}


def seller_actor(seller_id: str) -> Actor:
    return Actor(f"demo-{seller_id}", Role.SELLER, party_id=seller_id)


def load_demo(svc: Services, *, out: Callable[[str], None]) -> dict[str, str] | None:
    """Load the demo marketplace once; return label -> raw API key, or None if loaded."""
    with svc.reader() as uow:
        if uow.brands.get(SENTINEL_BRAND) is not None:
            out("demo data already loaded; nothing to do")
            return None
    _load_registry(svc, out)
    _load_sellers(svc, out)
    _load_listings(svc, out)
    _load_vouchers(svc, out)
    _load_notice(svc, out)
    keys = _create_keys(svc)
    out(f"demo: {len(keys)} API keys created")
    return keys


def _load_registry(svc: Services, out: Callable[[str], None]) -> None:
    for holder_id, name in RIGHTS_HOLDERS.items():
        register_rights_holder(holder_id, name, ADMIN, svc=svc)
    for name, aliases, holder, reference, distributors in BRANDS:
        fields = BrandFields(
            name=name,
            aliases=aliases,
            gated=True,
            reference_prices=(ReferencePrice("*", Money(Decimal(reference), "CNY")),),
            distributors=tuple(Distributor(d.name.zh, d.tax_id) for d in distributors),
            rights_holder_ids=frozenset({holder}),
        )
        save_brand(SaveBrand(ADMIN, fields), svc=svc)
    for currency, rate in FX_RATES.items():
        set_fx_rate(SetFxRate(ADMIN, currency, Decimal(rate)), svc=svc)
    out(
        f"demo: {len(RIGHTS_HOLDERS)} rights holders, {len(BRANDS)} gated brands, "
        f"{len(FX_RATES)} FX rates (USD per unit)"
    )


def _load_sellers(svc: Services, out: Callable[[str], None]) -> None:
    for s in SELLERS:
        address = s.party.address.zh if s.party.address else ""
        upsert_seller(
            UpsertSeller(
                PLATFORM, s.id, s.kind, s.party.name.zh, address, s.party.tax_id, s.display_name
            ),
            svc=svc,
        )
    out(f"demo: {len(SELLERS)} sellers ({', '.join(s.kind.value for s in SELLERS)})")


def _load_listings(svc: Services, out: Callable[[str], None]) -> None:
    for item in DEMO_LISTINGS:
        content = ListingContent(
            title=item.title,
            price=Money(Decimal(item.price), "CNY"),
            stock=item.stock,
            description=f"{item.title}。店铺 {SELLER_BY_ID[item.seller_id].display_name}。",
            brand=item.brand,
            category=item.category,
            images=(f"https://img.example-market.cn/demo/{item.id}-1.jpg",),
        )
        upsert_listing(UpsertListing(PLATFORM, item.id, item.seller_id, content), svc=svc)
    out(f"demo: {len(DEMO_LISTINGS)} listings pushed and screened")


def _load_vouchers(svc: Services, out: Callable[[str], None]) -> None:
    now = svc.clock.now()
    _receipt_in_review(svc, now.date())
    _letter_in_review(svc, now.date())
    _capture_in_review(svc, now)
    invoice = _invoice_approved(svc, now.date())
    result = _invoice_reused(svc, invoice)
    hard = [f.code for f in result.voucher.findings if f.severity is Severity.HARD]
    out(
        "demo: vouchers submitted: 3 listings in review, 1 approved by demo-reviewer, "
        f"1 rejected automatically ({', '.join(hard)})"
    )


DEMO_READING = ReadingLimits(max_pages=5, seconds=600.0)


def _submit(
    svc: Services,
    listing_id: str,
    kind: VoucherKind,
    declaration: Declaration,
    data: bytes,
    filename: str | None = None,
) -> VoucherResult:
    seller = seller_actor(next(ln.seller_id for ln in DEMO_LISTINGS if ln.id == listing_id))
    filename = filename or FILENAMES[kind]
    return submit_voucher(
        SubmitVoucher(seller, listing_id, kind, declaration, filename, data), svc=svc
    )


def declared(doc: Document, brand: str) -> Declaration:
    """What a seller declares about `doc`: the same facts the image shows."""
    return Declaration(
        issuer=doc.issuer.name.zh,
        issuer_tax_id=doc.issuer.tax_id,
        buyer_name=doc.buyer.name.zh,
        issued_on=doc.issued_on,
        document_number=doc.number,
        currency=doc.currency,
        lines=tuple(DeclaredLine(brand, ln.item.zh, ln.quantity, ln.amount) for ln in doc.lines),
    )


def _receipt_in_review(svc: Services, today: date) -> None:
    """A reseller's mall receipt: an unknown issuer and one unit short, for a person to weigh."""
    issued = today - timedelta(days=41)
    item = Text("GG Marmont 小号绗缝链条肩背包", "GG Marmont small matelassé shoulder bag")
    buyer = SELLER_BY_ID["xinyu-vintage"].party
    lines = (DocLine(item, 1, Decimal("14500")),)
    doc = Document(f"WL{issued:%Y%m%d}0387", issued, WULIN, buyer, lines)
    data = img.mall_receipt(doc)
    _submit(svc, "tb-3001", VoucherKind.MALL_RECEIPT, declared(doc, "Gucci 古驰"), data)


def _letter_in_review(svc: Services, today: date) -> None:
    issued = today - timedelta(days=60)
    grantee = SELLER_BY_ID["gucci-flagship"].party
    number, until = f"GG-CN-AUTH-{issued:%Y}-017", issued + timedelta(days=365)
    letter = img.AuthorizationLetter(number, issued, until, GUCCIO, grantee, "Gucci", LETTER_SCOPE)
    declaration = Declaration(
        issuer=GUCCIO.name.zh,
        buyer_name=grantee.name.zh,
        issued_on=issued,
        valid_until=until,
        document_number=number,
    )
    data = img.authorization_letter(letter)
    _submit(svc, "tb-3002", VoucherKind.BRAND_AUTHORIZATION, declaration, data)


def _capture_in_review(svc: Services, now: datetime) -> None:
    captured = (now - timedelta(days=2)).replace(microsecond=0)
    price = Decimal("2300")
    capture = img.PriceCapture(
        PRADA_URL, "Prada", "Galleria Saffiano medium bag", price, "EUR", captured
    )
    declaration = Declaration(site_url=PRADA_URL, price=price, currency="EUR", captured_at=captured)
    _submit(svc, "tb-3003", VoucherKind.PRICE_CAPTURE, declaration, img.price_capture(capture))


def _invoice_approved(svc: Services, today: date) -> tuple[Document, bytes]:
    """An authorized retailer's invoice from the brand's distributor, approved by a person."""
    issued = today - timedelta(days=23)
    item = Text("Louis Vuitton 路易威登 Neverfull MM 手袋", "Louis Vuitton Neverfull MM tote")
    buyer = SELLER_BY_ID["jinhua-luxury"].party
    lines = (DocLine(item, 3, Decimal("11800")),)
    doc = Document(f"{issued:%y%m}3847", issued, HENGLONG, buyer, lines)
    data = img.purchase_invoice(doc)
    submitted = _submit(
        svc, "tb-4001", VoucherKind.PURCHASE_INVOICE, declared(doc, "Louis Vuitton"), data
    )
    # A person decides once the document is read; the demo reads it here, not in a worker.
    read_voucher(submitted.voucher.id, DEMO_READING, last_attempt=True, svc=svc)
    with svc.reader() as uow:
        task = uow.tasks.open_for_listing("tb-4001")
    if task is None:
        raise RuntimeError("demo: the approved invoice opened no review task")
    task = claim_task(task.id, REVIEWER, svc=svc)
    note = "发票由授权经销商开具，数量覆盖库存"
    decision = DecideTask(
        REVIEWER, task.id, Decision.APPROVE, "authorized_distributor", note, task.version
    )
    decide_task(decision, svc=svc)
    return doc, data


def _invoice_reused(svc: Services, invoice: tuple[Document, bytes]) -> VoucherResult:
    """Another shop uploads the same invoice as its own, re-saved as a smaller, cropped JPEG
    and declared with its own name as buyer: rejected at once as a near duplicate."""
    doc, data = invoice
    own_name = SELLER_BY_ID["mingpinhui"].party.name.zh
    declaration = replace(declared(doc, "Louis Vuitton"), buyer_name=own_name)
    copy = img.recycled(data)
    return _submit(svc, "tb-5001", VoucherKind.PURCHASE_INVOICE, declaration, copy, "发票.jpg")


NOTICED = ("tb-2003", "tb-5001")  # the "1:1 高仿" LV bag and the recycled-invoice LV bag


def _load_notice(svc: Services, out: Callable[[str], None]) -> None:
    """LVMH, verified for its marks and enrolled as a trusted flagger, files a notice
    against two LV listings of one shop: both are suspended at once."""
    lvmh = Actor("demo-lvmh", Role.RIGHTS_HOLDER, party_id="lvmh")
    today = svc.clock.now().date()
    marks = tuple(
        TrademarkRegistration(brand_id, "CNIPA", number, (18,), today + timedelta(days=3650))
        for brand_id, number in (("louis-vuitton", "G1020532"), ("dior", "G1166375"))
    )
    update_holder_profile(UpdateHolderProfile(lvmh, "lvmh", HolderKind.BRAND, marks), svc=svc)
    verify_holder("lvmh", ADMIN, svc=svc)
    enroll_trusted("lvmh", True, ADMIN, svc=svc)
    result = file_notice(
        FileNotice(
            lvmh,
            NoticeReason.COUNTERFEIT,
            NOTICED,
            # A rights holder's own words are shown as written, in every locale: bilingual.
            "经测试购买，两件商品均为假冒（LVMH 品牌保护部）。"
            "Test purchases of both listings were counterfeit (LVMH brand protection).",
            (),
            good_faith=True,
        ),
        svc=svc,
    )
    out(
        f"demo: notice {result.notice.id} from lvmh (trusted flagger): "
        f"{len(result.items)} listings suspended"
    )


def _create_keys(svc: Services) -> dict[str, str]:
    keys = {
        role.value: create_api_key(role, None, f"demo {role.value}", svc=svc)
        for role in (Role.PLATFORM, Role.ADMIN, Role.REVIEWER)
    }
    for s in SELLERS:
        keys[f"seller:{s.id}"] = create_api_key(Role.SELLER, s.id, f"demo {s.id}", svc=svc)
    for holder_id in RIGHTS_HOLDERS:
        keys[f"rights_holder:{holder_id}"] = create_api_key(
            Role.RIGHTS_HOLDER, holder_id, f"demo {holder_id}", svc=svc
        )
    # Console users (name -> password), for signing in at /console without a key.
    for role in (Role.REVIEWER, Role.ADMIN):
        password = secrets.token_urlsafe(12)
        create_user(f"demo-{role.value}", role, password, ADMIN, svc=svc)
        keys[f"console user demo-{role.value} (password)"] = password
    return keys
