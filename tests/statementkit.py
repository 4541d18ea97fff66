"""Statement files as each issuer's download writes them (layouts from /work/shared/facts/statements.md),
built in the test in the issuer's encoding. The holder's name, bank account and masked numbers here
are the kind of data a preamble holds, so tests can prove none of it is kept or shown."""

from __future__ import annotations

from datetime import date

HOLDER = "ヤマダ　タロウ"
BANK_LINE = "みずほ銀行,渋谷中央支店,普通 7654321,ヤマダ タロウ"
BANK_WORDS = ("みずほ", "渋谷中央", "7654321")
VPASS_MASKED = "4980-05**-****-****"


def crlf(lines: list[str]) -> str:
    return "".join(line + "\r\n" for line in lines)


def amex(rows: list[tuple[date, str, str, str]], *, encoding: str = "cp932") -> bytes:
    """rows: (date, merchant, 金額 as written, 海外通貨利用金額). The current 8-column layout."""
    lines = ["ご利用日,データ処理日,ご利用内容,カード会員様名,会員番号 #,金額,海外通貨利用金額,換算レート"]
    for day, merchant, amount, foreign in rows:
        lines.append(f'{day:%Y/%m/%d},{day:%Y/%m/%d},{merchant}　　　　,{HOLDER},-23015,"{amount}",{foreign},'
                     f'{"150.123" if foreign else ""}')
    return crlf(lines).encode(encoding)


def amex_older(rows: list[tuple[date, str, str]]) -> bytes:
    lines = ["ご利用明細", "カード名称,アメリカン・エキスプレス・カード", "",
             "ご利用日,データ処理日,ご利用内容,金額,海外通貨利用金額,換算レート,"]
    lines += [f'{d:%Y/%m/%d},{d:%Y/%m/%d},{m}　　,"{a}",,,' for d, m, a in rows]
    return crlf(lines).encode("cp932")


def vpass(blocks: list[list[tuple[date, str, int]]]) -> bytes:
    lines = []
    for number, rows in enumerate(blocks):
        lines.append(f"{HOLDER}　様,{VPASS_MASKED},三井住友カード{'ＶＩＳＡ' if number == 0 else 'ｉＤ'}")
        for day, merchant, amount in rows:
            lines.append(f"{day:%Y/%m/%d},{merchant},{amount},１,１,{amount},")
        lines.append(f",,,,,{sum(a for _, _, a in rows)},")
    return crlf(lines).encode("cp932")


def rakuten(rows: list[tuple[date, str, int]], *, encoding: str = "cp932", month: int = 3) -> bytes:
    lines = [f'"利用日","利用店名・商品名","利用者","支払方法","利用金額","支払手数料","支払総額",'
             f'"{month}月支払金額","{month + 1}月繰越残高","新規サイン"']
    lines += [f'"{d:%Y/%m/%d}","{m}","本人","1回払い","{a}","0","{a}","{a}","0","*"' for d, m, a in rows]
    return crlf(lines).encode(encoding)


def jcb(rows: list[tuple[date, str, int]], *, encoding: str = "utf-8") -> bytes:
    total = sum(a for _, _, a in rows)
    lines = ['今回のお支払日,2026年04月10日', f'今回のお支払金額合計(￥),"{total:,}"',
             f'うち国内ご利用金額合計(￥),"{total:,}"', 'うち海外ご利用金額合計(￥),"0"', "",
             '"ご利用者","カテゴリ","ご利用日","ご利用先など","ご利用金額(￥)","支払区分","今回回数","訂正サイン",'
             '"お支払い金額(￥)","国内／海外","摘要","備考"']
    lines += [f'"本人","ショッピング取組(国内)","{d:%Y/%m/%d}","{m}","{a:,}","1回払い","","","{a:,}","国内","",""'
              for d, m, a in rows]
    data = crlf(lines)
    return (b"\xef\xbb\xbf" + data.encode("utf-8")) if encoding == "utf-8-sig" else data.encode(encoding)


def epos(rows: list[tuple[date, str, int]], *, cancelled: tuple[date, str, int] | None = None) -> bytes:
    lines = [f"月別ご利用明細　{HOLDER}　様　ご利用期間：2026年1月1日～2026年1月31日",
             "種別（ショッピング、キャッシング、その他）,ご利用年月日,ご利用場所,ご利用内容,"
             "ご利用金額（キャッシングでは元金になります）,支払区分,お支払開始月,備考"]
    lines += [f"ショッピング,{d.year}年{d.month}月{d.day}日,{m},物品購入,{a},1回払い,2026年2月," for d, m, a in rows]
    if cancelled:
        d, m, a = cancelled
        lines.append(f"ショッピング,{d.year}年{d.month}月{d.day}日,{m},物品購入,-{a},1回払い,2026年2月,"
                     f"お取消日 {d.year}年{d.month}月{d.day}日")
    lines += [f",,ショッピング合計,,{sum(a for _, _, a in rows)},,,", "※１　ご利用金額には手数料を含みます,,,,,,,"]
    return crlf(lines).encode("cp932")


def aeon(rows: list[tuple[date, str, int]]) -> bytes:
    lines = ["ご利用カード,イオンカードセレクト", "今回ご請求金額,お支払い日,ご指定口座", BANK_LINE, "",
             "ご利用明細", "ご利用日,利用者区分,ご利用先,支払方法,,,ご利用金額,備考,"]
    lines += [f"{d:%y%m%d},本人,{m},１回,,,{a},," for d, m, a in rows]
    lines += [",,イオンカード割引,,,,-100,,", "", "分割・ボーナス払い明細",
              "ご利用日,利用者区分,ご利用先,支払方法,回数,,ご利用金額,備考,", "260105,本人,家電店,分割,3/12,,30000,,"]
    return crlf(lines).encode("cp932")


def months_from(start: date, count: int) -> list[date]:
    out = []
    for index in range(count):
        year, month = divmod(start.year * 12 + start.month - 1 + index, 12)
        out.append(date(year, month + 1, start.day))
    return out
