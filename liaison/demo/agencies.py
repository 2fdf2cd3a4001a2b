"""The demo's agencies and users: the centres the seed reports name.

Native names are the agencies' own official names where well established.
"""
from liaison.sharing.models import Agency, Role

K = Agency.Kind

# short_name, name, native name, kind, country, parent short_name, is_member
AGENCIES = [
    ("CN-MPS", "Ministry of Public Security of the People's Republic of China", "中华人民共和国公安部", K.MINISTRY, "CN", None, True),
    ("CN-YN-PSD", "Yunnan Provincial Public Security Department", "云南省公安厅", K.POLICE, "CN", "CN-MPS", True),
    ("CN-YN-XSBN", "Xishuangbanna Prefecture Public Security Bureau", "西双版纳州公安局", K.POLICE, "CN", "CN-YN-PSD", True),
    ("CN-YN-PE", "Pu'er Municipal Public Security Bureau", "普洱市公安局", K.POLICE, "CN", "CN-YN-PSD", True),
    ("CN-YN-LC", "Lincang Municipal Public Security Bureau", "临沧市公安局", K.POLICE, "CN", "CN-YN-PSD", True),
    ("CN-YN-DH", "Dehong Prefecture Public Security Bureau", "德宏州公安局", K.POLICE, "CN", "CN-YN-PSD", True),
    ("CN-KH-LECCO", "China–Cambodia Law Enforcement Cooperation Coordination Office", "中柬执法合作协调办公室", K.COORDINATION, "CN", "CN-MPS", True),
    ("MM-MOHA", "Ministry of Home Affairs of Myanmar", "ပြည်ထဲရေးဝန်ကြီးဌာန", K.MINISTRY, "MM", None, True),
    ("MM-MPF", "Myanmar Police Force", "မြန်မာနိုင်ငံရဲတပ်ဖွဲ့", K.POLICE, "MM", "MM-MOHA", True),
    ("MM-MUSE", "Muse authorities (Muse District Police)", "", K.POLICE, "MM", "MM-MPF", True),
    ("KH-MOI", "Ministry of Interior of Cambodia", "ក្រសួងមហាផ្ទៃ", K.MINISTRY, "KH", None, True),
    ("KH-NP", "Cambodian National Police", "នគរបាលជាតិកម្ពុជា", K.POLICE, "KH", "KH-MOI", True),
    ("LA-MPS", "Ministry of Public Security of Laos", "ກະຊວງປ້ອງກັນຄວາມສະຫງົບ", K.MINISTRY, "LA", None, True),
    ("LA-MOD", "Ministry of National Defence of Laos", "ກະຊວງປ້ອງກັນປະເທດ", K.MINISTRY, "LA", None, True),
    ("TH-RTP", "Royal Thai Police", "สำนักงานตำรวจแห่งชาติ", K.POLICE, "TH", None, True),
    ("VN-MPS", "Ministry of Public Security of Viet Nam", "Bộ Công an", K.MINISTRY, "VN", None, True),
    ("VN-MOFA", "Ministry of Foreign Affairs of Viet Nam", "Bộ Ngoại giao", K.FOREIGN_MINISTRY, "VN", None, True),
    ("VN-EMB-KH", "Embassy of Viet Nam in Cambodia", "Đại sứ quán Việt Nam tại Campuchia", K.EMBASSY, "VN", "VN-MOFA", True),
    ("LMLECC", "Lancang-Mekong Law Enforcement Cooperation Centre", "澜湄综合执法安全合作中心", K.COORDINATION, None, None, True),
    ("UNODC", "United Nations Office on Drugs and Crime", "", K.OBSERVER, None, None, False),
    ("ASEANAPOL", "ASEAN Chiefs of Police (ASEANAPOL)", "", K.OBSERVER, None, None, False),
    ("INTERPOL", "International Criminal Police Organization (INTERPOL)", "", K.OBSERVER, None, None, False),
]

# Shown by ``liaison demo logins``; a demo installation is never exposed.
DEMO_PASSWORD = "Mekong-demo-2024!"

# username, agency short_name, roles, first name, last name
USERS = [
    ("cn.analyst", "CN-MPS", [Role.ANALYST], "Li", "Na"),
    ("cn.liaison", "CN-MPS", [Role.LIAISON_OFFICER, Role.ANALYST], "Zhang", "Wei"),
    ("dh.officer", "CN-YN-DH", [Role.ANALYST], "Yang", "Jie"),
    ("mm.officer", "MM-MPF", [Role.LIAISON_OFFICER, Role.ANALYST], "Kyaw", "Zin"),
    ("kh.officer", "KH-NP", [Role.LIAISON_OFFICER, Role.ANALYST], "Sok", "Dara"),
    ("vn.consul", "VN-MOFA", [Role.LIAISON_OFFICER], "Nguyễn", "Thu Hà"),
    ("th.officer", "TH-RTP", [Role.LIAISON_OFFICER, Role.ANALYST], "Somchai", "Jaidee"),
    ("la.officer", "LA-MPS", [Role.ANALYST], "Bounmy", "Sisavath"),
    ("lmlecc.coordinator", "LMLECC", [Role.LIAISON_OFFICER, Role.AGENCY_ADMIN], "Chen", "Lin"),
    ("unodc.observer", "UNODC", [Role.VIEWER], "Observer", "UNODC"),
    ("admin", None, [Role.PLATFORM_ADMIN], "Platform", "Administrator"),
]


def ensure_agencies():
    """The agencies by short name, created or left as they are."""
    from liaison.core.models import Country

    by_short = {a.short_name: a for a in Agency.objects.filter(short_name__in=[row[0] for row in AGENCIES])}
    countries = {c.code: c for c in Country.objects.filter(code__in={row[4] for row in AGENCIES if row[4]})}
    for short, name, native, kind, country, parent, is_member in AGENCIES:
        if short not in by_short:
            by_short[short] = Agency.objects.create(
                short_name=short, name=name, native_name=native, kind=kind, country=countries.get(country),
                parent=by_short[parent] if parent else None, is_member=is_member,
            )
    return by_short


def ensure_users(agencies):
    """The demo users, each with a confirmed authenticator; existing ones untouched."""
    from liaison.sharing.models import User
    from liaison.sharing.otp import ensure_device

    users = {}
    existing = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in USERS])}
    for username, short, roles, first, last in USERS:
        user = existing.get(username)
        if user is None:
            is_admin = Role.PLATFORM_ADMIN in roles
            user = User(
                username=username, agency=agencies[short] if short else None, roles=[str(r) for r in roles],
                first_name=first, last_name=last, is_staff=is_admin, is_superuser=is_admin,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        ensure_device(user)
        users[username] = user
    return users
