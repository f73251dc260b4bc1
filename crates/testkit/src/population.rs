//! The codes and names of a population of any size: valid codes spread
//! over real county-level division prefixes, and company names as they are
//! registered (region + 字号 + industry + organisational form).

use creditregistry::domain::uscc::Uscc;

/// County-level divisions (GB/T 2260) the codes are spread over.
const DIVISIONS: &[&str] = &[
    "110101", "110105", "110108", "120101", "130102", "140105", "210102", "220102", "230102", "310101", "310104", "310115",
    "320102", "320506", "330106", "330212", "340104", "350203", "360102", "370102", "370202", "410105", "420106", "430104",
    "440106", "440305", "450103", "500103", "510107", "530102", "610113", "620102",
];

/// The code of entity `i`: distinct for every `i`.
pub fn code(i: usize) -> Uscc {
    Uscc::complete(&format!("91{}{:08}", DIVISIONS[i % DIVISIONS.len()], i / DIVISIONS.len())).expect("a valid code")
}

/// The region each division's companies are registered under, by index
/// into `DIVISIONS`.
const REGIONS: &[&str] = &[
    "北京",
    "北京",
    "北京",
    "天津",
    "石家庄",
    "太原",
    "沈阳",
    "长春",
    "哈尔滨",
    "上海",
    "上海",
    "上海",
    "南京",
    "苏州",
    "杭州",
    "宁波",
    "合肥",
    "厦门",
    "南昌",
    "济南",
    "青岛",
    "郑州",
    "武汉",
    "长沙",
    "广州",
    "深圳",
    "南宁",
    "重庆",
    "成都",
    "昆明",
    "西安",
    "兰州",
];

const _: () = assert!(REGIONS.len() == DIVISIONS.len());

/// Characters 字号 are made of.
const TRADE_NAME: &str = "华鑫瑞泰恒通达源宏盛兴隆昌丰汇海金银安康永嘉祥和信德顺远航博创新智云星辰宇光明阳晨辉腾飞龙凤鹏程锦绣天地山河东西南北中美佳优品正道万千百益群众联合力拓展凯旋卓越精诚鼎立佳木森林松柏青竹兰梅春秋夏冬润泽清泉溪流江湖湘粤闽浙苏皖鲁豫冀晋蒙辽吉黑沪渝川滇黔桂琼陕甘宁新藏港澳台";

/// Industries (行业表述).
const INDUSTRIES: &[&str] = &[
    "科技",
    "电子",
    "机械设备",
    "食品",
    "建设工程",
    "贸易",
    "物流",
    "电线电缆",
    "医疗器械",
    "环保科技",
    "信息技术",
    "新材料",
    "化工",
    "服装",
    "家具",
    "印刷",
    "建材",
    "汽车配件",
    "农业发展",
    "餐饮管理",
];

/// Organisational forms, the commonest first.
const FORMS: &[&str] = &["有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司", "集团有限公司"];

/// A well-mixed number from `i` and `salt` (SplitMix64).
pub fn mix(i: usize, salt: u64) -> u64 {
    let mut z = (i as u64).wrapping_add(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A registered company name's parts: region, 字号, industry and
/// organisational form (企业名称由行政区划、字号、行业、组织形式依次组成).
pub struct NameParts {
    pub region: &'static str,
    pub trade: String,
    pub industry: &'static str,
    pub form: &'static str,
}

impl NameParts {
    /// The name as registered, e.g. 广州瑞泰电线电缆有限公司.
    pub fn full(&self) -> String {
        format!("{}{}{}{}", self.region, self.trade, self.industry, self.form)
    }

    /// The name as people say it: without region and form (瑞泰电线电缆).
    pub fn short(&self) -> String {
        format!("{}{}", self.trade, self.industry)
    }
}

/// The parts of entity `i`'s name number `generation` (0: its first name):
/// its division's region, a 字号 of two or three characters, an industry
/// and a form.
pub fn parts_of(i: usize, generation: u64) -> NameParts {
    let chars: Vec<char> = TRADE_NAME.chars().collect();
    let pick = |salt: u64| chars[(mix(i, salt + 16 * generation) % chars.len() as u64) as usize];
    let mut trade = String::from_iter([pick(1), pick(2)]);
    if mix(i, 3 + 16 * generation).is_multiple_of(3) {
        trade.push(pick(4));
    }
    NameParts {
        region: REGIONS[i % DIVISIONS.len()],
        trade,
        industry: INDUSTRIES[(mix(i, 5 + 16 * generation) % INDUSTRIES.len() as u64) as usize],
        form: FORMS[(mix(i, 6 + 16 * generation) % FORMS.len() as u64) as usize],
    }
}

/// The registered name of entity `i` under its name number `generation`.
pub fn name_of(i: usize, generation: u64) -> String {
    parts_of(i, generation).full()
}

/// A character of the alphabet 字号 are made of, other than `c`: for typos.
pub fn other_trade_character(c: char, salt: u64) -> char {
    let chars: Vec<char> = TRADE_NAME.chars().filter(|&o| o != c).collect();
    chars[(mix(salt as usize, 9) % chars.len() as u64) as usize]
}

/// The current name of entity `i`.
pub fn name(i: usize) -> String {
    name_of(i, generation(i))
}

/// The name number entity `i` goes by now: 1 if it renamed, else 0.
pub fn generation(i: usize) -> u64 {
    u64::from(renamed(i))
}

/// Whether entity `i` renamed (one in five did): its records before the
/// rename name it `name_of(i, 0)`, later ones `name(i)`.
pub fn renamed(i: usize) -> bool {
    mix(i, 7).is_multiple_of(5)
}
