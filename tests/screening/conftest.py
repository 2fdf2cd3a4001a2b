"""A border post and three agencies' fugitives, for the screening tests.

Issue 13's "Done when": a Thai immigration officer at Mae Sot screens a
manifest of 300 travellers written in Thai, Latin and Chinese script; three
of them are fugitives other agencies registered under other spellings.
Marker strings (``ZZSECRET…``) sit in the fugitives' records so that a leak
anywhere is a substring search away.
"""
import random
from types import SimpleNamespace

import pytest

from liaison.matching import services as matching
from liaison.matching.models import WatchlistEntry
from liaison.registry.models import IdentityDocument, Nationality, PersonName
from liaison.sharing.models import Role
from tests.factories import make_agency, make_person, make_user

SECRETS = ("ZZSECRET", "明学昌", "Ming Xuechang", "ဇော်မင်းထွန်း", "សុខ ដារា", "Sok Dara", "MD77ZZ01")


def _listed(person, reason):
    WatchlistEntry.objects.create(person=person, agency_id=person.owner_id, reason=reason)
    return person


def build():
    w = SimpleNamespace()
    w.cn = make_agency("CN-MPS-T", "CN", name="Ministry of Public Security (test)")
    w.mm = make_agency("MM-MPF-T", "MM", name="Myanmar Police Force (test)")
    w.kh = make_agency("KH-NP-T", "KH", name="Cambodian National Police (test)")
    w.th = make_agency("TH-IMM-T", "TH", name="Thai Immigration Bureau (test)", kind="immigration")
    w.screener = make_user(w.th, roles=(Role.SCREENER,), username="t_th_screener", first_name="Malee", last_name="Srisuk")
    w.th_analyst = make_user(w.th, roles=(Role.ANALYST,), username="t_th_analyst")
    w.th_viewer = make_user(w.th, roles=(Role.VIEWER,), username="t_th_viewer")
    w.cn_admin = make_user(w.cn, roles=(Role.AGENCY_ADMIN, Role.LIAISON_OFFICER), username="t_cn_admin")
    w.cn_analyst = make_user(w.cn, roles=(Role.ANALYST,), username="t_cn_analyst")

    # Three fugitives, each watchlisted by the agency holding the record, written otherwise than on the manifest.
    w.cn_fugitive = _listed(make_person(w.cn, "明学昌", "ZZSECRET Laoming", sex="male", birth_date="1955",
                                        distribution="members"), "Warrant CN-1")
    PersonName.objects.create(person=w.cn_fugitive, full_name="Ming Xuechang", kind="alias")
    Nationality.objects.create(person=w.cn_fugitive, country_id="MM")
    w.mm_fugitive = _listed(make_person(w.mm, "ဇော်မင်းထွန်း", "ZZSECRET Ko Zaw", sex="male", birth_date="1988-07"),
                            "Warrant MM-7")
    w.kh_fugitive = _listed(make_person(w.kh, "សុខ ដារា", "ZZSECRET Bong", sex="male", birth_date="1990-03-12"),
                            "Warrant KH-3")
    PersonName.objects.create(person=w.kh_fugitive, full_name="Sok Dara", kind="alias")
    IdentityDocument.objects.create(person=w.kh_fugitive, number="MD77ZZ01", country_id="KH")

    # Not screened against: a wanted person KH did not list, and a protected identity listed before the rule.
    w.kh_unlisted = make_person(w.kh, "Chen Zhihua", sex="male", birth_date="1979")
    w.kh_victim = make_person(w.kh, "Li Meifang", sex="female", birth_date="1999", protection="victim")
    WatchlistEntry.objects.create(person=w.kh_victim, agency=w.kh, reason="Missing")
    PersonName.objects.create(person=w.kh_victim, full_name="李美芳", kind="alias")
    matching.refresh_all_keys()
    return w


@pytest.fixture
def world(db):
    return build()


THAI_GIVEN = "สมชาย สมศักดิ์ สมพร วิชัย ประเสริฐ สุรชัย ธนพล ณัฐวุฒิ กิตติ อนุชา มาลี วันดี สุดา นภา ปราณี".split()
THAI_FAMILY = "ใจดี ศรีสุข ทองดี บุญมา รัตนวงศ์ ชัยมงคล มั่นคง เจริญผล".split()
LATIN_FAMILY = "Nguyen Tran Pham Hoang Wang Zhang Liu Yang Kim Aung Htun Rahman Garcia Smith".split()
LATIN_GIVEN = "An Bao Binh Hai Lan Linh Minh Nam Wei Jun Hao Lei Naing Moe Omar Anna John".split()
HAN = list("王李张刘杨赵黄周吴徐孙胡朱高林何郭马罗")
HAN_GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛超秀霞平刚")

# The three fugitives as the Mae Sot manifest writes them (line, name, birth date, nationality), each in
# another script or spelling than its record, sharing no exact name key with it (test_story checks):
# the Chinese fugitive (明学昌, Ming Xuechang) in Thai script, the Burmese one (ဇော်မင်းထွန်း) in Latin
# letters as a passport spells it, the Cambodian one (សុខ ដារា, Sok Dara) in Chinese characters.
FUGITIVE_LINES = {
    57: ("หมิง เสวียชาง", "14/03/1955", "MM"),
    141: ("ZAW MIN HTUN", "1988-07-21", "MMR"),
    233: ("索达拉", "12/03/1990", "Cambodia"),
}


def manifest_rows(n=300, seed=13):
    """A header and ``n`` travellers in Thai, Latin and Chinese script; the fugitives on FUGITIVE_LINES,
    plus the unlisted wanted man and the protected victim under their own names."""
    rng = random.Random(seed)
    rows = [["name", "birth_date", "nationality", "passport", "sex"]]
    for line in range(2, n + 2):
        if line in FUGITIVE_LINES:
            name, born, nationality = FUGITIVE_LINES[line]
            rows.append([name, born, nationality, "", "M"])
            continue
        if line == 88:
            rows.append(["陈志华", "1979-05-02", "CN", "E12345678", "M"])  # KH's unlisted wanted man
            continue
        if line == 99:
            rows.append(["LI MEIFANG", "1999", "CN", "", "F"])  # KH's protected victim
            continue
        kind = line % 3
        if kind == 0:
            name, nationality = f"{rng.choice(THAI_GIVEN)} {rng.choice(THAI_FAMILY)}", "TH"
        elif kind == 1:
            name, nationality = f"{rng.choice(LATIN_FAMILY)} {rng.choice(LATIN_GIVEN)} {rng.choice(LATIN_GIVEN)}", "VN"
        else:
            name, nationality = rng.choice(HAN) + "".join(rng.choice(HAN_GIVEN) for _ in range(2)), "CN"
        born = f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        rows.append([name, born, nationality, f"P{rng.randint(10**6, 10**7 - 1)}", rng.choice("MF")])
    return rows


def as_csv(rows):
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows):
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
