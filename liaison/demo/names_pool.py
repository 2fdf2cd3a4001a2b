"""Name parts for synthetic persons, in each script with its usual Latin form.

Common given and family names only, combined at random: any resemblance of a
combination to a real person is chance, and every record made from them is
marked synthetic.
"""

# (native, latin) pairs
CHINESE_SURNAMES = [
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"), ("黄", "Huang"),
    ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("朱", "Zhu"),
    ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("林", "Lin"), ("罗", "Luo"), ("郑", "Zheng"),
]
CHINESE_GIVEN = {
    "male": [("伟", "Wei"), ("强", "Qiang"), ("磊", "Lei"), ("军", "Jun"), ("勇", "Yong"), ("杰", "Jie"), ("涛", "Tao"),
             ("志强", "Zhiqiang"), ("建华", "Jianhua"), ("海峰", "Haifeng"), ("俊杰", "Junjie"), ("文斌", "Wenbin"),
             ("国栋", "Guodong"), ("子豪", "Zihao"), ("宇航", "Yuhang")],
    "female": [("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("秀英", "Xiuying"), ("丽娟", "Lijuan"),
               ("婷婷", "Tingting"), ("雪梅", "Xuemei"), ("玉兰", "Yulan"), ("晓燕", "Xiaoyan"), ("佳怡", "Jiayi")],
}
CHINESE_NICKNAMES = ["Kevin", "Tony", "Jack", "Alex", "Lucky", "Boss Long", "Ah Hui", "Coco", "Vicky"]

VIETNAMESE_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
VIETNAMESE_MIDDLE = {"male": ["Văn", "Đức", "Minh", "Quốc", "Hữu"], "female": ["Thị", "Ngọc", "Thu", "Thanh"]}
VIETNAMESE_GIVEN = {
    "male": ["Anh", "Hùng", "Dũng", "Tuấn", "Long", "Nam", "Hải", "Phúc", "Khánh", "Sơn"],
    "female": ["Lan", "Hoa", "Hương", "Mai", "Linh", "Trang", "Thảo", "Ngân", "Yến"],
}

THAI_GIVEN = {
    "male": [("สมชาย", "Somchai"), ("ประเสริฐ", "Prasert"), ("อนันต์", "Anan"), ("วิชัย", "Wichai"),
             ("ธนพล", "Thanaphon"), ("สุริยา", "Suriya")],
    "female": [("มาลี", "Malee"), ("กัญญา", "Kanya"), ("สุดา", "Suda"), ("ศิริพร", "Siriporn"), ("นภา", "Napha")],
}
THAI_FAMILY = [("ใจดี", "Jaidee"), ("ศรีสุข", "Srisuk"), ("ทองดี", "Thongdee"), ("บุญมี", "Boonmee"),
               ("แก้วมณี", "Kaewmanee"), ("วงศ์สวัสดิ์", "Wongsawat"), ("สุขสวัสดิ์", "Suksawat")]
THAI_NICKNAMES = [("เล็ก", "Lek"), ("น้อย", "Noi"), ("เบียร์", "Beer"), ("พลอย", "Ploy"), ("ต้น", "Ton"), ("แบงค์", "Bank")]

KHMER_FAMILY = [("សុខ", "Sok"), ("ចាន់", "Chan"), ("ហេង", "Heng"), ("ជា", "Chea"), ("មាស", "Meas"), ("គឹម", "Kim"),
                ("លី", "Ly"), ("សៅ", "Sao"), ("ប៉ែន", "Pen")]
KHMER_GIVEN = {
    "male": [("ដារ៉ា", "Dara"), ("វិបុល", "Vibol"), ("ពិសិដ្ឋ", "Piseth"), ("វណ្ណៈ", "Vannak"), ("សំណាង", "Samnang")],
    "female": [("សុភា", "Sophea"), ("បុប្ផា", "Bopha"), ("ស្រីមុំ", "Sreymom"), ("ចាន់ធី", "Chanthy"), ("ស្រីនាង", "Sreyneang")],
}

BURMESE_GIVEN = {
    "male": [("အောင်ကျော်", "Aung Kyaw"), ("ကျော်ဇင်", "Kyaw Zin"), ("မင်းသူ", "Min Thu"), ("ဇော်ဝင်း", "Zaw Win"),
             ("နေလင်း", "Nay Lin"), ("သက်နိုင်", "Thet Naing"), ("ဝင်းနိုင်", "Win Naing"), ("ထွန်းထွန်း", "Htun Htun")],
    "female": [("စုစု", "Su Su"), ("ခင်မျိုး", "Khin Myo"), ("လှလှ", "Hla Hla"), ("နီလာ", "Nilar"),
               ("မြင့်မြင့်", "Myint Myint"), ("ဖြူဖြူ", "Phyu Phyu")],
}
BURMESE_HONORIFIC = {"male": ("ဦး", "U"), "female": ("ဒေါ်", "Daw")}

LAO_GIVEN = {
    "male": [("ສົມພອນ", "Somphone"), ("ບຸນມີ", "Bounmy"), ("ຄຳລາ", "Khamla"), ("ສຸກສະຫວັນ", "Souksavanh")],
    "female": [("ແສງເດືອນ", "Sengdeuane"), ("ບົວພັນ", "Bouaphan"), ("ນ້ອຍ", "Noy")],
}
LAO_FAMILY = [("ພົມມະຈັນ", "Phommachanh"), ("ສີສະຫວາດ", "Sisavath"), ("ແກ້ວມະນີ", "Keomany"), ("ວົງສາ", "Vongsa")]

INDONESIAN = {
    "male": [("Budi", "Santoso"), ("Agus", "Setiawan"), ("Rizky", "Pratama"), ("Andi", "Saputra"),
             ("Dedi", "Kurniawan"), ("Fajar", "Hidayat")],
    "female": [("Siti", "Rahmawati"), ("Dewi", "Lestari"), ("Ayu", "Wulandari"), ("Rina", "Susanti"),
               ("Putri", "Anggraini")],
}

ARABIC_GIVEN = {
    "male": [("محمد", "Mohamed", "Muhammad"), ("أحمد", "Ahmed", "Ahmad"), ("عمر", "Omar", "Umar"),
             ("يوسف", "Youssef", "Yusuf"), ("مصطفى", "Mostafa", "Mustafa"), ("كريم", "Karim", "Kareem")],
    "female": [("فاطمة", "Fatima", "Fatma"), ("ليلى", "Layla", "Leila"), ("مريم", "Mariam", "Maryam"),
               ("سارة", "Sara", "Sarah"), ("هدى", "Hoda", "Huda")],
}
ARABIC_FAMILY = [("علي", "Ali"), ("حسن", "Hassan"), ("خالد", "Khaled"), ("إبراهيم", "Ibrahim"), ("محمود", "Mahmoud"),
                 ("سعيد", "Saeed"), ("عادل", "Adel")]
