"""Keyword lexicons per language: event types, figure categories, qualifiers, roles.

Plain data, no Django. Each entry is a list of keywords; in space-separated
languages (Latin script, Vietnamese, Arabic, Korean words) a keyword matches at a
word start and ``*`` lets the word go on ("arrest*" matches "arrested"); in
Chinese, Japanese, Thai, Lao, Khmer and Burmese, written without spaces, a
keyword matches anywhere; "re:" starts a keyword written as a regular expression. Keywords are general vocabulary of police bulletins,
embassy notes and news, not phrases of particular reports.
"""
from __future__ import annotations

import re
from functools import lru_cache

NO_SPACE = {"zh", "ja", "th", "lo", "km", "my"}
# Korean glues endings to stems ("송환했다"): its keywords match inside words too.
SUBSTRING = NO_SPACE | {"ko"}

EVENT_TYPES = ("raid", "arrest", "detention", "rescue", "handover", "extradition", "deportation", "repatriation",
               "death", "site_closure", "sentence", "sanction", "operation_launch", "other")

# Meetings, conferences and summits are reported as events of type "other".
MEETINGS: dict[str, list[str]] = {
    "en": ["meeting", "conference", "summit", "talks", "video conference", "met with"],
    "fr": ["réunion", "conférence", "sommet", "rencontre", "visioconférence"],
    "id": ["pertemuan", "rapat", "konferensi", "KTT", "bertemu", "pertemuan tinjauan"],
    "ms": ["mesyuarat", "persidangan", "pertemuan", "sidang kemuncak", "bertemu"],
    "tl": ["pulong", "pagpupulong", "kumperensya", "meeting", "summit"],
    "vi": ["hội nghị", "cuộc họp", "hội đàm", "tọa đàm", "hội kiến", "gặp gỡ"],
    "zh": ["会议", "会谈", "会晤", "视频会议", "峰会", "座谈会"],
    "ja": ["会議", "会談", "首脳会談", "協議"],
    "ko": ["회의", "회담", "정상회담", "화상회의"],
    "th": ["ประชุม", "หารือ"],
    "lo": ["ກອງປະຊຸມ", "ປະຊຸມ", "ເຈລະຈາ"],
    "km": ["កិច្ចប្រជុំ", "ជំនួប", "កិច្ចពិភាក្សា"],
    "my": ["အစည်းအဝေး", "တွေ့ဆုံ", "ဆွေးနွေး"],
    "ar": ["اجتماع", "قمة", "مؤتمر", "محادثات", "لقاء"],
}

# Other happenings the annotation rules record as type "other": people who fled or escaped, people
# found, indictments and prosecutions. Weak like meetings: dropped when the sentence tells a stronger type.
OTHER_EVENTS: dict[str, list[str]] = {
    "en": ["fled", "escaped", "indicted", "charged with", "on trial"],
    "fr": ["ont fui", "a fui", "ayant fui", "fuyant", "se sont échappés", "s'est échappé", "inculpé*", "mis en examen"],
    "id": ["kabur", "melarikan diri", "didakwa", "dituntut"],
    "ms": ["melarikan diri", "lari dari", "didakwa", "dituduh di mahkamah"],
    "tl": ["tumakas", "nakatakas", "kinasuhan", "sinampahan ng kaso"],
    "vi": ["khởi tố", "truy tố", "tháo chạy", "trốn thoát", "bỏ trốn"],
    "zh": ["起诉", "公诉", "出逃", "逃离", "逃出"],
    "ja": ["起訴", "発見", "逃げ出", "脱出", "見つけ", "見つか"],
    "ko": ["기소", "재판에 넘겼", "재판에 넘겨", "탈출", "발견"],
    "th": ["หลบหนีออก", "หนีออกมา", "สั่งฟ้อง", "ฟ้องร้อง"],
    "lo": ["ໜີອອກ", "ຫຼົບໜີ"],
    "km": ["រត់ចេញ", "រត់គេចខ្លួន", "ប្តឹង", "ទៅសាលាដំបូង", "ទៅតុលាការ"],
    "my": ["ထွက်ပြေး", "တရားစွဲ", "ရုံးတင်စစ်ဆေး", "ရုံးတင်"],
    "ar": ["فرّ", "فر", "فروا", "فرار", "هربوا", "هروب", "اتهام", "وجهت اتهامات"],
}

# The prosecution words among OTHER_EVENTS: persons indicted, charged or sent to court are suspects
# (defendants), whatever plain noun counts them.
PROSECUTIONS: dict[str, list[str]] = {
    "en": ["indicted", "charged with", "on trial"], "fr": ["inculpé*", "mis en examen"],
    "id": ["didakwa", "dituntut"], "ms": ["didakwa", "dituduh di mahkamah"], "tl": ["kinasuhan", "sinampahan ng kaso"],
    "vi": ["khởi tố", "truy tố"], "zh": ["起诉", "公诉"], "ja": ["起訴"], "ko": ["기소", "재판에 넘겼", "재판에 넘겨"],
    "th": ["สั่งฟ้อง", "ฟ้องร้อง"], "km": ["ប្តឹង", "ទៅសាលាដំបូង", "ទៅតុលាការ"], "my": ["တရားစွဲ", "ရုံးတင်"],
    "ar": ["اتهام", "وجهت اتهامات"],
}


# The tiers of a verdict ("five to death, two suspended, nine to prison terms"): with the verdict's total stated
# nearby, a tier's number is not a figure (annotation rules: record the total, never the tiers).
TIERS: dict[str, list[str]] = {
    "en": ["to death", "death sentence*", "death penalt*", "life imprisonment", "life term*", "life sentence*",
           "suspended death", "reprieve", "prison terms", "jail terms"],
    "fr": ["à mort", "peine de mort", "perpétuité", "avec sursis"], "id": ["hukuman mati", "seumur hidup"],
    "ms": ["hukuman mati", "penjara seumur hidup"], "tl": ["habambuhay", "parusang kamatayan"],
    "vi": ["tử hình", "chung thân"], "zh": ["死刑", "死缓", "死緩", "无期徒刑", "無期徒刑", "有期徒刑"],
    "ja": ["死刑", "無期懲役", "執行猶予"], "ko": ["사형", "무기징역", "집행유예"],
    "th": ["ประหารชีวิต", "จำคุกตลอดชีวิต"], "km": ["អស់មួយជីវិត"], "my": ["သေဒဏ်", "တစ်သက်တစ်ကျွန်း"],
    "ar": ["بالإعدام", "المؤبد", "مع وقف التنفيذ", "مع تعليق", "مع وقف"],
}
# ... but an execution carried out is a death event of its own (annotation rules)
EXECUTIONS = re.compile(r"执行死刑|執行死刑|死刑を執行|사형을? 집행|eksekusi|executed|exécuté|أعدم|ประหารชีวิตแล้ว")


@lru_cache(maxsize=None)
def tier_regex(lang: str) -> re.Pattern | None:
    words = TIERS.get(lang)
    return keyword_regex(words, lang) if words else None


# Escapes from the police ("100 members of the syndicate escaped", "120 pelaku melarikan diri"): suspects who
# got away are the event's fugitives (as the real reports are annotated); workers who fled a compound stay people.
ESCAPES: dict[str, list[str]] = {
    "en": ["escap*", "fled", "broke free", "ran away", "got away"], "fr": ["en fuite", "enfui*", "échapp*"],
    "id": ["melarikan diri", "kabur", "lolos"], "ms": ["melarikan diri", "meloloskan diri", "lari"],
    "tl": ["tumakas", "nakatakas"], "vi": ["bỏ trốn", "trốn thoát", "tẩu thoát"], "zh": ["逃跑", "逃脱", "潜逃", "在逃"],
    "ja": ["逃走", "逃亡"], "ko": ["도주", "달아"], "th": ["หลบหนี"], "lo": ["ຫລົບໜີ", "ຫຼົບໜີ"], "km": ["រត់គេច"],
    "my": ["ထွက်ပြေး"], "ar": ["فر", "فرّ", "فروا", "هربوا", "هرب"],
}


@lru_cache(maxsize=None)
def escape_regex(lang: str) -> re.Pattern | None:
    words = ESCAPES.get(lang)
    return keyword_regex(words, lang) if words else None


@lru_cache(maxsize=None)
def prosecution_regex(lang: str) -> re.Pattern | None:
    words = PROSECUTIONS.get(lang)
    return keyword_regex(words, lang) if words else None


@lru_cache(maxsize=None)
def meeting_regex(lang: str) -> re.Pattern | None:
    words = MEETINGS.get(lexicon_lang(lang))
    return keyword_regex(words, lang) if words else None


EVENTS: dict[str, dict[str, list[str]]] = {
    "en": {
        "raid": ["raid*", "stormed", "swoop*", "crackdown on", "searched the", "busted"],
        "arrest": ["arrest*", "apprehend*", "nabbed", "captured", "caught", "rounded up", "took into custody",
                   "taken into custody", "held on suspicion"],
        "detention": ["detain*", "detention", "held in custody", "remanded", "intercepted"],
        "rescue": ["rescu*", "freed", "saved", "liberated", "released from"],
        "handover": ["handed over", "hand over", "handing over", "handover", "transferred to", "turned over"],
        "extradition": ["extradit*"],
        "deportation": ["deport*", "expelled", "expulsion"],
        "repatriation": ["repatriat*", "sent back", "sent home", "returned home", "brought home", "flown home",
                         "flown back", "arrived back", "arrived home"],
        "death": ["died", "dead", "killed", "death*", "body of", "bodies", "suicide", "murdered", "shot dead"],
        "site_closure": ["shut down", "closed down", "dismantled", "demolished", "closure", "shuttered",
                         "closed"],
        "sentence": ["sentenced", "convicted", "jailed", "prison term", "years in prison", "life imprisonment",
                     "death penalty", "found guilty", r"re:found\s+(?:[\w’'-]+\s+){1,8}?guilty"],
        "sanction": ["sanction*", "blacklist*", "asset freeze", "designated", "OFAC"],
        "operation_launch": ["launch*", "kicked off", "began an operation", "started an operation",
                             "new campaign", "crackdown campaign"],
    },
    "fr": {
        "raid": ["descente*", "perquisition*", "raid*", "coup de filet", "assaut"],
        "arrest": ["arrêt[ée]*", "interpell*", "appréhend*", "capturé*", "placés? en garde à vue", "garde à vue"],
        "detention": ["détenu*", "détention", "retenu*", "placé[es]* en détention", "incarcér*"],
        "rescue": ["secouru*", "sauvé*", "libéré*", "délivré*", "sauvetage", "exfiltr*"],
        "handover": ["remis aux", "remis à", "remise aux", "remis", "livrés? aux", "transféré*",
                     "transfert*"],
        "extradition": ["extrad*"],
        "deportation": ["expuls*", "déport*", "reconduit* à la frontière"],
        "repatriation": ["rapatri*", "renvoyés? dans leur pays", "retour* au pays", "évacu*", r"re:regagn\w*\s+(?:leur|son)\s+pays(?!\w)"],
        "death": ["mort*", "décéd*", "décès", "tué*", "suicid*", "corps de", "cadavre*", "sans vie"],
        "site_closure": ["fermé*", "fermeture", "démantel*", "éradiqué*", "détruit*", "rasé*"],
        "sentence": ["condamn*", "peine de", "réclusion", "ans de prison", "prison à perpétuité"],
        "sanction": ["sanction*", "gel des avoirs", "liste noire"],
        "operation_launch": ["lanc[ée]*", "lancement", "déclench*", "offensive"],
    },
    "id": {
        "raid": ["penggerebekan", "menggerebek", "digerebek", "razia", "penggeledahan", "menggeledah",
                 "digeledah", "penyergapan", "menyergap", "disergap"],
        "arrest": ["penangkapan", "menangkap", "ditangkap", "tertangkap", "diringkus", "meringkus", "dibekuk", "membekuk",
                   "diamankan", "mengamankan", "menetapkan", "ditetapkan sebagai tersangka"],
        "detention": ["penahanan", "ditahan", "menahan", "tahanan", "dikurung"],
        "rescue": ["penyelamatan", "diselamatkan", "menyelamatkan", "dibebaskan", "membebaskan", "evakuasi",
                   "dievakuasi"],
        "handover": ["diserahkan", "menyerahkan", "penyerahan", "serah terima"],
        "extradition": ["ekstradisi", "diekstradisi"],
        "deportation": ["deportasi", "dideportasi", "mendeportasi", "diusir"],
        "repatriation": ["pemulangan", "dipulangkan", "memulangkan", "repatriasi", "kembali ke tanah air",
                         r"re:kembali\s+ke\s+(?:negara\s+asal|kampung\s+halaman|Malaysia|Indonesia|Filipina|Vietnam|"
                         r"Thailand|Tiongkok|China)(?!\w)",
                         "tiba di tanah air", "tiba di bandara", "tiba di Bandara", "kembali ke Indonesia"],
        "death": ["tewas", "meninggal", "jenazah", "mayat", "terbunuh", "dibunuh", "bunuh diri", "kematian",
                  "korban jiwa"],
        "site_closure": ["ditutup", "menutup", "penutupan", "dibongkar", "dibubarkan", "dihancurkan"],
        "sentence": ["divonis", "dijatuhi hukuman", "dihukum", "vonis", "hukuman penjara", "terpidana"],
        "sanction": ["sanksi", "daftar hitam", "pembekuan aset"],
        "operation_launch": ["meluncurkan", "diluncurkan", "peluncuran", "dimulai", "memulai", "menggelar operasi",
                             "digelar"],
    },
    "ms": {
        "raid": ["serbuan", "menyerbu", "diserbu", "serbu", "menggeledah", "operasi serbuan"],
        # "ditahan" is Malay police usage for an arrest; "masih ditahan" (still held) is a detention
        # "penahanan 20 individu": the noun of "menahan", the same police arrest
        "arrest": ["ditangkap", "menangkap", "penangkapan", "diberkas", "memberkas", "menahan", "penahanan",
                   r"re:(?<!masih\s)ditahan(?!\w)"],
        "detention": ["ditahan", "tahanan", "reman"],
        "rescue": ["diselamatkan", "menyelamatkan", "dibebaskan", "membebaskan", "menyelamat"],
        "handover": ["diserahkan", "menyerahkan", "penyerahan"],
        "extradition": ["ekstradisi", "diekstradisi"],
        "deportation": ["diusir", "pengusiran", "deportasi", "dideportasi"],
        "repatriation": ["dihantar pulang", "menghantar pulang", "pulang ke tanah air", "dipulangkan", "penghantaran pulang",
                         "repatriasi", "dibawa pulang", "dibawa ke tanah air", "tiba di tanah air"],
        "death": ["maut", "mati", "meninggal dunia", "terbunuh", "mayat", "kematian", "membunuh diri"],
        "site_closure": ["ditutup", "menutup", "penutupan", "dirobohkan", "dibongkar"],
        "sentence": ["dijatuhi hukuman", "dihukum", "penjara", "disabitkan", "hukuman"],
        "sanction": ["sekatan", "sanksi", "senarai hitam"],
        "operation_launch": ["melancarkan", "dilancarkan", "pelancaran", "memulakan"],
    },
    "tl": {
        "raid": ["sinalakay", "pagsalakay", "ni-raid", "niraid", "raid", "ginalugad", "pagsalakay"],
        "arrest": ["inaresto", "naaresto", "arestado", "dinakip", "nadakip", "pag-aresto", "hinuli", "nahuli",
                   "kalaboso"],
        "detention": ["nakakulong", "ikinulong", "kinulong", "detinido", "nakadetine", "ikinustodiya",
                      "kustodiya"],
        "rescue": ["nasagip", "sinagip", "nailigtas", "iniligtas", "pagsagip", "na-rescue", "nirescue"],
        "handover": ["iniabot", "itinurn-over", "itinurnover", "isinuko", "ipinasa", "turn-over", "turnover"],
        "extradition": ["extradition", "na-extradite", "in-extradite", "ekstradisyon"],
        "deportation": ["ipina-deport", "idineport", "na-deport", "deportasyon", "deportation", "deport*",
                        "pagpapatapon"],
        "repatriation": ["napauwi", "pinauwi", "iuuwi", "naiuwi", "repatriation", "na-repatriate",
                         "pagpapauwi", "umuwi"],
        "death": ["patay", "namatay", "nasawi", "napatay", "bangkay", "pagkamatay", "pinatay"],
        "site_closure": ["ipinasara", "isinara", "pagsasara", "sinara", "pinasara"],
        "sentence": ["hinatulan", "nahatulan", "sinentensiyahan", "habambuhay", "pagkakakulong"],
        "sanction": ["sanction*", "parusa laban"],
        "operation_launch": ["inilunsad", "paglulunsad", "ilulunsad", "sinimulan"],
    },
    "vi": {
        "raid": ["đột kích", "khám xét", "truy quét", "ập vào", "bố ráp", "triệt phá"],
        "arrest": ["bắt giữ", "bắt giam", "bắt khẩn cấp", "bắt quả tang", "bị bắt", "bắt được", "bắt"],
        "detention": ["tạm giam", "giam giữ", "bị giữ", "tạm giữ hình sự", "tạm giữ"],
        "rescue": ["giải cứu", "giải thoát", "cứu thoát", "cứu"],
        "handover": ["bàn giao", "chuyển giao"],
        "extradition": ["dẫn độ"],
        "deportation": ["trục xuất", "buộc xuất cảnh"],
        "repatriation": ["hồi hương", "đưa về nước", "về nước", "đón về", "đưa trở về", "tiếp nhận", "trao trả"],
        "death": ["tử vong", "thiệt mạng", "thi thể", "chết", "tự tử", "sát hại", "giết"],
        "site_closure": ["đóng cửa", "phá bỏ", "xóa sổ", "giải tỏa", "niêm phong"],
        # "xử phạt" alone is an administrative fine (a sanction); "xử phạt ... năm tù" is caught by "năm tù"
        "sentence": ["tuyên án", "kết án", "lĩnh án", "tù chung thân", "năm tù", "tử hình"],
        "sanction": ["trừng phạt", "cấm vận", "đóng băng tài sản", "xử phạt hành chính", "xử phạt", "phạt tiền"],
        "operation_launch": ["phát động", "triển khai", "mở đợt", "khởi động", "ra quân"],
    },
    "zh": {
        "raid": ["突击", "搜查", "清查", "围剿", "突袭", "查处", "捣毁"],
        "arrest": ["抓获", "抓捕", "逮捕", "拘捕", "缉拿", "擒获", "落网", "刑拘", "被捕", "查获", "归案"],
        "detention": ["拘留", "羁押", "扣押", "扣留", "关押", "控制"],
        "rescue": ["解救", "营救", "救出", "获救", "救助"],
        "handover": ["移交", "押解", "押送", "交接", "遣返回国", "遣返"],
        "extradition": ["引渡"],
        "deportation": ["驱逐", "驱逐出境", "递解出境"],
        "repatriation": ["遣返", "回国", "接返", "撤侨", "返回国内", "接回"],
        "death": ["死亡", "身亡", "遇害", "遇难", "尸体", "自杀", "丧生", "殒命"],
        "site_closure": ["关闭", "取缔", "拆除", "清除", "端掉", "捣毁"],
        "sentence": ["判处", "被判", "宣判", "判决", "有期徒刑", "无期徒刑", "死刑"],
        "sanction": ["制裁", "冻结资产"],
        "operation_launch": ["启动", "发起", "开展", "部署开展", "打响", "拉开"],
    },
    "ja": {
        "raid": ["家宅捜索", "捜索", "摘発", "強制捜査", "踏み込"],
        "arrest": ["逮捕", "身柄を確保", "検挙"],
        "detention": ["勾留", "拘留", "収容", "留置", "拘束"],
        "rescue": ["救出", "保護", "解放"],
        "handover": ["引き渡", "移送", "身柄を移"],
        "extradition": ["犯罪人引き渡し"],
        "deportation": ["強制送還", "国外退去", "退去強制"],
        "repatriation": ["帰国", "送還"],
        "death": ["死亡", "遺体", "殺害", "死去", "自殺"],
        "site_closure": ["閉鎖", "撤去", "解体"],
        "sentence": ["判決", "懲役", "有罪", "実刑", "死刑"],
        "sanction": ["制裁", "資産凍結"],
        "operation_launch": ["開始", "着手", "発足", "立ち上げ"],
    },
    "ko": {
        "raid": ["압수수색", "급습", "단속", "소탕"],
        "arrest": ["검거", "체포", "붙잡", "구속"],
        "detention": ["구금", "억류", "수감", "유치장"],
        "rescue": ["구출", "구조", "구조됐", "풀려나"],
        "handover": ["인계", "신병을 넘겨", "넘겨받", "인도받"],
        "extradition": ["범죄인 인도", "인도됐"],
        "deportation": ["추방", "강제 출국", "강제퇴거", "강제송환", "강제 송환", "송환"],
        "repatriation": ["귀국"],
        "death": ["사망", "숨진", "숨졌", "시신", "살해", "숨져"],
        "site_closure": ["폐쇄", "철거"],
        "sentence": ["선고", "징역", "실형", "사형"],
        "sanction": ["제재", "자산 동결"],
        "operation_launch": ["착수", "개시", "출범", "돌입"],
    },
    "th": {
        "raid": ["บุกค้น", "เข้าตรวจค้น", "ตรวจค้น", "บุกจับ", "กวาดล้าง", "ทลาย", "บุกเข้า"],
        "arrest": ["จับกุม", "จับตัว", "รวบตัว", "รวบ", "ควบคุมตัว", "ถูกจับ", "จับได้", "ดำเนินคดี"],
        "detention": ["กักตัว", "คุมขัง", "ฝากขัง", "กักขัง", "ควบคุมตัวไว้"],
        "rescue": ["ช่วยเหลือ", "ช่วยชีวิต", "ได้รับการช่วยเหลือ", "ปลดปล่อย", "ช่วยออกมา"],
        "handover": ["ส่งมอบ", "ส่งตัว", "รับมอบ", "ส่งต่อ"],
        "extradition": ["ส่งผู้ร้ายข้ามแดน"],
        "deportation": ["เนรเทศ", "ผลักดันออกนอกประเทศ", "ผลักดันกลับ", "ผลักดัน"],
        "repatriation": ["ส่งกลับ", "เดินทางกลับประเทศ", "กลับประเทศ", "กลับภูมิลำเนา", "ส่งตัวกลับ"],
        # "หนีตาย" (fled for their lives) is no death
        "death": ["เสียชีวิต", "ศพ", "re:(?<!หนี)ตาย", "ฆ่าตัวตาย", "ถูกฆ่า", "สังหาร"],
        "site_closure": ["สั่งปิด", "ปิดตึก", "ปิดอาคาร", "ปิดกิจการ", "ปิดสถานที่", "รื้อถอน", "ทำลายฐาน"],
        "sentence": ["พิพากษา", "ตัดสินจำคุก", "จำคุก", "โทษประหาร", "ลงโทษ"],
        "sanction": ["คว่ำบาตร", "อายัดทรัพย์"],
        "operation_launch": ["เปิดปฏิบัติการ", "เริ่มปฏิบัติการ", "ปฏิบัติการ", "เปิดตัว", "ริเริ่ม"],
    },
    "lo": {
        "raid": ["ບຸກຄົ້ນ", "ກວດຄົ້ນ", "ບຸກເຂົ້າ", "ກວາດລ້າງ", "ຕີໂຕ້"],
        "arrest": ["ຈັບກຸມ", "ຈັບຕົວ", "ຖືກຈັບ", "ຈັບໄດ້", "ຄວບຄຸມຕົວ"],
        "detention": ["ກັກຂັງ", "ກັກຕົວ", "ຄຸມຂັງ"],
        "rescue": ["ຊ່ວຍເຫຼືອ", "ຊ່ວຍເຫລືອ", "ກູ້ໄພ", "ປົດປ່ອຍ"],
        "handover": ["ມອບຕົວ", "ສົ່ງມອບ", "ມອບໃຫ້", "ຮັບມອບ"],
        "extradition": ["ສົ່ງຜູ້ຮ້າຍຂ້າມແດນ"],
        "deportation": ["ເນລະເທດ", "ຂັບໄລ່ອອກ"],
        "repatriation": ["ສົ່ງກັບ", "ສົ່ງຄືນ", "ກັບຄືນປະເທດ", "ກັບປະເທດ"],
        "death": ["ເສຍຊີວິດ", "ຕາຍ", "ສົບ", "ຂ້າຕົວຕາຍ"],
        "site_closure": ["ສັ່ງປິດ", "ປິດກິດຈະການ", "ຮື້ຖອນ", "ທຳລາຍ"],
        "sentence": ["ຕັດສິນ", "ຈຳຄຸກ", "ລົງໂທດ"],
        "sanction": ["ລົງໂທດທາງເສດຖະກິດ", "ຄວ່ຳບາດ"],
        "operation_launch": ["ເປີດການປະຕິບັດ", "ເລີ່ມການປະຕິບັດ", "ເປີດຕົວ", "ເປີດຂະບວນ"],
    },
    "km": {
        "raid": ["ឆ្មក់", "ចុះឆ្មក់", "ស្រាវជ្រាវ", "បង្ក្រាប", "ចុះត្រួតពិនិត្យ"],
        # "ចាប់ពី" (from, since) and "ចាប់ផ្តើម" (to start) are not a catch
        "arrest": ["ចាប់ខ្លួន", "ឃាត់ខ្លួន", "ចាប់បាន", "re:ចាប់(?!ពី|ផ្តើម|ផ្ដើម|តាំងពី)"],
        "detention": ["ឃុំខ្លួន", "ឃុំឃាំង", "ដាក់ពន្ធនាគារ", "ឃុំ"],
        "rescue": ["ជួយសង្គ្រោះ", "សង្គ្រោះ", "ដោះលែង", "រំដោះ"],
        "handover": ["ប្រគល់", "បញ្ជូនទៅ", "ប្រគល់ខ្លួន"],
        "extradition": ["ធ្វើបត្យាប័ន", "បត្យាប័ន"],
        "deportation": ["និរទេស", "បណ្តេញចេញ", "បណ្ដេញចេញ"],
        "repatriation": ["បញ្ជូនត្រឡប់", "ត្រឡប់ទៅ", "បញ្ជូនមកវិញ", "ធ្វើមាតុភូមិនិវត្តន៍", "មាតុភូមិនិវត្តន៍", "ត្រឡប់មកវិញ",
                         "វិលត្រឡប់មក", "វិលត្រឡប់"],
        "death": ["ស្លាប់", "សាកសព", "បាត់បង់ជីវិត", "សម្លាប់ខ្លួន", "ធ្វើអត្តឃាត"],
        "site_closure": ["បិទ", "រុះរើ", "កម្ទេច"],
        "sentence": ["កាត់ទោស", "ផ្តន្ទាទោស", "ផ្ដន្ទាទោស", "ជាប់ពន្ធនាគារ"],
        "sanction": ["ដាក់ទណ្ឌកម្ម", "ទណ្ឌកម្ម"],
        "operation_launch": ["ដាក់ឱ្យដំណើរការ", "ចាប់ផ្តើមប្រតិបត្តិការ", "បើកប្រតិបត្តិការ", "បើកយុទ្ធនាការ"],
    },
    "my": {
        "raid": ["စီးနင်း", "ဝင်ရောက်စစ်ဆေး", "ရှာဖွေ", "နှိမ်နင်း"],
        # each list also holds the Zawgyi spelling of its commonest words (ဖမ္းဆီး = ဖမ်းဆီး): Zawgyi pages
        # are stored as returned (docs/extraction-annotation.md)
        "arrest": ["ဖမ်းဆီး", "ဖမ်းမိ", "ထိန်းသိမ်း", "ဖမ္းဆီး", "ဖမ္းမိ", "ထိန္းသိမ္း"],
        "detention": ["ချုပ်နှောင်", "အချုပ်", "ထိန်းသိမ်းထား", "ထိန္းသိမ္းထား"],
        "rescue": ["ကယ်ဆယ်", "ကယ်တင်", "လွတ်မြောက်", "ကယ္ဆယ္", "ကယ္တင္"],
        "handover": ["လွှဲပြောင်း", "အပ်နှံ", "လွှဲအပ်", "လႊဲေျပာင္း", "လႊဲအပ္"],
        "extradition": ["တရားခံလွှဲပြောင်း"],
        "deportation": ["နှင်ထုတ်", "ပြည်နှင်", "ႏွင္ထုတ္", "ျပည္ႏွင္"],
        "repatriation": ["ပြန်လည်ပို့ဆောင်", "ပြန်လည် ပို့ဆောင်", "ပြန်ပို့", "နေရပ်ပြန်", "ပြန်လည်ရောက်ရှိ", "ပြန်လာ",
                         "ပြန်လည်ခေါ်ဆောင်", "ပြန်ခေါ်", "ျပန္ပို႔", "ေနရပ္ျပန္", "ျပန္လည္ပို႔ေဆာင္"],
        "death": ["သေဆုံး", "အလောင်း", "ကွယ်လွန်", "သတ်"],
        "site_closure": ["ပိတ်သိမ်း", "ဖြိုဖျက်", "ပိတ်"],
        "sentence": ["ထောင်ဒဏ်", "ပြစ်ဒဏ်", "အမိန့်ချ", "သေဒဏ်"],
        "sanction": ["ပိတ်ဆို့အရေးယူ"],
        "operation_launch": ["စတင်", "စစ်ဆင်ရေး စတင်"],
    },
    "ar": {
        "raid": ["مداهمة", "داهمت", "داهم", "اقتحام", "اقتحمت", "مداهمات", "حملة أمنية على"],
        "arrest": ["اعتقال", "اعتقل*", "القبض", "قبض", "توقيف", "أوقفت", "ضبط", "ألقت"],
        "detention": ["احتجاز", "احتجزت", "محتجز*", "الاحتجاز", "حبس", "حجز"],
        "rescue": ["إنقاذ", "أنقذت", "تحرير", "تم تحرير", "إطلاق سراح", "الإفراج عن", "أفرجت عن", "أفرج عن"],
        "handover": ["تسليم", "سلمت", "سلّمت", "تسلمت", "تسلّمت"],
        "extradition": ["ترحيل المطلوبين", "تسليم المطلوبين", "تسليم المجرمين"],
        "deportation": ["ترحيل", "ترحيلهم", "ترحيلهن", "رحّلت", "رحلت", "طرد", "إبعاد"],  # with the object suffix
        "repatriation": ["إعادة", "إعادتهم", "أعيد", "إعادة إلى الوطن", "عودة", "إلى بلدانهم"],
        "death": ["مقتل", "وفاة", "توفي", "جثة", "جثث", "قتل", "قتيل", "انتحار", "لقي حتفه", "حكم الإعدام بحق",
                  "أعدمت", "إعدام"],
        "site_closure": ["إغلاق", "أغلقت", "تفكيك", "هدم"],
        "sentence": ["حكم على", "حكمت", "بالسجن", "الحكم", "أحكام", "حكماً", "حكما"],
        "sanction": ["فرض عقوبات", "عقوبات على", "تجميد أصول"],
        "operation_launch": ["أطلقت", "إطلاق", "أطلق", "بدء", "انطلاق", "تدشين"],
    },
}

# Figure categories: nouns or participles that say what was counted. Words for fleeing are not
# "fugitives" (wanted persons): people who fled are "people" (annotation rules).
CATEGORIES: dict[str, dict[str, list[str]]] = {
    "en": {
        "suspects": ["suspect*", "arrested", "accused", "defendant*", "detainee*", "offender*", "criminals",
                     "perpetrators", "scammers", "fraudsters", "gang members", "syndicate members",
                     r"re:(?:other\s+)?members\s+of\s+(?:the|a|an|this)\s+(?:[\w-]+\s+){0,2}?(?:syndicate|gang|ring|network)"],
        "leaders": ["ringleader*", "mastermind*", "organi[sz]er*", "key members", "leaders", "bosses", "kingpin*",
                    "heads of"],
        "fugitives": ["fugitive*", "wanted"],
        "victims": ["victim*", "rescued", "trafficked", "survivor*", "hostages"],
        "people": ["people", "persons", "members", "individuals", "nationals", "citizens", "foreigners", "workers", "men",
                   "women", "migrants", "employees", "foreign nationals"],
        "cases": ["cases", "case"],
        "sites": ["compounds", "compound", "sites", "dens", "premises", "centres", "centers", "locations",
                  "buildings", "hideouts", "call centres"],
        "deaths": ["dead", "died", "deaths", "killed", "bodies", "fatalities"],
        "sentenced": ["sentenced", "convicted", "jailed"],
    },
    "fr": {
        "suspects": ["suspect*", "soupçonné*", "présumés? fraudeurs", "prévenu*", "accusé*", "interpellé*",
                     "arrêté*", "escrocs", "fraudeurs"],
        "leaders": ["cerveau*", "organisateur*", "membres clés", "chefs", "meneur*", "dirigeants", "parrains"],
        "fugitives": ["fugitif*", "recherché*"],
        "victims": ["victime*", "secouru*", "libéré*", "otages"],
        "people": ["personnes", "membres", "ressortissant*", "citoyens", "étrangers", "travailleurs", "individus", "hommes",
                   "femmes", "migrants", "passagers", "petites mains", "employés", "salariés"],
        "cases": ["affaires", "dossiers", "cas"],
        "sites": ["repaires", "sites", "complexes", "centres", "locaux", "bâtiments"],
        "deaths": ["morts", "décès", "tués", "corps", "victimes décédées"],
        "sentenced": ["condamné*"],
    },
    "id": {
        "suspects": ["tersangka", "terduga", "pelaku", "ditangkap", "terdakwa", "penipu"],
        "leaders": ["otak", "dalang", "pemimpin", "gembong", "bos", "pimpinan", "koordinator", "perekrut"],
        "fugitives": ["buronan", "buron", "DPO"],
        "victims": ["korban", "diselamatkan", "sandera"],
        "people": ["orang", "warga negara", "WNI", "WNA", "warga", "pekerja", "pria", "wanita", "perempuan",
                   "pekerja migran", "PMI"],
        "cases": ["kasus", "perkara"],
        "sites": ["lokasi", "markas", "kompleks", "tempat", "gedung", "sarang"],
        "deaths": ["tewas", "meninggal", "jenazah", "mayat", "korban jiwa"],
        "sentenced": ["divonis", "dijatuhi hukuman", "terpidana", "dihukum"],
    },
    "ms": {
        "suspects": ["suspek", "tertuduh", "ditangkap", "ditahan"],
        "leaders": ["dalang", "ketua", "pemimpin", "bos"],
        "fugitives": ["pelarian", "dikehendaki"],
        "victims": ["mangsa", "diselamatkan"],
        "people": ["orang", "individu", "warganegara", "warga asing", "rakyat", "pekerja", "lelaki", "wanita",
                   "warga"],
        "cases": ["kes"],
        "sites": ["premis", "lokasi", "kompleks", "tempat", "bangunan", "sarang"],
        "deaths": ["maut", "mati", "terbunuh", "mayat", "meninggal dunia"],
        "sentenced": ["dijatuhi hukuman", "disabitkan", "dihukum"],
    },
    "tl": {
        "suspects": ["suspek", "suspect*", "akusado", "inaresto", "naaresto", "arestado", "nadakip", "dinakip"],
        "leaders": ["lider", "pinuno", "utak", "boss", "amo"],
        "fugitives": ["pugante", "wanted"],
        "victims": ["biktima", "nasagip", "nailigtas", "na-rescue"],
        "people": ["katao", "tao", "indibidwal", "dayuhan", "manggagawa", "Pilipino", "mamamayan", "empleyado",
                   "foreign nationals", "banyaga", "Tsino", "Chinese", "Pinoy", "OFW*", "workers",
                   "foreign workers", "Filipino*", "kababayan", "pasahero"],
        "cases": ["kaso"],
        "sites": ["compound*", "lugar", "gusali", "POGO hub*", "hub*"],
        "deaths": ["patay", "nasawi", "namatay", "bangkay", "napatay"],
        "sentenced": ["hinatulan", "nahatulan", "sinentensiyahan"],
    },
    "vi": {
        "suspects": ["nghi phạm", "đối tượng", "bị can", "bị cáo", "kẻ", "nghi can", "tội phạm"],
        "leaders": ["cầm đầu", "chủ mưu", "đầu sỏ", "thủ lĩnh", "trùm", "kẻ chủ mưu"],
        "fugitives": ["truy nã", "bỏ trốn", "lẩn trốn"],
        "victims": ["nạn nhân", "được giải cứu"],
        "people": ["người", "công dân", "lao động", "người dân", "người nước ngoài"],
        "cases": ["vụ án", "vụ"],
        "sites": ["cơ sở", "điểm", "hang ổ", "khu", "tụ điểm", "địa điểm"],
        "deaths": ["tử vong", "thiệt mạng", "thi thể", "người chết"],
        "sentenced": ["tuyên án", "lĩnh án", "bị kết án", "bị phạt tù"],
    },
    "zh": {
        "suspects": ["犯罪嫌疑人", "嫌疑人", "嫌犯", "涉诈人员", "涉案人员", "被告人", "诈骗分子", "违法犯罪人员",
                     "涉赌人员"],
        "leaders": ["主犯", "头目", "骨干", "金主", "组织者", "首要分子", "幕后"],
        "fugitives": ["在逃", "逃犯", "网上逃犯", "潜逃"],
        "victims": ["受害人", "被害人", "受害者", "被解救", "获救"],
        "people": ["同胞", "公民", "人员", "务工人员", "外籍人员", "中国籍", "人"],
        "cases": ["案件", "起", "宗"],
        "sites": ["窝点", "园区", "据点", "诈骗窝点"],
        "deaths": ["死亡", "遇难", "身亡", "尸体", "具"],
        "sentenced": ["判处", "被判"],
    },
    "ja": {
        "suspects": ["容疑者", "被疑者", "被告", "逮捕者", "一味", "かけ子", "受け子"],
        "leaders": ["首謀者", "幹部", "リーダー", "指示役", "主犯"],
        "fugitives": ["逃亡", "指名手配", "手配"],
        "victims": ["被害者", "救出", "保護"],
        "people": ["人", "日本人", "邦人", "外国人", "男女"],
        "cases": ["件"],
        "sites": ["拠点", "施設"],
        "deaths": ["死亡", "遺体", "死者"],
        "sentenced": ["判決", "実刑"],
    },
    "ko": {
        "suspects": ["용의자", "피의자", "피고인", "조직원", "일당", "검거", r"re:혐의를?\s?받는"],
        "leaders": ["총책", "두목", "주범", "간부", "우두머리"],
        "fugitives": ["도피사범", "수배자"],
        "victims": ["피해자", "구출", "구조"],
        "people": ["명", "사람", "한국인", "국민", "외국인"],
        "cases": ["re:건(?!물|강|설|의|너)"],
        "sites": ["거점", "곳", "단지", "센터", "사무실"],
        "deaths": ["사망", "숨진", "시신", "사망자"],
        "sentenced": ["선고"],
    },
    "th": {
        "suspects": ["ผู้ต้องหา", "ผู้ต้องสงสัย", "จำเลย", "ผู้กระทำผิด", "แก๊ง", "คนร้าย"],
        "leaders": ["หัวหน้า", "แกนนำ", "ผู้บงการ", "นายทุน", "ตัวการ"],
        "fugitives": ["ผู้หลบหนี", "หมายจับ"],
        "victims": ["ผู้เสียหาย", "เหยื่อ", "ได้รับการช่วยเหลือ"],
        "people": ["คน", "ราย", "คนไทย", "แรงงาน", "ชาวต่างชาติ", "ชาว"],
        "cases": ["คดี"],
        "sites": ["แห่ง", "จุด", "อาคาร"],
        "deaths": ["เสียชีวิต", "ศพ"],
        "sentenced": ["จำคุก", "พิพากษา"],
    },
    "lo": {
        "suspects": ["ຜູ້ຕ້ອງສົງໄສ", "ຜູ້ຕ້ອງຫາ", "ຜູ້ກະທຳຜິດ"],
        "leaders": ["ຫົວໜ້າ", "ແກນນຳ", "ຜູ້ບົງການ"],
        "fugitives": ["ຫລົບໜີ", "ຫຼົບໜີ"],
        "victims": ["ຜູ້ເຄາະຮ້າຍ", "ຜູ້ຖືກເຄາະຮ້າຍ", "ເຫຍື່ອ"],
        "people": ["ຄົນ", "ລາຍ", "ພົນລະເມືອງ", "ແຮງງານ", "ຄົນຕ່າງປະເທດ", "ຄົນລາວ"],
        "cases": ["ຄະດີ"],
        "sites": ["ແຫ່ງ", "ສະຖານທີ່", "ຈຸດ"],
        "deaths": ["ເສຍຊີວິດ", "ສົບ"],
        "sentenced": ["ຈຳຄຸກ"],
    },
    "km": {
        "suspects": ["ជនសង្ស័យ", "ជនល្មើស", "ជនជាប់ចោទ", "ជនបោកប្រាស់"],
        "leaders": ["មេក្លោង", "មេដឹកនាំ", "មេខ្លោង"],
        "fugitives": ["ជនរត់គេច", "រត់គេចខ្លួន"],
        "victims": ["ជនរងគ្រោះ", "ជនរងគ្រោះ"],
        "people": ["នាក់", "ពលរដ្ឋ", "ជនបរទេស", "កម្មករ", "មនុស្ស", "ជនជាតិ"],
        "cases": ["ករណី", "សំណុំរឿង"],
        "sites": ["ទីតាំង", "កន្លែង", "អគារ"],
        "deaths": ["ស្លាប់", "សាកសព"],
        "sentenced": ["កាត់ទោស", "ផ្តន្ទាទោស"],
    },
    "my": {
        "suspects": ["သံသယရှိသူ", "တရားခံ", "ဖမ်းဆီးခံရသူ", "ကျူးလွန်သူ"],
        "leaders": ["ခေါင်းဆောင်", "ဦးစီးသူ"],
        "fugitives": ["ထွက်ပြေးသူ", "ပြေးသူ", "လိုက်လံရှာဖွေ"],
        "victims": ["သားကောင်", "ဒုက္ခသည်", "ကယ်ဆယ်ခံရသူ"],
        "people": ["ဦး", "ယောက်", "ဦးခန့်", "နိုင်ငံသား", "လုပ်သား", "လူ"],
        "cases": ["မှု"],
        "sites": ["နေရာ", "အဆောက်အအုံ", "ဝင်း"],
        "deaths": ["သေဆုံး", "အလောင်း"],
        "sentenced": ["ထောင်ဒဏ်ချ", "ပြစ်ဒဏ်ချ"],
    },
    "ar": {
        "suspects": ["مشتبه*", "متهم*", "المشتبه", "موقوف*", "محتال*", "المحتالين"],
        "leaders": ["زعيم*", "زعماء", "قادة", "العقل المدبر", "رؤوس"],
        "fugitives": ["فار*", "الفارين", "هارب*", "مطلوب*"],
        "victims": ["ضحايا", "ضحية", "الضحايا", "مختطف*"],
        "people": ["شخص*", "أشخاص", "مواطن*", "عامل*", "عمال", "أجانب", "رعايا", "أجنبي*"],
        "cases": ["قضية", "قضايا", "حالة", "حالات"],
        "sites": ["مواقع", "موقع*", "مراكز", "مركز*", "مجمع*", "أوكار", "وكر"],
        "deaths": ["قتلى", "قتيل*", "وفاة", "جثث", "جثة", "حالات وفاة"],
        "sentenced": ["حكم*", "محكوم*"],
    },
}

# Officers sent on an operation ("700 officers", "총 15명의 요원을 투입", "出动警力200余名") are not figures of
# the event: a number whose nearest category word is one of these is left out.
OFFICERS: dict[str, list[str]] = {
    "en": ["officers", "personnel", "policemen", "police officers", "troops", "soldiers", "agents", "raiding party",
           "-strong"],
    "fr": ["policiers", "agents", "gendarmes", "militaires", "soldats", "effectifs"],
    "id": ["personel", "aparat", "petugas", "polisi", "anggota polisi", "prajurit"],
    "ms": ["anggota polis", "pegawai", "petugas", "anggota penguatkuasa"],
    "tl": ["pulis", "operatiba", "tauhan", "sundalo"],
    "vi": ["cán bộ", "chiến sĩ", "cảnh sát", "công an"],
    "zh": ["警力", "民警", "警员", "警察", "干警", "官兵"], "ja": ["警察官", "捜査員", "警官"],
    "ko": ["요원", "경찰관", "수사관", "경찰 인력", "인력"],
    "th": ["เจ้าหน้าที่", "ตำรวจ", "ทหาร", "กำลังพล"], "lo": ["ເຈົ້າໜ້າທີ່", "ຕຳຫຼວດ", "ທະຫານ"],
    "km": ["មន្ត្រី", "កម្លាំង", "នគរបាល"], "my": ["ရဲ", "တပ်ဖွဲ့ဝင်", "အရာရှိ"],
    "ar": ["ضابط", "ضباط", "عناصر", "جندي", "جنود", "شرطي", "أفراد الأمن"],
}
for _code, _words in OFFICERS.items():
    CATEGORIES[_code]["officers"] = _words


# Qualifiers: written before the number ("more than 70"), or after it ("70余").
QUALIFIERS: dict[str, dict[str, dict[str, list[str]]]] = {
    "en": {"before": {"more_than": ["more than", "over", "upwards of", "in excess of"],
                      "at_least": ["at least", "no fewer than", "no less than", "a minimum of"],
                      "about": ["about", "around", "approximately", "nearly", "almost", "some", "roughly",
                                "an estimated", "close to"],
                      "up_to": ["up to", "as many as"]},
           "after": {"more_than": ["or more", "-plus", "plus"]}},
    "fr": {"before": {"more_than": ["plus de", "plus d'", "plus d’", "au-delà de"],
                      "at_least": ["au moins", "pas moins de"],
                      "about": ["environ", "près de", "quelque", "quelques", "une centaine", "approximativement"],
                      "up_to": ["jusqu'à", "jusqu’à"]}, "after": {}},
    "id": {"before": {"more_than": ["lebih dari", "lebih daripada", "di atas"],
                      "at_least": ["sedikitnya", "setidaknya", "minimal", "paling sedikit"],
                      "about": ["sekitar", "hampir", "kurang lebih", "kira-kira", "lebih kurang"],
                      "up_to": ["hingga", "sampai", "mencapai"]}, "after": {"more_than": ["lebih"]}},
    "ms": {"before": {"more_than": ["lebih daripada", "lebih dari", "melebihi"],
                      "at_least": ["sekurang-kurangnya", "sekurang kurangnya", "setidak-tidaknya"],
                      "about": ["kira-kira", "sekitar", "hampir", "lebih kurang", "anggaran"],
                      "up_to": ["sehingga", "mencecah"]}, "after": {"more_than": ["lebih"]}},
    "tl": {"before": {"more_than": ["mahigit", "higit sa", "higit", "lampas"],
                      "at_least": ["hindi bababa sa", "hindi kukulangin sa", "kahit"],
                      "about": ["humigit-kumulang", "halos", "tinatayang", "mga", "tinatayang nasa"],
                      "up_to": ["hanggang", "umabot sa"]}, "after": {}},
    "vi": {"before": {"more_than": ["hơn", "trên"], "at_least": ["ít nhất"],
                      "about": ["khoảng", "gần", "chừng", "xấp xỉ"],
                      "up_to": ["lên tới", "lên đến", "tới"]}, "after": {"more_than": ["người trở lên"]}},
    "zh": {"before": {"at_least": ["至少"], "about": ["约", "大约", "近", "将近"], "up_to": ["多达", "高达"]},
           "after": {"more_than": ["余", "多", "以上", "余名"]}},
    "ja": {"before": {"at_least": ["少なくとも"], "about": ["約", "およそ"], "up_to": ["最大"]},
           "after": {"more_than": ["余り", "以上", "超"], "about": ["ほど", "前後"]}},
    "ko": {"before": {"at_least": ["최소"], "about": ["약"], "up_to": ["최대"]},
           "after": {"more_than": ["여", "이상", "여명"], "about": ["가량", "정도"]}},
    "th": {"before": {"at_least": ["อย่างน้อย"], "about": ["ประมาณ", "ราว", "เกือบ", "กว่า"],
                      "up_to": ["มากถึง", "สูงถึง"]}, "after": {"more_than": ["กว่า", "ขึ้นไป"]}},
    "lo": {"before": {"at_least": ["ຢ່າງໜ້ອຍ", "ຢ່າງຫນ້ອຍ"], "about": ["ປະມານ", "ເກືອບ"],
                      "up_to": ["ເຖິງ", "ສູງເຖິງ"]}, "after": {"more_than": ["ກວ່າ"]}},
    "km": {"before": {"more_than": ["ជាង"], "at_least": ["យ៉ាងហោចណាស់", "យ៉ាងតិច"], "about": ["ប្រហែល", "ជិត"],
                      "up_to": ["រហូតដល់", "ដល់ទៅ"]}, "after": {"more_than": ["ជាង", "នាក់ជាង"]}},
    "my": {"before": {"at_least": ["အနည်းဆုံး"], "up_to": ["အထိ"]},
           "after": {"more_than": ["ကျော်", "ဦးကျော်", "ကျော်ခန့်"], "about": ["ခန့်", "ဝန်းကျင်", "နီးပါး"]}},
    "ar": {"before": {"more_than": ["أكثر من", "أزيد من", "ما يزيد على", "ما يزيد عن", "ما يربو على"],
                      "at_least": ["ما لا يقل عن", "على الأقل"],
                      "about": ["حوالي", "نحو", "قرابة", "زهاء", "ما يقارب", "حوالى"],
                      "up_to": ["ما يصل إلى", "حتى"]}, "after": {}},
}

# Words around a person's name that give the role.
ROLES: dict[str, dict[str, list[str]]] = {
    "en": {"leader": ["ringleader", "mastermind", "leader", "boss", "kingpin", "chief of the gang", "head of the gang"],
           "official": ["spokesperson", "spokesman", "spokeswoman", "minister", "commissioner", "director",
                        "head of", "chief", "ambassador", "general", "colonel", "governor", "police chief",
                        "deputy", "secretary", "commander", "officer", "prosecutor", "judge", "consul"],
           "suspect": ["suspect", "accused", "defendant"],
           "victim": ["victim", "survivor"]},
    "fr": {"leader": ["chef*", "cerveau", "meneur", "parrain"],
           "official": ["porte-parole", "ministre", "directeur", "commissaire", "ambassadeur", "général",
                        "préfet", "procureur", "juge", "consul", "responsable"],
           "suspect": ["suspect", "accusé", "prévenu", "présumé"], "victim": ["victime"]},
    "id": {"leader": ["otak", "dalang", "pemimpin", "gembong", "bos"],
           "official": ["juru bicara", "jubir", "menteri", "kepala", "direktur", "duta besar", "dubes", "kapolri",
                        "kapolda", "kapolres", "jenderal", "komisaris", "wakil", "kombes", "ketua", "kasubdit",
                        "dirjen", "sekretaris"],
           "suspect": ["tersangka", "terduga", "pelaku", "terdakwa"], "victim": ["korban"]},
    "ms": {"leader": ["dalang", "ketua sindiket", "bos"],
           "official": ["jurucakap", "menteri", "ketua polis", "pengarah", "duta", "ketua", "timbalan",
                        "komisioner", "ACP", "DCP", "SAC", "Datuk", "Tan Sri"],
           "suspect": ["suspek", "tertuduh"], "victim": ["mangsa"]},
    "tl": {"leader": ["lider", "pinuno", "utak", "boss"],
           "official": ["tagapagsalita", "kalihim", "direktor", "hepe", "PBGen", "PCol", "Gen.", "Col.",
                        "komisyoner", "spokesperson", "Secretary", "Director", "Commissioner", "Usec"],
           "suspect": ["suspek", "akusado"], "victim": ["biktima"]},
    "vi": {"leader": ["cầm đầu", "chủ mưu", "trùm", "đầu sỏ"],
           "official": ["người phát ngôn", "bộ trưởng", "thứ trưởng", "giám đốc", "đại tá", "thiếu tướng",
                        "trung tướng", "đại sứ", "phó", "trưởng"],
           "suspect": ["đối tượng", "nghi phạm", "bị can", "bị cáo"], "victim": ["nạn nhân"]},
}
ROLES["ar"] = {"leader": ["زعيم", "العقل المدبر"], "official": ["المتحدث", "وزير", "مدير", "السفير", "اللواء", "العميد"],
               "suspect": ["المتهم", "المشتبه"], "victim": ["الضحية"]}

# Words anywhere before a trigger in its sentence that make it a pledge or a plan.
PLANS: dict[str, list[str]] = {
    "en": ["will", "would", "shall", "plans", "planned", "pledged", "vowed", "vow", "committed to", "determined to",
           "intends", "aims to", "seek to", "seeks to", "striving", "continue to", "to be"],
    "fr": ["va", "vont", "sera", "seront", "s'engag", "se sont engagé", "engagées", "engagés", "entend", "prévoit",
           "compte", "continuer", "afin de", "pour"],
    "id": ["akan", "bertekad", "berencana", "berjanji", "berkomitmen", "guna", "untuk"],
    "ms": ["akan", "bertekad", "berjanji", "bercadang"],
    "tl": ["planong", "nangako", "magsasagawa", "ilulunsad", "ipapa", "nakatakdang", "balak"],
    "vi": ["sẽ", "cam kết", "quyết tâm", "kế hoạch"],
    "zh": ["将", "将会", "要", "计划", "决心", "承诺", "继续"],
    "ja": ["方針", "予定", "目指"],
    "ko": ["예정", "계획", "방침"],
    "th": ["จะ", "เตรียม"],
    "lo": ["ຈະ"],
    "km": ["នឹង"],
    "my": ["မည်", "လိမ့်"],
    "ar": ["سوف", "سيتم", "ستعمل", "تعتزم", "يعتزم", "ستقوم", "تسعى", "ستعزز", "لمواجهة", "لمكافحة", "إلى تطبيق"],
}

# Words that mark a plan or a wish rather than a done deed, checked just before a trigger.
FUTURE: dict[str, list[str]] = {
    "en": ["will", "would", "to be", "plans to", "plan to", "aims to", "vowed to", "pledged to", "intends to", "to"],
    "fr": ["va", "vont", "sera", "seront", "pour", "afin de", "prévoit de", "s'engage à", "engagées à"],
    "id": ["akan", "untuk", "guna", "berencana", "bertekad"],
    "ms": ["akan", "untuk", "bagi", "bercadang"],
    "tl": ["ay", "upang", "para"],
    "vi": ["sẽ", "để", "nhằm"],
    "zh": ["将", "要", "拟", "计划"],
    "ja": ["予定", "方針"],
    "ko": ["예정", "계획"],
    "th": ["จะ", "เพื่อ"],
    "lo": ["ຈະ", "ເພື່ອ"],
    "km": ["នឹង", "ដើម្បី"],
    "my": ["မည်", "ရန်"],
    "ar": ["سوف", "سيتم", "ستقوم", "يعتزم", "تعتزم", "تسعى إلى", "بهدف"],
}


def keyword_regex(keywords: list[str], lang: str) -> re.Pattern:
    """One regex for a keyword list, honouring word starts and ``*`` suffixes."""
    parts = []
    for kw in sorted(keywords, key=len, reverse=True):
        if kw.startswith("re:"):  # a keyword that needs a regular expression ("건" but not "건물")
            parts.append(kw[3:])
            continue
        suffix = kw.endswith("*")
        body = kw[:-1] if suffix else kw
        # keep a few regex classes the lexicon uses ([ée], s?) but escape the rest
        body = re.sub(r"([.^$+(){}|\\])", r"\\\1", body).replace(" ", r"\s+")
        if lang in SUBSTRING:
            parts.append(body)
        else:
            parts.append(body + (r"\w*" if suffix else r"(?!\w)"))
    alt = "|".join(parts)
    if lang in SUBSTRING:
        return re.compile(f"(?:{alt})")
    if lang == "ar":
        # Arabic glues "and", "by", "to", "the" to the word: وألقت, بترحيل, للاحتيال
        return re.compile(rf"(?<![\w])(?:[وفبل]|ال|وال|بال|لل)?(?:{alt})")
    return re.compile(rf"(?<![\w])(?:{alt})", re.IGNORECASE)


def lexicon_lang(lang: str | None) -> str:
    return lang if lang in EVENTS else "en"


@lru_cache(maxsize=None)
def event_patterns(lang: str) -> tuple[tuple[str, re.Pattern], ...]:
    code = lexicon_lang(lang)
    table = dict(EVENTS[code], other=MEETINGS.get(code, []) + OTHER_EVENTS.get(code, []))
    return tuple((etype, keyword_regex(table[etype], lang)) for etype in EVENT_TYPES if table.get(etype))


@lru_cache(maxsize=None)
def category_patterns(lang: str) -> tuple[tuple[str, re.Pattern], ...]:
    table = CATEGORIES[lexicon_lang(lang)]
    return tuple((cat, keyword_regex(words, lang)) for cat, words in table.items())


@lru_cache(maxsize=None)
def qualifier_patterns(lang: str) -> dict[str, tuple[tuple[str, re.Pattern], ...]]:
    table = QUALIFIERS[lexicon_lang(lang)]
    out = {}
    for side in ("before", "after"):
        out[side] = tuple((q, re.compile(
            ("(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"),
            re.IGNORECASE)) for q, words in table.get(side, {}).items())
    return out


@lru_cache(maxsize=None)
def role_patterns(lang: str) -> tuple[tuple[str, re.Pattern], ...]:
    table = ROLES.get(lang) or ROLES["en"]
    return tuple((role, keyword_regex(words, lang)) for role, words in table.items())


# Words that call a group victims anywhere in the sentence (rescued, freed, trafficked, deceived, lured,
# forced): a group the sentence otherwise calls "nationals" or "people" is then counted as victims.
VICTIM_CONTEXT: dict[str, list[str]] = {
    "en": ["victim*", "rescu*", "freed", "trafficked", "trafficking victims", "deceived", "lured", "duped",
           "tricked", "forced to work", "held captive"],
    "fr": ["victime*", "secouru*", "libéré*", "délivré*", "trompé*", "attiré*", "forcés à", "forcées à", "séquestré*"],
    "id": ["korban", "diselamatkan", "dibebaskan", "tertipu", "ditipu", "dipaksa", "disekap", "terjebak", "TPPO"],
    "ms": ["mangsa", "diselamatkan", "dibebaskan", "ditipu", "dipaksa", "dikurung", "diperdaya"],
    "tl": ["biktima", "nabiktima", "nasagip", "sinagip", "nailigtas", "na-rescue", "niloko", "naloko",
           "pinilit", "sapilitang", "pwersahang", "ikinulong"],
    "vi": ["nạn nhân", "giải cứu", "bị lừa", "lừa sang", "bị ép", "cưỡng bức", "mua bán người", "giam giữ trái phép"],
    "zh": ["受害", "被害", "解救", "获救", "被骗", "被拐", "受骗", "拐卖", "被迫"],
    "ja": ["被害", "救出", "保護され", "だまされ", "騙され", "監禁", "強制的に"],
    "ko": ["피해자", "구출", "구조", "감금", "속아", "유인", "인신매매", "강제로"],
    "th": ["ผู้เสียหาย", "เหยื่อ", "ช่วยเหลือ", "หลอก", "ค้ามนุษย์", "บังคับ", "กักขัง"],
    # "ຖືກຫຼອກ" (were deceived), not "ຫຼອກລວງ" alone: "ເຄືອຂ່າຍຫຼອກລວງ" is the fraud network
    "lo": ["ຜູ້ເຄາະຮ້າຍ", "ຖືກເຄາະຮ້າຍ", "ເຫຍື່ອ", "ຊ່ວຍເຫຼືອ", "ຖືກຫຼອກ", "ຄ້າມະນຸດ", "ບັງຄັບ"],
    "km": ["ជនរងគ្រោះ", "ជួយសង្គ្រោះ", "សង្គ្រោះ", "បោកបញ្ឆោត", "ជួញដូរមនុស្ស", "បង្ខំ"],
    "my": ["ကယ်ဆယ်", "ကယ်တင်", "လူကုန်ကူး", "အလိမ်ခံ", "ဒုက္ခသည်", "အတင်းအကျပ်", "သားကောင်"],
    "ar": ["ضحايا", "ضحية", "تحرير", "تحريرهم", "إنقاذ", "انقاذ", "محررين", "المحررين", "الاتجار بالبشر",
           "خداع", "استدراج", "إجبار", "أجبروا", "احتجازهم من قبل"],
}


@lru_cache(maxsize=None)
def victim_context_regex(lang: str) -> re.Pattern:
    return keyword_regex(VICTIM_CONTEXT.get(lang) or VICTIM_CONTEXT["en"], lang)


# Sentence openings that go on about the persons of the sentence before ("Among them...").
CONTINUATIONS: dict[str, list[str]] = {
    "en": ["among them", "of these", "of them", "of those", "among those", "including", "they included", "of whom",
           "the remaining", "the rest"],
    "fr": ["parmi", "dont", "au nombre de", "il s'agit de", "on compte"],
    "id": ["dari jumlah", "di antara", "termasuk", "mereka terdiri", "dari para", "sisanya"],
    "ms": ["daripada jumlah", "antara", "termasuk", "daripada", "baki"],
    "tl": ["kabilang", "sa mga ito", "sa bilang na ito", "sa kanila"],
    "vi": ["trong số", "trong đó", "bao gồm"],
    "zh": ["其中", "包括", "这些人中"],
    "ja": ["このうち", "うち", "この中"],
    "ko": ["이 중", "이 가운데", "이들 중", "이 가운데"],
    "th": ["ในจำนวนนี้", "ในจำนวน", "โดยเป็น", "แบ่งเป็น", "ในนี้"],
    "lo": ["ໃນນັ້ນ", "ໃນຈຳນວນນີ້", "ໃນຈໍານວນນີ້"],
    "km": ["ក្នុងនោះ", "ក្នុងចំណោម"],
    "my": ["ယင်းတို့အနက်", "၎င်းတို့ထဲတွင်", "ထိုအထဲ", "၎င်းတို့အနက်"],
    "ar": ["من بينهم", "بينهم", "ومن بين", "منهم", "ومن بينهم"],
}
# "of them" right after a number ("ترحيل 9978 منهم", "deported 9,978 of them"): the number counts persons of a
# group named before, so it is a person figure even with no noun after it.
PARTITIVES: dict[str, list[str]] = {
    "en": ["of them", "of whom", "of those"], "fr": ["d'entre eux", "d’entre eux", "d'entre elles"],
    "id": ["di antaranya", "dari mereka", "diantaranya"], "ms": ["daripadanya", "daripada mereka", "di antaranya"],
    "tl": ["sa kanila", "rito", "dito"], "vi": ["trong số đó", "trong số này"],
    "ar": ["منهم", "منهن", "من بينهم", "من أفراد", "من أعضاء", "من عناصر"],
}


@lru_cache(maxsize=None)
def partitive_regex(lang: str) -> re.Pattern | None:
    words = PARTITIVES.get(lang)
    if not words:
        return None
    return re.compile(r"\s*(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?!\w)",
                      re.IGNORECASE)


# Words for sex that make a number part of a breakdown ("1,792 of them women"), not a figure.
SEXES: dict[str, list[str]] = {
    "en": ["men", "women", "male", "female", "boys", "girls", "minors", "children"],
    "fr": ["hommes", "femmes", "mineurs", "enfants"], "id": ["pria", "wanita", "laki-laki", "perempuan", "anak"],
    "ms": ["lelaki", "wanita", "perempuan", "kanak-kanak"], "tl": ["lalaki", "babae", "menor"],
    "vi": ["nam", "nữ", "trẻ em"], "ar": ["رجال", "نساء", "ذكور", "إناث", "أطفال", "قاصرين"],
}


@lru_cache(maxsize=None)
def demonym_regex(lang: str) -> re.Pattern | None:
    """Nationality words of the gazetteer ("Chinois", "Indonesians", "الصينيين") in the scripts written with
    spaces: a number right before one counts persons ("200 Chinois"). Taken from the gazetteer so that a
    country added there is known here too."""
    import json
    from pathlib import Path

    if lang in SUBSTRING:
        return None
    data = json.loads((Path(__file__).resolve().parent / "data" / "gazetteer.json").read_text(encoding="utf-8"))
    words = {w for c in data["countries"] for w in c.get("demonyms", []) + (["WNA"] if c["code"] == "ID" else [])
             if not re.search(r"[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u3040-\u9FFF\uAC00-\uD7AF]", w)}
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    if lang == "ar":
        return re.compile(rf"\s*(?:ال)?(?:{alt})")
    # plural endings: "Indonesians", "Chinois", "indiens", "Vietnamese"
    return re.compile(rf"\s*(?:{alt})(?:s|es|e|nes|ne)?(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=None)
def sex_regex(lang: str) -> re.Pattern | None:
    words = SEXES.get(lang)
    if not words:
        return None
    return re.compile(r"\s*(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?!\w)",
                      re.IGNORECASE)


def qualifier_strip(lang: str, before: str) -> str:
    """``before`` without a qualifier at its end ("including more than " -> "including ")."""
    for _, pattern in qualifier_patterns(lang)["before"]:
        m = None
        for m in pattern.finditer(before):
            pass
        if m is not None and not before[m.end():].strip():
            return before[:m.start()]
    return before


@lru_cache(maxsize=None)
def demonym_before_regex(lang: str) -> re.Pattern:
    """"85 Chinese and " right before a number: the number is the next part of a breakdown."""
    return re.compile(rf"(?:{demonym_regex(lang).pattern})\s*,?\s*(?:and|et|dan|at|và|و)?\s*$", re.IGNORECASE)


@lru_cache(maxsize=None)
def breakdown_regex(lang: str) -> re.Pattern | None:
    """After "of them": a nationality or a sex says the number is a breakdown of the group."""
    sexes = SEXES.get(lang, [])
    dem = demonym_regex(lang)
    parts = [rf"\s*(?:{'|'.join(re.escape(w) for w in sexes)})(?!\w)"] if sexes else []
    if dem is not None:
        parts.append(dem.pattern)
    if not parts:
        return None
    return re.compile(rf"(?:\s*(?:were|are|sont|étaient|adalah|ay|là|هم)?)(?:{'|'.join(parts)})", re.IGNORECASE)


# Words opening a relative clause, just before a keyword that only describes people ("who were rescued").
RELATIVES: dict[str, list[str]] = {
    "en": ["who", "which", "that", "those", "after being", "having been"], "fr": ["qui", "ayant été", "après avoir été"],
    "id": ["yang"], "ms": ["yang"], "tl": ["na", "nang"], "vi": ["đã được", "bị", "được"],
    "zh": ["被"], "ja": ["された"], "ko": ["된", "당한"], "th": ["ที่", "ซึ่ง", "ที่ได้"],
    "lo": ["ທີ່", "ເຊິ່ງ", "ຊຶ່ງ"], "km": ["ដែល"], "my": ["ခဲ့သော", "သော"], "ar": ["الذين", "التي", "الذي", "اللواتي"],
}


@lru_cache(maxsize=None)
def continuation_regex(lang: str) -> re.Pattern:
    words = CONTINUATIONS.get(lexicon_lang(lang), [])
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"\W{{0,3}}(?:{alt})", re.IGNORECASE)


@lru_cache(maxsize=None)
def relative_regex(lang: str) -> re.Pattern:
    words = RELATIVES.get(lexicon_lang(lang), [])
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    if lang in NO_SPACE:
        return re.compile(f"(?:{alt})")
    return re.compile(rf"(?<!\w)(?:{alt})(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=None)
def plan_regex(lang: str) -> re.Pattern:
    words = PLANS.get(lexicon_lang(lang), [])
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    if lang in NO_SPACE:
        return re.compile(f"(?:{alt})")
    return re.compile(rf"(?<!\w)(?:{alt})", re.IGNORECASE)


@lru_cache(maxsize=None)
def future_regex(lang: str) -> re.Pattern:
    words = FUTURE.get(lexicon_lang(lang), [])
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    if lang in NO_SPACE:
        return re.compile(f"(?:{alt})")
    return re.compile(rf"(?<!\w)(?:{alt})(?:\s+\S+){{0,2}}\s*$", re.IGNORECASE)
